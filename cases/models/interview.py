from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The indicators of trafficking (action plan 2026-2029), in the order CMM uses them.
INDICATORS = [
    ("deceived", _("Deceived about the work or conditions")),
    ("travel_arranged_by_others", _("Travel arranged by others")),
    ("documents_withheld", _("Identity documents withheld")),
    ("false_documents", _("False documents")),
    ("isolated_or_monitored", _("Isolated or monitored")),
    ("poor_living_or_working_conditions", _("Poor living or working conditions")),
    ("debt", _("Debt")),
    ("no_or_low_pay", _("No or low pay")),
    ("threats_or_violence", _("Threats or violence")),
    ("no_access_to_health_care", _("No access to health care")),
    ("fears_authorities", _("Fears the authorities")),
]
INDICATOR_CODES = [code for code, _label in INDICATORS]


class Recommendation(models.TextChoices):
    TRAFFICKED = "trafficked", _("Indications of trafficking")
    NOT_TRAFFICKED = "not_trafficked", _("No indications of trafficking")
    UNCLEAR = "unclear", _("Unclear: another interview is needed")


class Interview(models.Model):
    """An identification interview (identifikationssamtale) with the person."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="interviews")
    held_at = models.DateTimeField(_("held at"))
    place = models.CharField(_("place"), max_length=200)
    interviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("interviewers"), related_name="+"
    )
    interpreter = models.CharField(_("interpreter"), max_length=200, blank=True)
    interpreter_language = models.CharField(_("interpreter's language"), max_length=100, blank=True)
    indicators = models.JSONField(_("indicators"), default=list, blank=True)
    trafficker_ties = models.BooleanField(
        _("the trafficker still has ties to the person"), default=False
    )
    debt_demanded = models.BooleanField(_("the trafficker demands a debt"), default=False)
    threatened = models.BooleanField(_("the trafficker threatens the person"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    recommendation = models.CharField(
        _("recommendation"), max_length=16, choices=Recommendation.choices
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("identification interview")
        verbose_name_plural = _("identification interviews")
        ordering = ["held_at", "id"]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"{self.case.reference}/S{self.pk}"

    @property
    def indicator_labels(self) -> list[str]:
        labels = dict(INDICATORS)
        return [labels[code] for code in self.indicators if code in labels]

    @property
    def risk_of_retrafficking(self) -> bool:
        return self.trafficker_ties or self.debt_demanded or self.threatened
