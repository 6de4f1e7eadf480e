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
    ConsentKind,
    Extension,
    FiledBy,
    Interview,
    MinorCare,
    Note,
    Person,
    Placement,
    PoliceReport,
    ReflectionPeriod,
    SupportService,
)
from cases.models.assessment import authority_for
from cases.models.case import AWAITING_DECISION, DIRECT_END_STATUSES
from cases.models.support import BASE_DAYS, MAX_DAYS
from cases.selectors import has_consent
from cmm.audit import services as audit
from cmm.core.access import user_may
from cmm.core.exceptions import Refused
from cmm.core.locking import lock_version
from cmm.core.models import next_reference
from cmm.core.roles import Role, has_role
from cmm.core.transitions import apply_transition
from referrals.models import Inquiry
from referrals.services import lock_inquiry

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


def refuse_if_anonymised(case: Case) -> None:
    """An anonymised course is closed for good: nothing on it changes again."""
    if case.anonymised_at is not None:
        raise Refused(_("This course is anonymised and can no longer be changed."))


def lock_case(case_id: int, version: int) -> Case:
    """The case, locked, if it is still the version the user saw."""
    case = lock_version(
        Case.objects.select_related("person"),
        case_id,
        version,
        _(
            "Someone else changed this case while you were working on it. "
            "Nothing was saved; check the current case and try again."
        ),
    )
    refuse_if_anonymised(case)
    return case


def _require_work(actor: AbstractBaseUser, case: Case) -> None:
    if not user_may(actor, "cases.work_on_case", case):
        raise PermissionDenied
    refuse_if_anonymised(case)


def _touch(case: Case) -> None:
    """Every change to a case makes open forms on it stale and counts as activity."""
    refuse_if_anonymised(case)
    case.version += 1
    case.last_activity_at = timezone.now()
    case.save(update_fields=["version", "last_activity_at"])


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
def inquiry_refer(*, actor: AbstractBaseUser, inquiry_id: int, version: int) -> list[Case]:
    """Refer every person concerned for identification: each gets a case awaiting
    assignment, which puts it in the supervisors' unassigned queue."""
    inquiry = lock_inquiry(inquiry_id, version)
    apply_transition(actor, inquiry, "refer")
    cases = []
    for person in inquiry.persons.filter(case__isnull=True):
        case = case_open_from_referral(actor=actor, inquiry=inquiry, inquiry_person=person)
        person.case = case
        person.save(update_fields=["case"])
        cases.append(case)
    return cases


@transaction.atomic
def inquiry_link(
    *, actor: AbstractBaseUser, inquiry_id: int, version: int, case_reference: str
) -> Inquiry:
    """Attach a follow-up inquiry to the case CMM already has."""
    inquiry = lock_inquiry(inquiry_id, version)
    case = Case.objects.filter(reference=case_reference.strip().upper()).first()
    if case is None:
        raise Refused(_("No case has the reference %(ref)s.") % {"ref": case_reference})
    apply_transition(actor, inquiry, "link", audited_fields=("linked_case",), case=case)
    return inquiry


@transaction.atomic
def person_update(
    *, actor: AbstractBaseUser, case_id: int, version: int, data: dict[str, Any]
) -> Person:
    """Correct or complete what is known of the case's person."""
    case = lock_case(case_id, version)
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
    case = lock_case(case_id, version)
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


def _check_assignable(contact_person: User, deputy: User | None) -> None:
    for user in filter(None, (contact_person, deputy)):
        if not has_role(user, Role.CONTACT_PERSON):
            raise Refused(
                _("%(name)s is not a contact person.")
                % {"name": user.get_full_name() or user.get_username()}
            )
    if deputy is not None and deputy.pk == contact_person.pk:
        raise Refused(_("The deputy must be someone other than the contact person."))


def _assign(actor: AbstractBaseUser, case: Case, contact_person: User, deputy: User | None) -> None:
    """Move the case and its per-case permissions; the caller holds the row lock."""
    refuse_if_anonymised(case)
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
        return
    case.contact_person = contact_person
    case.deputy = deputy
    case.version += 1
    case.save(update_fields=["contact_person", "deputy", "version"])
    changes = audit.diff(before, audit.snapshot(case, ("contact_person", "deputy")))
    if changes:
        audit.record(actor, audit.Action.UPDATE, case, changes=changes)


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
    _check_assignable(contact_person, deputy)
    case = lock_case(case_id, version)
    _assign(actor, case, contact_person, deputy)
    return case


