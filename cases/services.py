"""Everything that changes a person or a case goes through here: one transaction, the
permission check, the change, and its audit event."""

from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from cases.models import (
    AssessingAuthority,
    Assessment,
    Case,
    CaseState,
    Consent,
    Interview,
    Note,
    Person,
)
from cases.models.assessment import authority_for
from cases.models.case import AWAITING_DECISION
from cmm.audit import services as audit
from cmm.core.access import user_may
from cmm.core.exceptions import Conflict, Refused
from cmm.core.models import next_reference
from cmm.core.roles import Role, has_role
from cmm.core.transitions import apply_transition

PERSON_FIELDS = (
    "name",
    "aliases",
    "gender",
    "birth_date",
    "birth_date_is_estimate",
    "declared_minor",
    "unaccompanied_minor",
    "nationality",
    "languages",
    "interpreter_needed",
    "residence_status",
    "phone",
    "email",
    "address",
)
CASE_PERMS = ("cases.view_case", "cases.work_on_case")
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
)


def birth_date_from_age(age: int, on: date | None = None) -> date:
    """An estimated date of birth for someone `age` years old on `on`: the middle of the
    year of life, so the age stays right for about half a year either way."""
    on = on or timezone.localdate()
    return date(on.year - age, on.month, 1) - timedelta(days=182)


def _lock(case_id: int, version: int) -> Case:
    case = Case.objects.select_for_update().select_related("person").get(pk=case_id)
    if case.version != version:
        raise Conflict(
            _(
                "Someone else changed this case while you were working on it. "
                "Nothing was saved; check the current case and try again."
            )
        )
    return case


def _require_work(actor: AbstractBaseUser, case: Case) -> None:
    if not user_may(actor, "cases.work_on_case", case):
        raise PermissionDenied


def _touch(case: Case) -> None:
    """Every change to a case makes open forms on it stale."""
    case.version += 1
    case.save(update_fields=["version"])


@transaction.atomic
def case_open_from_referral(*, actor: AbstractBaseUser, inquiry, inquiry_person) -> Case:
    """Open a course for a person referred by the hotline; it waits for a contact person."""
    age = inquiry_person.age
    person = Person.objects.create(
        name=inquiry_person.alias,
        gender=inquiry_person.gender,
        birth_date=birth_date_from_age(age) if age is not None else None,
        birth_date_is_estimate=age is not None,
        nationality=inquiry_person.nationality,
        languages=inquiry_person.language,
        interpreter_needed=inquiry_person.interpreter_needed,
        address=inquiry_person.whereabouts,
    )
    audit.record_create(actor, person, PERSON_FIELDS)
    case = Case.objects.create(
        reference=next_reference("C", timezone.localdate().year),
        person=person,
        is_urgent=inquiry.is_urgent,
    )
    audit.record_create(actor, case, ("reference", "person", "state", "is_urgent"))
    return case


@transaction.atomic
def person_update(
    *, actor: AbstractBaseUser, case_id: int, version: int, data: dict[str, Any]
) -> Person:
    """Correct or complete what is known of the case's person."""
    case = _lock(case_id, version)
    if not (user_may(actor, "cases.work_on_case", case) or actor.has_perm("cases.assign_case")):
        raise PermissionDenied
    person = Person.objects.select_for_update().get(pk=case.person_id)
    before = audit.snapshot(person, PERSON_FIELDS)
    for field in PERSON_FIELDS:
        if field in data:
            setattr(person, field, data[field])
    changes = audit.diff(before, audit.snapshot(person, PERSON_FIELDS))
    if changes:
        person.save()
        audit.record(actor, audit.Action.UPDATE, person, changes=changes)
        _touch(case)
    return person


