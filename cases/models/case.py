from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from cases.models.assessment import AssessingAuthority, Outcome
from cases.models.person import Person
from cmm.core.codes import choice_display


class CaseState(models.TextChoices):
    AWAITING_ASSIGNMENT = "awaiting_assignment", _("Awaiting a contact person")
    AWAITING_INTERVIEW = "awaiting_interview", _("Awaiting interview")
    INTERVIEWING = "interviewing", _("Interviewing")
    AWAITING_CMM_ASSESSMENT = "awaiting_cmm_assessment", _("Awaiting assessment by CMM")
    REPORT_SENT_TO_IMMIGRATION = (
        "report_sent_to_immigration_service",
        _("Report sent to the Immigration Service"),
    )
    PENDING_IN_COURT = "pending_in_court", _("Pending in court")
    ASSESSED_TRAFFICKED = "assessed_trafficked", _("Assessed as trafficked")
    ASSESSED_NOT_TRAFFICKED = "assessed_not_trafficked", _("Assessed as not trafficked")
    IN_SUPPORT = "in_support", _("Receiving support")
    ENDED = "ended", _("Course ended")


class LegalHoldGround(models.TextChoices):
    """Why a course is held. Only a criminal investigation or proceedings may restrict the
    person's right of access (databeskyttelsesloven § 22, docs/subject-access.md)."""

    CRIMINAL = "criminal_investigation", _("Criminal investigation or proceedings")
    OTHER = "other", _("Other (e.g. a complaint or civil case)")


class EndStatus(models.TextChoices):
    """How a course ended: the status-at-year-end categories CMM reports (domain.md §9)."""

    DECLINED_OFFER = "declined_offer", _("Declined the offer")
    NO_SHOW = "no_show", _("Did not turn up or disappeared")
    MUNICIPAL_CARE = "municipal_care", _("Passed to municipal care")
    LEFT_ON_OWN = "left_on_own", _("Left on own initiative")
    RELEASED_TO_STREET = "released_to_street", _("Released to the street from custody")
    LEFT_WITH_CMM_TICKET = "left_with_cmm_ticket", _("Left the country with CMM's support")
    RESIDENCE_GRANTED = "residence_granted", _("Granted residence")
    PREPARED_RETURN = "prepared_return", _("Prepared return")


# The ends a contact person records directly; declining has its own step, and a prepared
# return ends the course from the repatriation app.
DIRECT_END_STATUSES = [
    EndStatus.NO_SHOW,
    EndStatus.MUNICIPAL_CARE,
    EndStatus.LEFT_ON_OWN,
    EndStatus.RELEASED_TO_STREET,
    EndStatus.LEFT_WITH_CMM_TICKET,
    EndStatus.RESIDENCE_GRANTED,
]


OPEN_CASE_STATES = [
    s for s in CaseState if s not in (CaseState.ENDED, CaseState.ASSESSED_NOT_TRAFFICKED)
]
AWAITING_DECISION = (
    CaseState.AWAITING_CMM_ASSESSMENT,
    CaseState.REPORT_SENT_TO_IMMIGRATION,
    CaseState.PENDING_IN_COURT,
)
STATE_FOR_AUTHORITY = {
    AssessingAuthority.CMM: CaseState.AWAITING_CMM_ASSESSMENT,
    AssessingAuthority.IMMIGRATION_SERVICE: CaseState.REPORT_SENT_TO_IMMIGRATION,
    AssessingAuthority.COURT: CaseState.PENDING_IN_COURT,
}
STATE_FOR_OUTCOME = {
    Outcome.TRAFFICKED: CaseState.ASSESSED_TRAFFICKED,
    Outcome.NOT_TRAFFICKED: CaseState.ASSESSED_NOT_TRAFFICKED,
}
# What the contact person does next, by state ("My cases").
NEXT_STEP = {
    CaseState.AWAITING_ASSIGNMENT: _("A supervisor assigns a contact person"),
    CaseState.AWAITING_INTERVIEW: _("Hold the first identification interview"),
    CaseState.INTERVIEWING: _("Send the case for assessment"),
    CaseState.AWAITING_CMM_ASSESSMENT: _("Record CMM's assessment"),
    CaseState.REPORT_SENT_TO_IMMIGRATION: _("Record the Immigration Service's decision"),
    CaseState.PENDING_IN_COURT: _("Record the court's decision"),
    CaseState.ASSESSED_TRAFFICKED: _("Offer support under the action plan"),
    CaseState.ASSESSED_NOT_TRAFFICKED: "",
    CaseState.IN_SUPPORT: _("Follow the reflection period, housing and police report"),
    CaseState.ENDED: "",
}


