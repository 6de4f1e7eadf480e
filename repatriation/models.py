"""Prepared return and reintegration (forberedt hjemsendelse, domain.md §8)."""

import calendar
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

import rules
from cmm.core.codes import choice_display, country_display, nationality_choices
from rules.values import Grants


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day where it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class ReturnState(models.TextChoices):
    APPLICATION = "application", _("1. Offer and application")
    SAFETY = "safety", _("2. Safety and risk assessment")
    PLAN = "plan", _("3. Reintegration plan")
    COOPERATION = "cooperation", _("4. Cooperation with the home country")
    TRAVEL = "travel", _("5. Travel")
    FOLLOW_UP = "follow_up", _("6. Life after return")
    COMPLETED = "completed", _("Completed")
    STOPPED = "stopped", _("Stopped")


STEP_ORDER = [
    ReturnState.APPLICATION,
    ReturnState.SAFETY,
    ReturnState.PLAN,
    ReturnState.COOPERATION,
    ReturnState.TRAVEL,
    ReturnState.FOLLOW_UP,
]


# The person has left: in follow-up, completed, or stopped during the follow-up. A
# return stopped before the journey keeps its planned date in `departure_on`.
AFTER_DEPARTURE = (ReturnState.FOLLOW_UP, ReturnState.COMPLETED)
DEPARTED = Q(state__in=AFTER_DEPARTURE) | Q(
    state=ReturnState.STOPPED, stopped_at=ReturnState.FOLLOW_UP
)


def has_departed(state: str | None, stopped_at: str | None) -> bool:
    """DEPARTED for one return's values."""
    return state in AFTER_DEPARTURE or (
        state == ReturnState.STOPPED and stopped_at == ReturnState.FOLLOW_UP
    )


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class StopReason(models.TextChoices):
    WITHDRAWN = "withdrawn", _("The person withdrew")
    DISAPPEARED = "disappeared", _("The person disappeared")
    OTHER = "other", _("Other")


def may_manage(prepared_return: "PreparedReturn", user) -> bool:
    """Only the case's contact person (or deputy) and supervisors handle a return."""
    return user.has_perm("cases.work_on_case", prepared_return.case) or user.has_perm(
        "repatriation.manage_prepared_return"
    )


def application_sent(r: "PreparedReturn") -> bool:
    return bool(r.offer_accepted_on and r.application_sent_on)


def risk_assessed(r: "PreparedReturn") -> bool:
    return bool(r.risk_level)


def consent_to_share(r: "PreparedReturn") -> bool:
    """Information goes to DRC and the local partner only with the person's consent."""
    from cases.selectors import has_consent

    return has_consent(r.case, "share_with_partners")


def partner_known(r: "PreparedReturn") -> bool:
    return bool(r.partner_name and r.partner_country)


def ready_to_travel(r: "PreparedReturn") -> bool:
    return bool(r.application_approved_on and r.departure_on and r.destination)


