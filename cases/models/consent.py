from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentKind(models.TextChoices):
    NAMED_POLICE_REPORT = "named_police_report", _("A police report in the person's name")
    SHARE_WITH_PARTNERS = "share_with_partners", _("Sharing information with partner organisations")
    TELEPHONE_CONTACT = "telephone_contact", _("Contact by telephone")


class Consent(models.Model):
    """What the person has agreed to (samtykke), or withdrawn. The newest record counts."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="consents")
    kind = models.CharField(_("consent to"), max_length=32, choices=ConsentKind.choices)
    given = models.BooleanField(_("given"), default=True)
    given_on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"{self.case.reference}/K{self.pk}"