@transaction.atomic
def cases_reassign(
    *, actor: AbstractBaseUser, case_ids: list[int], contact_person: User
) -> list[Case]:
    """Move several cases to another contact person at once (a supervisor's bulk
    reassignment): all of them with their permissions, or none. Deputies stay unless they
    are the new contact person."""
    if not actor.has_perm("cases.assign_case"):
        raise PermissionDenied
    _check_assignable(contact_person, None)
    cases = list(
        Case.objects.select_for_update()
        .filter(pk__in=case_ids)
        .exclude(state__in=(CaseState.ENDED, CaseState.ASSESSED_NOT_TRAFFICKED))
        .order_by("pk")
    )
    if len(cases) != len(set(case_ids)):
        raise Refused(
            _("Some of the chosen cases are ended or no longer exist. Nothing was moved.")
        )
    for case in cases:
        deputy = case.deputy if case.deputy_id != contact_person.pk else None
        _assign(actor, case, contact_person, deputy)
    return cases


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
    case = lock_case(case_id, version)
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
    _touch(case)
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
    _touch(case)
    return consent


# Support during the reflection period (domain.md §4-7) ---------------------------------


def _lock_work(actor: AbstractBaseUser, case_id: int, version: int) -> Case:
    case = lock_case(case_id, version)
    _require_work(actor, case)
    return case


def _not_in_future(day: date, what: str) -> None:
    if day > timezone.localdate():
        raise Refused(_("%(what)s cannot be in the future.") % {"what": what})


@transaction.atomic
def case_answer_offer(
    *, actor: AbstractBaseUser, case_id: int, version: int, accepted: bool, on: date
) -> Case:
    """The person's answer to the offer of support under the action plan."""
    case = _lock_work(actor, case_id, version)
    _not_in_future(on, _("The answer"))
    assessment = getattr(case, "assessment", None)
    if assessment and on < assessment.decided_on:
        raise Refused(_("The offer is answered after the assessment, not before."))
    apply_transition(
        actor,
        case,
        "accept_offer" if accepted else "decline_offer",
        audited_fields=("offer_decided_on", "end_status", "ended_on"),
        on=on,
    )
    return case


@transaction.atomic
def case_end(
    *, actor: AbstractBaseUser, case_id: int, version: int, status: str, on: date, reason: str = ""
) -> Case:
    """End the course with one of the end statuses a contact person records directly."""
    if status not in DIRECT_END_STATUSES:
        raise Refused(_("This end of a course is recorded elsewhere."))
    case = _lock_work(actor, case_id, version)
    _not_in_future(on, _("The end date"))
    if case.offer_decided_on and on < case.offer_decided_on:
        raise Refused(_("A course cannot end before the offer was accepted."))
    open_placement = case.placements.filter(ends_on__isnull=True).first()
    if open_placement is not None:
        raise Refused(_("End the current housing placement first."))
    apply_transition(
        actor,
        case,
        "end_course",
        reason=reason,
        audited_fields=("end_status", "ended_on"),
        status=status,
        on=on,
    )
    return case


@transaction.atomic
def case_reopen(*, actor: AbstractBaseUser, case_id: int, version: int, reason: str) -> Case:
    """A supervisor reopens an ended course, with a reason."""
    case = lock_case(case_id, version)
    if not reason.strip():
        raise Refused(_("Give the reason for reopening."))
    apply_transition(
        actor, case, "reopen", reason=reason.strip(), audited_fields=("end_status", "ended_on")
    )
    return case


@transaction.atomic
def reflection_start(
    *, actor: AbstractBaseUser, case_id: int, version: int, starts_on: date, granted_by: str
) -> ReflectionPeriod:
    """Record the start of the 30-day reflection period and who granted it (CMM for a
    person with legal residence, the Immigration Service otherwise)."""
    case = _lock_work(actor, case_id, version)
    if case.state != CaseState.IN_SUPPORT:
        raise Refused(_("The reflection period starts once the offer of support is accepted."))
    if ReflectionPeriod.objects.filter(case=case).exists():
        raise Refused(_("This course already has a reflection period."))
    expected = authority_for(case.person.residence_status)
    if granted_by != expected:
        raise Refused(
            _("With this residence status the reflection period is granted by %(who)s.")
            % {"who": AssessingAuthority(expected).label}
        )
    period = ReflectionPeriod(
        case=case, starts_on=starts_on, granted_by=granted_by, recorded_by=actor
    )
    period.ends_on = period.starts_on + timedelta(days=BASE_DAYS - 1)
    period.save()
    audit.record_create(actor, period, ("starts_on", "granted_by", "total_days"))
    _touch(case)
    return period