def has_interview(case: "Case") -> bool:
    return case.interviews.exists()


class Case(ConcurrentTransitionMixin, models.Model):
    """A person's course (forløb) with CMM, from referral to its end.

    States: awaiting a contact person (afventer fordeling) → awaiting interview (afventer
    samtale) → interviewing (udredning) → awaiting assessment by CMM (afventer CMM's
    vurdering) | report sent to the Immigration Service (indstilling sendt til US) |
    pending in court (verserer ved retten) → assessed trafficked (vurderet handlet) |
    assessed not trafficked (vurderet ikke handlet).
    """

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="cases"
    )
    state = FSMField(
        _("state"),
        max_length=40,
        choices=CaseState.choices,
        default=CaseState.AWAITING_ASSIGNMENT,
        protected=True,
        db_index=True,
    )
    state_changed_at = models.DateTimeField(_("state changed"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now, db_index=True)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now, db_index=True)
    is_urgent = models.BooleanField(_("urgent"), default=False)
    contact_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_as_contact",
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deputy"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_as_deputy",
    )
    assessing_authority = models.CharField(
        _("assessing authority"), max_length=32, choices=AssessingAuthority.choices, blank=True
    )
    authority_override_reason = models.TextField(_("reason for another authority"), blank=True)
    report_sent_on = models.DateField(_("report sent"), null=True, blank=True)
    offer_decided_on = models.DateField(_("offer answered on"), null=True, blank=True)
    end_status = models.CharField(
        _("how the course ended"), max_length=32, choices=EndStatus.choices, blank=True
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    # Retention (retention/services.py): a legal hold keeps an ended course from being
    # anonymised; an anonymised course can no longer be changed.
    legal_hold = models.BooleanField(_("legal hold"), default=False)
    legal_hold_reason = models.TextField(_("reason for the legal hold"), blank=True)
    legal_hold_ground = models.CharField(
        _("ground for the legal hold"), max_length=32, choices=LegalHoldGround.choices, blank=True
    )
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)

    get_state_display = choice_display("state", CaseState)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at", "-id"]
        permissions = [
            ("assign_case", "Can assign a contact person to a case"),
            ("work_on_case", "Can work on a case as its contact person"),
            ("reopen_case", "Can reopen an ended course"),
            ("approve_extension", "Can approve an extension granted by CMM"),
            ("view_statistics", "Can see the aggregate statistics and download the exports"),
            ("anonymise_case", "Can review courses past retention, hold and anonymise them"),
        ]
        indexes = [
            models.Index(fields=["contact_person", "state"]),
            # Search matches a reference whatever its case (reference__iexact).
            models.Index(Upper("reference"), name="case_reference_upper"),
            # "My cases" of a contact person in its order, read from the index alone (a
            # busy contact person's 7,500 cases were read from the table and sorted).
            models.Index(
                fields=["contact_person", "state_changed_at", "id"],
                condition=~Q(state=CaseState.ASSESSED_NOT_TRAFFICKED),
                name="case_contact_waiting",
            ),
            # The queue of open cases without activity for 30 days, in its order: among the
            # cases last active a month ago and earlier, the open ones are few (the index
            # on last_activity_at alone read 17,000 closed ones to find a page of 50).
            models.Index(
                fields=["last_activity_at", "id"],
                condition=Q(state__in=OPEN_CASE_STATES),
                name="case_open_last_activity",
            ),
            # The cases in support, for the queue of reflection periods ending (with
            # reflection_case_ends_on).
            models.Index(
                fields=["id"], condition=Q(state=CaseState.IN_SUPPORT), name="case_in_support"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    @property
    def next_step(self) -> str:
        return NEXT_STEP.get(self.state, "")

    @property
    def is_awaiting_decision(self) -> bool:
        return self.state in AWAITING_DECISION

    def decision_date(self) -> date:
        """The date the reflection period's rules apply at: the assessment's decision date
        (today while there is none)."""
        assessment = getattr(self, "assessment", None)
        return assessment.decided_on if assessment is not None else timezone.localdate()

    def authority_rules_date(self) -> date:
        """The date the rule of who decides applies at: the day the interview report was
        sent (for a course CMM assesses itself, which sends no report, its decision date;
        today while neither exists)."""
        return self.report_sent_on or self.decision_date()

    def waiting_days(self, decision_received_on=None) -> int | None:
        """Days from the report to the decision (or to today while it is awaited)."""
        if self.report_sent_on is None:
            return None
        end = decision_received_on or timezone.localdate()
        return (end - self.report_sent_on).days

    # Transitions: bodies only set fields; services lock, check, save and audit.

    @transition(
        field=state,
        source=CaseState.AWAITING_ASSIGNMENT,
        target=CaseState.AWAITING_INTERVIEW,
        permission="cases.assign_case",
    )
    def assign(self, contact_person, deputy=None) -> None:
        """The first contact person (and a deputy) take the case."""
        self.contact_person = contact_person
        self.deputy = deputy

    @transition(
        field=state,
        source=CaseState.AWAITING_INTERVIEW,
        target=CaseState.INTERVIEWING,
        permission="cases.work_on_case",
        conditions=[has_interview],
    )
    def start_identification(self) -> None:
        """The first identification interview is recorded."""

    @transition(
        field=state,
        source=CaseState.INTERVIEWING,
        target=RETURN_VALUE(*AWAITING_DECISION),
        permission="cases.work_on_case",
        conditions=[has_interview],
        custom={"refused": _("Record at least one identification interview first.")},
    )
    def send_for_assessment(self, authority: str, override_reason: str, sent_on) -> str:
        """Hand the case to the assessing authority (CMM, the Immigration Service, a court)."""
        self.assessing_authority = authority
        self.authority_override_reason = override_reason
        self.report_sent_on = None if authority == AssessingAuthority.CMM else sent_on
        return STATE_FOR_AUTHORITY[authority]

    @transition(
        field=state,
        source=AWAITING_DECISION,
        target=RETURN_VALUE(CaseState.ASSESSED_TRAFFICKED, CaseState.ASSESSED_NOT_TRAFFICKED),
        permission="cases.work_on_case",
        conditions=[has_interview],
        custom={"refused": _("Record at least one identification interview first.")},
    )
    def record_assessment(self, outcome: str) -> str:
        """The assessment is decided; its record is written by the service."""
        return STATE_FOR_OUTCOME[outcome]

    @transition(
        field=state,
        source=CaseState.ASSESSED_TRAFFICKED,
        target=CaseState.IN_SUPPORT,
        permission="cases.work_on_case",
    )
    def accept_offer(self, on) -> None:
        """The person accepts support under the action plan."""
        self.offer_decided_on = on

    @transition(
        field=state,
        source=CaseState.ASSESSED_TRAFFICKED,
        target=CaseState.ENDED,
        permission="cases.work_on_case",
    )
    def decline_offer(self, on) -> None:
        """The person declines the offer: the course ends."""
        self.offer_decided_on = on
        self.end_status = EndStatus.DECLINED_OFFER
        self.ended_on = on

    @transition(
        field=state,
        source=CaseState.IN_SUPPORT,
        target=CaseState.ENDED,
        permission="cases.work_on_case",
    )
    def end_course(self, status: str, on) -> None:
        """The course ends: no-show, municipal care, left, released, ticket, residence."""
        self.end_status = status
        self.ended_on = on

    @transition(
        field=state,
        source=CaseState.IN_SUPPORT,
        target=CaseState.ENDED,
        permission=lambda case, user: (
            user.has_perm("cases.work_on_case", case)
            or user.has_perm("repatriation.manage_prepared_return")
        ),
    )
    def end_with_prepared_return(self, on) -> None:
        """The person has departed on a prepared return (from the repatriation app)."""
        self.end_status = EndStatus.PREPARED_RETURN
        self.ended_on = on

    @transition(
        field=state,
        source=CaseState.ENDED,
        target=CaseState.IN_SUPPORT,
        permission="cases.reopen_case",
    )
    def reopen(self) -> None:
        """A supervisor reopens an ended course; the reason goes in the audit trail."""
        self.end_status = ""
        self.ended_on = None


class CaseUserObjectPermission(UserObjectPermissionBase):
    """Per-case permissions of a user (direct foreign key: fast permission-filtered lists)."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)
