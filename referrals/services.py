"""Everything that changes an inquiry goes through here: one transaction, one audit event."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cmm.audit import services as audit
from cmm.core.access import user_may
from cmm.core.exceptions import Refused
from cmm.core.locking import lock_version
from cmm.core.models import next_reference
from cmm.core.transitions import apply_transition
from referrals.models import Inquiry, InquiryPerson
from rules.codes import check_codes

INQUIRY_FIELDS = (
    "received_at",
    "channel",
    "caller_type",
    "caller_organisation",
    "caller_contact",
    "subject",
    "urgency",
    "urgent_on",
    "summary",
)
PERSON_FIELDS = (
    "alias",
    "gender",
    "age",
    "age_is_estimate",
    "nationality",
    "language",
    "interpreter_needed",
    "whereabouts",
    "suspected_exploitation",
)


def _require(actor: AbstractBaseUser, perm: str, obj: Inquiry | None = None) -> None:
    allowed = actor.has_perm(perm) if obj is None else user_may(actor, perm, obj)
    if not allowed:
        raise PermissionDenied


def lock_inquiry(inquiry_id: int, version: int) -> Inquiry:
    """The inquiry, locked for the change; Conflict when someone saved it since `version`."""
    return lock_version(
        Inquiry.objects.all(),
        inquiry_id,
        version,
        _(
            "Someone else changed this inquiry while you were working on it. "
            "Nothing was saved; check the current inquiry and try again."
        ),
    )


def _add_person(actor: AbstractBaseUser, inquiry: Inquiry, data: dict[str, Any]) -> InquiryPerson:
    check_codes(InquiryPerson, data)
    person = InquiryPerson.objects.create(
        inquiry=inquiry, **{f: data[f] for f in PERSON_FIELDS if f in data}
    )
    audit.record_create(actor, person, PERSON_FIELDS)
    return person


@transaction.atomic
def inquiry_create(
    *, actor: AbstractBaseUser, data: dict[str, Any], persons: list[dict[str, Any]]
) -> Inquiry:
    """Register an inquiry and the persons it concerns."""
    _require(actor, "referrals.add_inquiry")
    check_codes(Inquiry, data)
    received_at = data.get("received_at") or timezone.now()
    inquiry = Inquiry.objects.create(
        reference=next_reference("I", timezone.localtime(received_at).year),
        created_by=actor,
        **{f: data[f] for f in INQUIRY_FIELDS if f in data},
    )
    audit.record_create(actor, inquiry, INQUIRY_FIELDS)
    for person in persons:
        _add_person(actor, inquiry, person)
    return inquiry


@transaction.atomic
def inquiry_update(
    *,
    actor: AbstractBaseUser,
    inquiry_id: int,
    version: int,
    data: dict[str, Any],
    persons: list[dict[str, Any]],
) -> Inquiry:
    """Correct an open inquiry. `persons` holds dicts with "id" for existing persons (and
    "delete": True to remove one) and without "id" for new ones."""
    inquiry = lock_inquiry(inquiry_id, version)
    _require(actor, "referrals.change_inquiry", inquiry)
    if not inquiry.is_open:
        raise Refused(_("A closed, referred or linked inquiry can no longer be changed."))

    check_codes(Inquiry, data)
    for item in persons:
        check_codes(InquiryPerson, item)
    before = audit.snapshot(inquiry, INQUIRY_FIELDS)
    for field in INQUIRY_FIELDS:
        if field in data:
            setattr(inquiry, field, data[field])
    changes = audit.diff(before, audit.snapshot(inquiry, INQUIRY_FIELDS))

    existing = {p.pk: p for p in inquiry.persons.all()}
    for item in persons:
        person = existing.get(item.get("id"))
        if person is None:
            _add_person(actor, inquiry, item)
        elif item.get("delete"):
            audit.record(
                actor,
                audit.Action.UPDATE,
                person,
                changes={"removed": [audit.snapshot(person, PERSON_FIELDS), None]},
            )
            person.delete()
        else:
            person_before = audit.snapshot(person, PERSON_FIELDS)
            for field in PERSON_FIELDS:
                if field in item:
                    setattr(person, field, item[field])
            person_changes = audit.diff(person_before, audit.snapshot(person, PERSON_FIELDS))
            if person_changes:
                person.save()
                audit.record(actor, audit.Action.UPDATE, person, changes=person_changes)

    inquiry.version += 1
    inquiry.save()
    if changes:
        audit.record(actor, audit.Action.UPDATE, inquiry, changes=changes)
    return inquiry


@transaction.atomic
def inquiry_triage(
    *, actor: AbstractBaseUser, inquiry_id: int, version: int, note: str = ""
) -> Inquiry:
    """Mark the inquiry as read and judged, with an optional note."""
    inquiry = lock_inquiry(inquiry_id, version)
    apply_transition(actor, inquiry, "triage", reason=note, note=note)
    return inquiry


@transaction.atomic
def inquiry_close(
    *, actor: AbstractBaseUser, inquiry_id: int, version: int, reason: str, note: str = ""
) -> Inquiry:
    """Close the inquiry with a reason code (and a note where the code needs one)."""
    inquiry = lock_inquiry(inquiry_id, version)
    apply_transition(
        actor, inquiry, "close", reason=note, audited_fields=("close_reason",), reason_code=reason
    )
    return inquiry
