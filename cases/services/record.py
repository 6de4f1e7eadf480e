"""The course's record: a course opened from an inquiry, the person, who works on it, the
journal and consents, and the end of the course (domain.md §1 and §9)."""

from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from cases.models import Case, CaseState, Consent, Note, Person
from cases.models.case import DIRECT_END_STATUSES
from cases.services.common import (
    _lock_work,
    _not_in_future,
    _require_work,
    _touch,
    birth_date_from_age,
    lock_case,
    refuse_if_anonymised,
)
from cmm.audit import services as audit
from cmm.core.access import user_may
from cmm.core.exceptions import Refused
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
