"""Support during the reflection period (domain.md §4-7): the reflection and recovery
period, housing, support services, minors' arrangements and the police report."""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import rules
from cmm.core.codes import (
    AssessingAuthority,
    ExtensionReason,
    choice_display,
)
from rules import codes
from rules.codes import CodeValidator
from rules.values import Reflection


class ReflectionPeriod(models.Model):
    """The reflection and recovery period (refleksions- og restitutionsperiode).

    The rules' period from the start (30 days in Denmark), extendable to the rules' maximum
    (120 days), both by the rules in force on the decision date, so a period keeps the
    rules it began under. `total_days` counts the base and every extension granted or
    awaiting approval; the database refuses a total above the period's `max_days`
    whatever route tries it.
    """

    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="reflection_period"
    )
    starts_on = models.DateField(_("starts on"))
    granted_by = models.CharField(
        _("granted by"),
        max_length=32,
        choices=[
            (AssessingAuthority.CMM, AssessingAuthority.CMM.label),
            (AssessingAuthority.IMMIGRATION_SERVICE, AssessingAuthority.IMMIGRATION_SERVICE.label),
        ],
    )
    total_days = models.PositiveSmallIntegerField(_("days in all"))
    # The rules' maximum on the decision date, kept so the database can refuse more.
    max_days = models.PositiveSmallIntegerField(_("days at most"))
    # Kept by the services from the start and the approved extensions, so queues can
    # select by it in SQL.
    ends_on = models.DateField(_("ends on"), db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("reflection period")
        constraints = [
            models.CheckConstraint(
                condition=Q(total_days__gte=1, total_days__lte=F("max_days")),
                name="reflection_period_within_its_maximum",
            )
        ]
        indexes = [
            # The queue of reflection periods ending counts the cases in support whose
            # period ends soon: each case's end read from the index, not the table (with
            # case_in_support: 4.8 -> 1.6 ms at full bench scale, on every queue page).
            models.Index(fields=["case", "ends_on"], name="reflection_case_ends_on"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"{self.case.reference}/R"

    @property
    def granted_days(self) -> int:
        """Days in force: the bounded total less extensions still awaiting approval."""
        pending = sum(e.days for e in self.extensions.all() if e.status == Extension.Status.PENDING)
        return self.total_days - pending

    def compute_ends_on(self) -> date:
        """The last day of the period (the start day counts as day one)."""
        return self.starts_on + timedelta(days=self.granted_days - 1)

    def days_left(self, today: date | None = None) -> int:
        """Days after today still in the period; 0 on the last day, negative once over."""
        return (self.ends_on - (today or timezone.localdate())).days

    @property
    def rules(self) -> Reflection:
        """The reflection rules of the course's decision date."""
        return rules.at(self.case.decision_date()).reflection

    @property
    def days_available(self) -> int:
        return max(0, self.max_days - self.total_days)


class Extension(models.Model):
    """An extension of the reflection period, with its reason. One granted by CMM takes
    effect when a supervisor approves it; one granted by the Immigration Service is
    recorded as decided."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting a supervisor's approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    period = models.ForeignKey(
        ReflectionPeriod, on_delete=models.PROTECT, related_name="extensions"
    )
    days = models.PositiveSmallIntegerField(_("days"))
    reason = models.CharField(_("reason"), max_length=32, choices=ExtensionReason.choices)
    note = models.TextField(_("note"), blank=True)
    granted_on = models.DateField(_("granted on"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("extension")
        ordering = ["granted_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(days__gte=1), name="extension_at_least_a_day")
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"{self.period.case.reference}/F{self.pk}"

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class Placement(models.Model):
    """A housing placement (indkvartering). Placements of one case never overlap."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="placements")
    housing_type = models.CharField(
        _("type"), max_length=32, validators=[CodeValidator("housing_type")]
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    end_reason = models.CharField(
        _("reason it ended"),
        max_length=16,
        validators=[CodeValidator("placement_end_reason")],
        blank=True,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    get_housing_type_display = codes.display("housing_type", "housing_type")
    get_end_reason_display = codes.display("end_reason", "placement_end_reason")

    class Meta:
        verbose_name = _("placement")
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="placement_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"{self.case.reference}/H{self.pk}"

    def overlaps(self, starts_on: date, ends_on: date | None) -> bool:
        """Whether [starts_on, ends_on) meets this placement; the day a person moves out
        is free for the next placement to start."""
        mine_end = self.ends_on or date.max
        other_end = ends_on or date.max
        return self.starts_on < other_end and starts_on < mine_end


class ServiceKind(models.TextChoices):
    LEGAL_AID = "legal_aid", _("Legal aid")
    INTERPRETER = "interpreter", _("Interpreter")
    HEALTH_CARE = "health_care", _("Health care")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    POCKET_MONEY = "pocket_money", _("Pocket money")
    OTHER = "other", _("Other")


class SupportService(models.Model):
    """One support service given to the person, with its dates."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="services")
    kind = models.CharField(_("service"), max_length=16, choices=ServiceKind.choices)
    given_on = models.DateField(_("from"))
    until = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    get_kind_display = choice_display("kind", ServiceKind)

    class Meta:
        verbose_name = _("support service")
        ordering = ["given_on", "id"]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"{self.case.reference}/Y{self.pk}"


class MinorPlacement(models.TextChoices):
    FOSTER_CARE = "foster_care", _("Foster care")
    CHILDRENS_HOME = "childrens_home", _("Children's home")
    ASYLUM_CENTRE_FOR_MINORS = "asylum_centre_for_minors", _("Asylum centre for minors")
    OTHER = "other", _("Other")


class MinorCare(models.Model):
    """An unaccompanied minor's arrangements: the personal representative (personlig
    repræsentant), the responsible municipality and the placement."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="minor_care")
    representative = models.CharField(_("personal representative"), max_length=200, blank=True)
    representative_contact = models.CharField(
        _("representative's contact"), max_length=200, blank=True
    )
    municipality = models.CharField(_("responsible municipality"), max_length=100, blank=True)
    placement = models.CharField(
        _("care placement"), max_length=32, choices=MinorPlacement.choices, blank=True
    )

    class Meta:
        verbose_name = _("arrangements for a minor")

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"{self.case.reference}/M"


class Provision(models.TextChoices):
    TRAFFICKING_262A = "262a", _("§ 262 a (human trafficking)")
    EXPLOITATION_262B = "262b", _("§ 262 b (human exploitation)")
    OTHER = "other", _("Other offences")


class FiledBy(models.TextChoices):
    PERSON_ASSISTED = "person_assisted", _("The person, assisted by CMM")
    CMM_ANONYMOUS = "cmm_anonymous", _("CMM, with the person anonymous")


class NotFiledReason(models.TextChoices):
    INVESTIGATION_ONGOING = "investigation_ongoing", _("An investigation is ongoing")
    EXPLOITATION_LONG_AGO = "exploitation_long_ago", _("The exploitation was long ago")
    EXPLOITATION_ABROAD = "exploitation_abroad", _("The exploitation took place abroad")
    IN_PREPARATION = "in_preparation", _("The report is being prepared")
    PERSON_WISH_RESPECTED = (
        "person_wish_respected",
        _("The person's wish not to report is respected"),
    )
    OTHER = "other", _("Other")


POLICE_DISTRICTS = [
    "Nordjyllands Politi",
    "Østjyllands Politi",
    "Midt- og Vestjyllands Politi",
    "Sydøstjyllands Politi",
    "Syd- og Sønderjyllands Politi",
    "Fyns Politi",
    "Sydsjællands og Lolland-Falsters Politi",
    "Midt- og Vestsjællands Politi",
    "Nordsjællands Politi",
    "Københavns Vestegns Politi",
    "Københavns Politi",
    "Bornholms Politi",
    "Grønlands Politi",
    "Færøernes Politi",
]


class PoliceReport(models.Model):
    """The police report (politianmeldelse): filed, by whom and under which provisions,
    or not filed and why. The newest record of a case counts."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="police_reports")
    filed = models.BooleanField(_("filed"))
    filed_by = models.CharField(_("filed by"), max_length=16, choices=FiledBy.choices, blank=True)
    provisions = models.JSONField(_("provisions"), default=list, blank=True)
    police_district = models.CharField(
        _("police district"),
        max_length=64,
        choices=[(d, d) for d in POLICE_DISTRICTS],
        blank=True,
    )
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    not_filed_reason = models.CharField(
        _("reason not filed"), max_length=32, choices=NotFiledReason.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("police report")
        ordering = ["recorded_at", "id"]
        constraints = [
            models.CheckConstraint(
                # The district is required of new reports by the service, not here:
                # reports imported from the previous system may lack it.
                condition=(
                    Q(filed=True, not_filed_reason="", filed_on__isnull=False) & ~Q(filed_by="")
                )
                | Q(filed=False, filed_by="", filed_on__isnull=True, police_district="")
                & ~Q(not_filed_reason=""),
                name="police_report_filed_or_reasoned",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"{self.case.reference}/A{self.pk}"

    @property
    def provision_labels(self) -> list[str]:
        return [str(Provision(p).label) for p in self.provisions]