@transaction.atomic
def case_link_person(
    *, actor: AbstractBaseUser, case_id: int, version: int, person_id: int
) -> Case:
    """Attach the case to a person CMM already knows (a recurring person): the person
    registered with this referral is merged away if no other case names them."""
    if not actor.has_perm("cases.assign_case"):
        raise PermissionDenied
    case = _lock(case_id, version)
    existing = Person.objects.get(pk=person_id)
    registered = case.person
    if existing.pk == registered.pk:
        raise Refused(_("The case already belongs to this person."))
    case.person = existing
    case.version += 1
    case.save(update_fields=["person", "version"])
    audit.record(
        actor,
        audit.Action.UPDATE,
        case,
        changes={"person": [registered.pk, existing.pk]},
        reason=_("Linked to a person already known to CMM"),
    )
    if not registered.cases.exists():
        audit.record(
            actor,
            audit.Action.UPDATE,
            registered,
            changes={"merged_into": [None, existing.pk]},
        )
        # What the referral knew of the person is kept in the audit trail and the inquiry.
        registered.delete()
    return case


@transaction.atomic
def case_assign(
    *,
    actor: AbstractBaseUser,
    case_id: int,
    version: int,
    contact_person: User,
    deputy: User | None = None,
) -> Case:
    """Assign or reassign the contact person (and deputy). The per-case permissions move
    in the same transaction: whoever is no longer on the case loses it at once."""
    if not actor.has_perm("cases.assign_case"):
        raise PermissionDenied
    for user in filter(None, (contact_person, deputy)):
        if not has_role(user, Role.CONTACT_PERSON):
            raise Refused(
                _("%(name)s is not a contact person.")
                % {"name": user.get_full_name() or user.get_username()}
            )
    if deputy is not None and deputy.pk == contact_person.pk:
        raise Refused(_("The deputy must be someone other than the contact person."))
    case = _lock(case_id, version)
    before = audit.snapshot(case, ("contact_person", "deputy"))

    old = {case.contact_person, case.deputy} - {None}
    new = {contact_person, deputy} - {None}
    for user in old - new:
        for perm in CASE_PERMS:
            remove_perm(perm, user, case)
    for user in new - old:
        for perm in CASE_PERMS:
            assign_perm(perm, user, case)

    if case.state == CaseState.AWAITING_ASSIGNMENT:
        apply_transition(
            actor,
            case,
            "assign",
            audited_fields=("contact_person", "deputy"),
            contact_person=contact_person,
            deputy=deputy,
        )
    else:
        case.contact_person = contact_person
        case.deputy = deputy
        case.version += 1
        case.save(update_fields=["contact_person", "deputy", "version"])
        changes = audit.diff(before, audit.snapshot(case, ("contact_person", "deputy")))
        if changes:
            audit.record(actor, audit.Action.UPDATE, case, changes=changes)
    return case


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
    case = _lock(case_id, version)
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
    case = _lock(case_id, version)
    _require_work(actor, case)
    residence = case.person.residence_status
    if not residence:
        raise Refused(_("Record the person's residence status first: it decides who assesses."))
    expected = authority_for(residence)
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
    case = _lock(case_id, version)
    _require_work(actor, case)
    if case.state not in AWAITING_DECISION:
        raise Refused(_("This step is not possible in the current state."))
    today = timezone.localdate()
    if data["decided_on"] > today:
        raise Refused(_("The decision date cannot be in the future."))
    if case.report_sent_on and data["decided_on"] < case.report_sent_on:
        raise Refused(_("The decision cannot be dated before the report was sent."))
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


@transaction.atomic
def note_add(
    *, actor: AbstractBaseUser, case_id: int, text: str, corrects: Note | None = None
) -> Note:
    """Append a journal note; a correction names the note it corrects."""
    case = Case.objects.select_for_update().get(pk=case_id)
    _require_work(actor, case)
    if corrects is not None and corrects.case_id != case.pk:
        raise Refused(_("A correction must belong to the same case."))
    note = Note.objects.create(case=case, text=text, corrects=corrects, author=actor)
    audit.record_create(actor, note, ("text", "corrects"))
    return note


@transaction.atomic
def consent_record(
    *, actor: AbstractBaseUser, case_id: int, kind: str, given: bool, given_on: date
) -> Consent:
    """Record a consent given or withdrawn; the newest record of a kind counts."""
    case = Case.objects.select_for_update().get(pk=case_id)
    _require_work(actor, case)
    if given_on > timezone.localdate():
        raise Refused(_("A consent cannot be dated in the future."))
    consent = Consent.objects.create(
        case=case, kind=kind, given=given, given_on=given_on, recorded_by=actor
    )
    audit.record_create(actor, consent, ("kind", "given", "given_on"))
    return consent