class PreparedReturn(ConcurrentTransitionMixin, models.Model):
    """A prepared return (forberedt hjemsendelse) for one course, through six steps.

    States: offer and application (tilbud og ansøgning) → safety (sikkerhed) →
    reintegration plan (reintegrationsplan) → cooperation with the home country
    (samarbejde med hjemlandet) → travel (rejse) → life after return (livet efter hjemkomst)
    → completed (afsluttet); stopped (afbrudt) from any step.
    """

    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="prepared_return"
    )
    state = FSMField(
        _("step"),
        max_length=16,
        choices=ReturnState.choices,
        default=ReturnState.APPLICATION,
        protected=True,
        db_index=True,
    )
    state_changed_at = models.DateTimeField(_("step changed"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    # 1. Offer and application to Hjemrejsestyrelsen
    offer_accepted_on = models.DateField(_("offer accepted on"), null=True, blank=True)
    application_sent_on = models.DateField(_("application sent on"), null=True, blank=True)
    application_approved_on = models.DateField(_("application approved on"), null=True, blank=True)
    children = models.PositiveSmallIntegerField(
        _("minor children returning with the person"), default=0
    )
    # 2. Safety
    traffickers_at_home = models.BooleanField(_("traffickers in the home country"), default=False)
    family_relations = models.TextField(_("family relations"), blank=True)
    debt = models.BooleanField(_("debt"), default=False)
    provider_duties = models.BooleanField(_("duties as a provider"), default=False)
    health_in_denmark = models.TextField(_("health needs in Denmark"), blank=True)
    health_at_home = models.TextField(_("health needs at home"), blank=True)
    risk_level = models.CharField(
        _("risk level"), max_length=8, choices=RiskLevel.choices, blank=True
    )
    # 3. Reintegration plan
    plan_written_on = models.DateField(_("plan written on"), null=True, blank=True)
    plan_approved_on = models.DateField(_("plan approved on"), null=True, blank=True)
    plan_budget = models.PositiveIntegerField(_("in-kind budget of the plan (DKK)"), default=0)
    # 4. Cooperation with the home country
    partner_name = models.CharField(_("local partner"), max_length=200, blank=True)
    partner_country = models.CharField(
        _("partner's country"), max_length=16, choices=nationality_choices, blank=True
    )
    partner_contact = models.CharField(_("partner's contact"), max_length=200, blank=True)
    # 5. Travel
    departure_on = models.DateField(_("departure"), null=True, blank=True, db_index=True)
    destination = models.CharField(
        _("destination country"), max_length=16, choices=nationality_choices, blank=True
    )
    escort = models.BooleanField(_("escorted"), default=False)
    documents = models.CharField(_("travel documents"), max_length=200, blank=True)
    # The end
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    # The earliest scheduled payment not yet made, kept by the services for the queue.
    next_payment_due_on = models.DateField(null=True, blank=True, db_index=True)
    stop_reason = models.CharField(
        _("reason stopped"), max_length=16, choices=StopReason.choices, blank=True
    )
    stopped_at = models.CharField(_("stopped at"), max_length=16, blank=True)

    get_partner_country_display = country_display("partner_country")
    get_destination_display = country_display("destination")
    get_state_display = choice_display("state", ReturnState)

    class Meta:
        verbose_name = _("prepared return")
        verbose_name_plural = _("prepared returns")
        permissions = [("manage_prepared_return", "Can handle any prepared return")]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"{self.case.reference}/HJ"

    # Grants ------------------------------------------------------------------------

    @property
    def adult_rates(self) -> bool:
        """Adults, and unaccompanied minors, are granted at adult rates: the person's age
        on the grants' day, so a child's caps do not change when the child turns 18."""
        person = self.case.person
        return not person.minor_on(self.grants_day) or person.unaccompanied_minor

    @property
    def grants_day(self) -> date:
        """The day the offer was accepted (today until it is; a return imported without that
        day, its departure): the grants are those of this day."""
        return self.offer_accepted_on or self.departure_on or timezone.localdate()

    @property
    def grants(self) -> Grants:
        """The grant rules of the grants' day: a return keeps the caps it was offered under."""
        return rules.at(self.grants_day).grants

    @property
    def in_kind_cap(self) -> int:
        grants = self.grants
        own = grants.in_kind_per_adult if self.adult_rates else grants.in_kind_per_child
        return own + grants.in_kind_per_child * self.children

    @property
    def cash_cap(self) -> int:
        if not self.adult_rates:
            return 0
        grants = self.grants
        return grants.cash_with_children if self.children else grants.cash_without_children

    @property
    def last_payment_day(self) -> date | None:
        if self.departure_on is None:
            return None
        return add_months(self.departure_on, self.grants.last_payment_months)

    @property
    def step_number(self) -> int | None:
        return STEP_ORDER.index(self.state) + 1 if self.state in STEP_ORDER else None

    # Transitions ----------------------------------------------------------------------

    @transition(
        field=state,
        source=ReturnState.APPLICATION,
        target=ReturnState.SAFETY,
        permission=may_manage,
        conditions=[application_sent],
        custom={"refused": _("Record the accepted offer and the application sent first.")},
    )
    def to_safety(self) -> None:
        """The application is sent: on to the risk assessment."""

    @transition(
        field=state,
        source=ReturnState.SAFETY,
        target=ReturnState.PLAN,
        permission=may_manage,
        conditions=[risk_assessed],
        custom={"refused": _("Record the risk assessment and its risk level first.")},
    )
    def to_plan(self) -> None:
        """Safety assessed: on to the reintegration plan (which may be finished later)."""

    @transition(
        field=state,
        source=ReturnState.PLAN,
        target=ReturnState.COOPERATION,
        permission=may_manage,
        conditions=[consent_to_share],
        custom={
            "refused": _(
                "No consent to share information with partner organisations is recorded. "
                "Record the person's consent on the case first."
            )
        },
    )
    def to_cooperation(self) -> None:
        """On to the cooperation with the home country through DRC."""

    @transition(
        field=state,
        source=ReturnState.COOPERATION,
        target=ReturnState.TRAVEL,
        permission=may_manage,
        conditions=[partner_known],
        custom={"refused": _("Record the local partner and its country first.")},
    )
    def to_travel(self) -> None:
        """The local partner is known: the journey is prepared."""

    @transition(
        field=state,
        source=ReturnState.TRAVEL,
        target=ReturnState.FOLLOW_UP,
        permission=may_manage,
        conditions=[ready_to_travel],
        custom={
            "refused": _(
                "Record the approval of the application, the departure date and the "
                "destination first."
            )
        },
    )
    def depart(self) -> None:
        """The person has travelled home; the follow-up runs up to the rules' last payment
        (12 months in Denmark)."""

    @transition(
        field=state,
        source=ReturnState.FOLLOW_UP,
        target=ReturnState.COMPLETED,
        permission=may_manage,
    )
    def complete(self, on: date) -> None:
        self.completed_on = on

    @transition(
        field=state,
        source=STEP_ORDER,
        target=ReturnState.STOPPED,
        permission=may_manage,
    )
    def stop(self, reason_code: str) -> None:
        """Stopped at any step: withdrawn, disappeared or other."""
        self.stopped_at = self.state
        self.stop_reason = reason_code


class PaymentKind(models.TextChoices):
    CASH = "cash", _("Cash")
    IN_KIND = "in_kind", _("In kind (reintegration plan)")


class Payment(models.Model):
    """A reintegration payment (udbetaling), within the caps and the months of the rules."""

    prepared_return = models.ForeignKey(
        PreparedReturn, on_delete=models.PROTECT, related_name="payments"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=PaymentKind.choices)
    amount = models.PositiveIntegerField(_("amount (DKK)"))
    paid_on = models.DateField(_("paid on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        ordering = ["paid_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive")]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"{self.prepared_return.case.reference}/HJ/B{self.pk}"
