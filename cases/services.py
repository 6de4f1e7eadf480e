"""Everything that changes a person or a case goes through here."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from cases.models import Case, Person
from cmm.audit import services as audit
from cmm.core.models import next_reference

PERSON_FIELDS = (
    "alias",
    "gender",
    "age",
    "age_is_estimate",
    "nationality",
    "language",
    "interpreter_needed",
)


@transaction.atomic
def case_open_from_referral(*, actor: AbstractBaseUser, inquiry, inquiry_person) -> Case:
    """Open a course for a person referred by the hotline; it waits for a contact person."""
    person = Person.objects.create(**{f: getattr(inquiry_person, f) for f in PERSON_FIELDS})
    audit.record_create(actor, person, PERSON_FIELDS)
    case = Case.objects.create(
        reference=next_reference("C", timezone.localdate().year),
        person=person,
        is_urgent=inquiry.is_urgent,
    )
    audit.record_create(actor, case, ("reference", "person", "state", "is_urgent"))
    return case
