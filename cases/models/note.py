from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Note(models.Model):
    """A journal note (journalnotat). Append-only: a correction is a new note."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="notes")
    text = models.TextField(_("note"))
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("journal note")
        verbose_name_plural = _("journal notes")
        ordering = ["written_at", "id"]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("Journal notes cannot be changed; write a correcting note.")
        super().save(*args, **kwargs)

    @property
    def reference(self) -> str:
        return f"{self.case.reference}/N{self.pk}"
