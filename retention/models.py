from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SubjectAccess(models.Model):
    """A subject access file (indsigt, GDPR art. 15) produced for a person: who produced it,
    when, and why. The file itself is not kept: it is handed over."""

    person = models.ForeignKey(
        "cases.Person", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.SET_NULL, null=True, related_name="+")
    produced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    produced_at = models.DateTimeField(_("produced at"), default=timezone.now)
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("subject access file")
        default_permissions = ()
        permissions = [("produce_subject_access", "Can produce a person's subject access file")]
        ordering = ["-produced_at"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.produced_at:%Y-%m-%d}"