@transaction.atomic
def reflection_extend(
    *,
    actor: AbstractBaseUser,
    case_id: int,
    version: int,
    days: int,
    reason: str,
    granted_on: date,
    note: str = "",
) -> Extension:
    """Extend the reflection period. The whole period never exceeds 120 days, counting
    extensions that await approval; one granted by CMM waits for a supervisor."""
    case = _lock_work(actor, case_id, version)
    period = ReflectionPeriod.objects.select_for_update().filter(case=case).first()
    if period is None:
        raise Refused(_("Record the reflection period before extending it."))
    if days < 1:
        raise Refused(_("An extension is at least one day."))
    _not_in_future(granted_on, _("The date granted"))
    if granted_on > period.ends_on:
        raise Refused(
            _("The period ended on %(day)s; an extension must be granted before it ends.")
            % {"day": period.ends_on.strftime("%d-%m-%Y")}
        )
    if period.total_days + days > MAX_DAYS:
        raise Refused(
            _("At most %(max)s days in all: %(left)s days can still be added.")
            % {"max": MAX_DAYS, "left": period.days_available}
        )
    by_cmm = period.granted_by == AssessingAuthority.CMM
    extension = Extension.objects.create(
        period=period,
        days=days,
        reason=reason,
        note=note,
        granted_on=granted_on,
        recorded_by=actor,
        status=Extension.Status.PENDING if by_cmm else Extension.Status.APPROVED,
    )
    period.total_days += days
    period.ends_on = period.compute_ends_on()
    period.save(update_fields=["total_days", "ends_on"])
    audit.record_create(actor, extension, ("days", "reason", "granted_on", "status"))
    _touch(case)
    return extension


@transaction.atomic
def extension_decide(*, actor: AbstractBaseUser, extension_id: int, approve: bool) -> Extension:
    """A supervisor approves or rejects an extension granted by CMM."""
    if not actor.has_perm("cases.approve_extension"):
        raise PermissionDenied
    extension = Extension.objects.select_for_update().select_related("period").get(pk=extension_id)
    if extension.status != Extension.Status.PENDING:
        raise Refused(_("This extension has already been decided."))
    period = ReflectionPeriod.objects.select_for_update().get(pk=extension.period_id)
    extension.status = Extension.Status.APPROVED if approve else Extension.Status.REJECTED
    extension.decided_by = actor
    extension.decided_at = timezone.now()
    extension.save(update_fields=["status", "decided_by", "decided_at"])
    if not approve:
        period.total_days -= extension.days
    period.ends_on = period.compute_ends_on()
    period.save(update_fields=["total_days", "ends_on"])
    audit.record(
        actor,
        audit.Action.UPDATE,
        extension,
        changes={"status": [Extension.Status.PENDING, extension.status]},
    )
    _touch(Case.objects.select_for_update().get(pk=period.case_id))
    return extension


@transaction.atomic
def placement_add(
    *,
    actor: AbstractBaseUser,
    case_id: int,
    version: int,
    data: dict[str, Any],
) -> Placement:
    """Record a housing placement. Placements of a case never overlap; "disappeared" is
    recorded as the end reason of the placement the person left."""
    case = _lock_work(actor, case_id, version)
    starts_on, ends_on = data["starts_on"], data.get("ends_on")
    _not_in_future(starts_on, _("The start"))
    if ends_on and ends_on < starts_on:
        raise Refused(_("A placement cannot end before it starts."))
    if bool(ends_on) != bool(data.get("end_reason")):
        raise Refused(_("Give both the end date and the reason it ended, or neither."))
    for other in case.placements.all():
        if other.overlaps(starts_on, ends_on):
            raise Refused(
                _("It overlaps the placement from %(day)s; end that one first.")
                % {"day": other.starts_on.strftime("%d-%m-%Y")}
            )
    placement = Placement.objects.create(
        case=case,
        recorded_by=actor,
        **{f: data.get(f) or "" for f in ("housing_type", "place", "end_reason")},
        starts_on=starts_on,
        ends_on=ends_on,
    )
    audit.record_create(actor, placement, PLACEMENT_FIELDS)
    _touch(case)
    return placement


