"""Identification and assessment: the interviews, the case sent to the deciding authority,
and its decision recorded (domain.md §2-3)."""

from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import AssessingAuthority, Assessment, Case, CaseState, Interview
from cases.models.assessment import authority_for
from cases.models.case import AWAITING_DECISION
from cases.services.common import _require_work, _touch, lock_case
from cmm.audit import services as audit
from cmm.core.exceptions import Refused
from cmm.core.transitions import apply_transition
from rules.codes import check_codes

INTERVIEW_FIELDS = (
    "held_at",
    "place",
    "interpreter",
    "interpreter_language",
    "indicators",
    "trafficker_ties",
    "debt_demanded",
    "threatened",
    "notes",
    "recommendation",
)


ASSESSMENT_FIELDS = (
    "authority",
    "outcome",
    "decided_on",
    "decision_received_on",
    "contact_actor",
    "exploitation_form",
    "sexual_kind",
    "forced_labour_industry",
    "criminal_kinds",
    "exploitation_country",
    "exploitation_from",
    "exploitation_to",
    "received_via",
)


INTERVIEW_STATES = (CaseState.AWAITING_INTERVIEW, CaseState.INTERVIEWING, *AWAITING_DECISION)


@transaction.atomic
def interview_record(
    *,
    actor: AbstractBaseUser,
    case_id: int,
    version: int,
    data: dict[str, Any],
    interviewers: list[User],
) -> Interview:
    """Record an identification interview; the first one starts the identification."""
    case = lock_case(case_id, version)
    _require_work(actor, case)
    if case.state not in INTERVIEW_STATES:
        raise Refused(_("Interviews cannot be recorded for a case in this state."))
    if data["held_at"] > timezone.now():
        raise Refused(_("An interview cannot be recorded before it is held."))
    interview = Interview.objects.create(
        case=case, recorded_by=actor, **{f: data[f] for f in INTERVIEW_FIELDS if f in data}
    )
    interview.interviewers.set(interviewers)
    audit.record_create(actor, interview, INTERVIEW_FIELDS)
    if case.state == CaseState.AWAITING_INTERVIEW:
        apply_transition(actor, case, "start_identification")
    else:
        _touch(case)
    return interview


@transaction.atomic
def case_send_for_assessment(
    *,
    actor: AbstractBaseUser,
    case_id: int,
    version: int,
    authority: str,
    override_reason: str = "",
    sent_on: date | None = None,
) -> Case:
    """Send the case to the authority that decides. The authority follows the person's
    residence status (domain.md §3); choosing another needs a reason."""
    case = lock_case(case_id, version)
    _require_work(actor, case)
    residence = case.person.residence_status
    if not residence:
        raise Refused(_("Record the person's residence status first: it decides who assesses."))
    expected = authority_for(residence, sent_on or timezone.localdate())
    override_reason = override_reason.strip()
    if authority != expected and not override_reason:
        raise Refused(
            _("The residence status points to %(expected)s. Give a reason to choose another.")
            % {"expected": AssessingAuthority(expected).label}
        )
    if authority == expected:
        override_reason = ""
    if authority != AssessingAuthority.CMM:
        if sent_on is None:
            raise Refused(_("Give the date the report was sent."))
        if sent_on > timezone.localdate():
            raise Refused(_("The report cannot be sent in the future."))
    apply_transition(
        actor,
        case,
        "send_for_assessment",
        reason=override_reason,
        audited_fields=("assessing_authority", "authority_override_reason", "report_sent_on"),
        authority=authority,
        override_reason=override_reason,
        sent_on=sent_on,
    )
    return case


@transaction.atomic
def case_record_assessment(
    *, actor: AbstractBaseUser, case_id: int, version: int, data: dict[str, Any]
) -> Assessment:
    """Record the decision: CMM's own, or the Immigration Service's or court's when it
    arrives. The decision date decides the statistics year."""
    case = lock_case(case_id, version)
    _require_work(actor, case)
    if case.state not in AWAITING_DECISION:
        raise Refused(_("This step is not possible in the current state."))
    today = timezone.localdate()
    if data["decided_on"] > today:
        raise Refused(_("The decision date cannot be in the future."))
    if case.report_sent_on and data["decided_on"] < case.report_sent_on:
        raise Refused(_("The decision cannot be dated before the report was sent."))
    check_codes(Assessment, data)
    assessment = Assessment(
        case=case,
        authority=case.assessing_authority,
        recorded_by=actor,
        **{f: data.get(f) for f in ASSESSMENT_FIELDS if f in data and f != "authority"},
    )
    if case.assessing_authority != AssessingAuthority.CMM and not assessment.decision_received_on:
        assessment.decision_received_on = today
    apply_transition(actor, case, "record_assessment", outcome=assessment.outcome)
    assessment.save()
    audit.record_create(actor, assessment, ASSESSMENT_FIELDS)
    return assessment
