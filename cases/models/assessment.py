from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

import rules
from cmm.core.codes import (
    AssessingAuthority,
    country_display,
    nationality_choices,
)
from rules import codes
from rules.codes import CodeValidator


class Outcome(models.TextChoices):
    TRAFFICKED = "trafficked", _("Trafficked")
    NOT_TRAFFICKED = "not_trafficked", _("Not trafficked")


class SexualKind(models.TextChoices):
    PROSTITUTION = "prostitution", _("Prostitution")
    OTHER_SEXUAL = "other_sexual", _("Other sexual exploitation")


class CriminalKind(models.TextChoices):
    THEFT = "theft", _("Theft")
    DRUG_SALES = "drug_sales", _("Drug sales")
    DRUG_TRANSPORT = "drug_transport", _("Drug transport")
    CANNABIS_PRODUCTION = "cannabis_production", _("Cannabis production")
    ECONOMIC_CRIME = "economic_crime", _("Economic crime")
    OTHER = "other", _("Other")


def authority_for(residence_status: str, day: date) -> str:
    """The authority that assesses a person with this residence status (domain.md §3), by
    the rules in force on `day`: the date the interview report is sent."""
    return rules.at(day).authority_for(residence_status)


class Assessment(models.Model):
    """The assessment (vurdering) of whether the person is trafficked.

    The decision date decides the statistics year.
    """

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="assessment")
    authority = models.CharField(_("authority"), max_length=32, choices=AssessingAuthority.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    decided_on = models.DateField(_("decision date"), db_index=True)
    decision_received_on = models.DateField(_("decision received"), null=True, blank=True)
    contact_actor = models.CharField(
        _("contact-creating actor"),
        max_length=32,
        validators=[CodeValidator("contact_actor")],
        blank=True,
    )
    exploitation_form = models.CharField(
        _("form of exploitation"),
        max_length=32,
        validators=[CodeValidator("exploitation_form")],
        blank=True,
    )
    sexual_kind = models.CharField(
        _("kind of sexual exploitation"), max_length=32, choices=SexualKind.choices, blank=True
    )
    forced_labour_industry = models.CharField(
        _("industry"), max_length=32, validators=[CodeValidator("industry")], blank=True
    )
    criminal_kinds = models.JSONField(_("criminal acts"), default=list, blank=True)
    exploitation_country = models.CharField(
        _("country of exploitation"), max_length=16, choices=nationality_choices, blank=True
    )
    exploitation_from = models.DateField(_("exploited from"), null=True, blank=True)
    exploitation_to = models.DateField(_("exploited until"), null=True, blank=True)
    # The person's age on the decision date, kept when their date of birth is erased by
    # anonymisation, so the statistics of the decision's year do not change.
    age_at_decision = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    # The partner system the decision came from through the API (the client's name); empty
    # for a decision typed in.
    received_via = models.CharField(_("received through the API from"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    get_exploitation_country_display = country_display("exploitation_country")
    get_contact_actor_display = codes.display("contact_actor", "contact_actor")
    get_exploitation_form_display = codes.display("exploitation_form", "exploitation_form")
    get_forced_labour_industry_display = codes.display("forced_labour_industry", "industry")

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"{self.case.reference}/V"

    @property
    def criminal_kind_labels(self) -> list[str]:
        return [str(CriminalKind(kind).label) for kind in self.criminal_kinds]