@transaction.atomic
def placement_end(
    *,
    actor: AbstractBaseUser,
    case_id: int,
    version: int,
    placement_id: int,
    ends_on: date,
    reason: str,
) -> Placement:
    """End the current placement (moved, disappeared, left, ...)."""
    case = _lock_work(actor, case_id, version)
    placement = case.placements.select_for_update().get(pk=placement_id)
    if placement.ends_on is not None:
        raise Refused(_("This placement has already ended."))
    if ends_on < placement.starts_on:
        raise Refused(_("A placement cannot end before it starts."))
    _not_in_future(ends_on, _("The end"))
    before = audit.snapshot(placement, PLACEMENT_FIELDS)
    placement.ends_on = ends_on
    placement.end_reason = reason
    placement.save(update_fields=["ends_on", "end_reason"])
    audit.record(
        actor,
        audit.Action.UPDATE,
        placement,
        changes=audit.diff(before, audit.snapshot(placement, PLACEMENT_FIELDS)),
    )
    _touch(case)
    return placement


PLACEMENT_FIELDS = ("housing_type", "place", "starts_on", "ends_on", "end_reason")


@transaction.atomic
def service_add(
    *, actor: AbstractBaseUser, case_id: int, version: int, data: dict[str, Any]
) -> SupportService:
    """Log a support service given to the person."""
    case = _lock_work(actor, case_id, version)
    _not_in_future(data["given_on"], _("The date"))
    if data.get("until") and data["until"] < data["given_on"]:
        raise Refused(_("The end cannot be before the start."))
    service = SupportService.objects.create(
        case=case,
        recorded_by=actor,
        kind=data["kind"],
        given_on=data["given_on"],
        until=data.get("until"),
        note=data.get("note", ""),
    )
    audit.record_create(actor, service, ("kind", "given_on", "until", "note"))
    _touch(case)
    return service


MINOR_FIELDS = ("representative", "representative_contact", "municipality", "placement")


@transaction.atomic
def minor_care_update(
    *, actor: AbstractBaseUser, case_id: int, version: int, data: dict[str, Any]
) -> MinorCare:
    """Record a minor's personal representative, municipality and placement."""
    case = _lock_work(actor, case_id, version)
    if not case.person.is_minor:
        raise Refused(_("These arrangements are for minors only."))
    care, created = MinorCare.objects.select_for_update().get_or_create(case=case)
    before = audit.snapshot(care, MINOR_FIELDS)
    for field in MINOR_FIELDS:
        setattr(care, field, data.get(field, ""))
    care.save()
    audit.record(
        actor,
        audit.Action.CREATE if created else audit.Action.UPDATE,
        care,
        changes=audit.diff(before, audit.snapshot(care, MINOR_FIELDS)),
    )
    _touch(case)
    return care


POLICE_FIELDS = (
    "filed",
    "filed_by",
    "provisions",
    "police_district",
    "filed_on",
    "not_filed_reason",
    "note",
)


@transaction.atomic
def police_report_record(
    *, actor: AbstractBaseUser, case_id: int, version: int, data: dict[str, Any]
) -> PoliceReport:
    """Record that a report was filed (by the person with CMM's help, or by CMM with the
    person anonymous) or why it was not. A report in the person's name needs their
    consent."""
    case = _lock_work(actor, case_id, version)
    if case.state not in (CaseState.IN_SUPPORT, CaseState.ENDED, CaseState.ASSESSED_TRAFFICKED):
        raise Refused(_("A police report is recorded for a person assessed as trafficked."))
    filed = data["filed"]
    if filed:
        missing = [
            f for f in ("filed_by", "provisions", "police_district", "filed_on") if not data.get(f)
        ]
        if missing:
            raise Refused(
                _("A filed report needs who filed it, the provisions, the district and the date.")
            )
        _not_in_future(data["filed_on"], _("The date filed"))
        if data["filed_by"] == FiledBy.PERSON_ASSISTED and not has_consent(
            case, ConsentKind.NAMED_POLICE_REPORT
        ):
            raise Refused(
                _(
                    "No consent to a report in the person's name is recorded. Record the "
                    "consent first, or let CMM file with the person anonymous."
                )
            )
        values = {f: data[f] for f in ("filed_by", "police_district", "filed_on")}
        values["provisions"] = sorted(set(data["provisions"]))
        values["not_filed_reason"] = ""
    else:
        if not data.get("not_filed_reason"):
            raise Refused(_("Give the reason the report was not filed."))
        values = {
            "filed_by": "",
            "provisions": [],
            "police_district": "",
            "filed_on": None,
            "not_filed_reason": data["not_filed_reason"],
        }
    report = PoliceReport.objects.create(
        case=case, filed=filed, note=data.get("note", ""), recorded_by=actor, **values
    )
    audit.record_create(actor, report, POLICE_FIELDS)
    _touch(case)
    return report
