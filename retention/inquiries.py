"""Retention of inquiries that never became a course (docs/retention.md).

An inquiry closed as advice, without indicators, referred elsewhere or as a duplicate holds
the caller's contact, the summary and the persons' aliases, whereabouts and language, and
nothing of it is ever needed again once the period after closing has passed. The nightly
job erases those fields `CMM_INQUIRY_RETENTION_MONTHS` after the inquiry was closed and
redacts them in the audit trail; the coded fields the statistics count (received, channel,
caller type, subject, urgency, close reason, the persons' gender, age, nationality and
suspected exploitation) stay, so every inquiry figure is the same before and after. An
inquiry that became a course, or names a person who is in one, is left to the course's
retention. A legal hold keeps an inquiry as it is until it is lifted.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cmm.audit import services as audit
from cmm.audit.models import AuditEvent
from cmm.core import drafts
from cmm.core.exceptions import Refused
from referrals.models import Inquiry, InquiryPerson, InquiryState
from repatriation.models import add_months

logger = logging.getLogger(__name__)

PERM = "cases.anonymise_case"

ERASED_INQUIRY_FIELDS = {
    "summary": "",
    "triage_note": "",
    "caller_organisation": "",
    "caller_contact": "",
    "legal_hold_reason": "",
}
ERASED_PERSON_FIELDS = {"alias": "", "alias_key": "", "whereabouts": "", "language": ""}


def inquiry_cutoff(now: datetime | None = None) -> datetime:
    """Inquiries closed at or before this moment are past retention: the same time of day,
    CMM_INQUIRY_RETENTION_MONTHS earlier (the month's last day where it has no such day)."""
    now = timezone.localtime(now or timezone.now())
    day = add_months(now.date(), -settings.CMM_INQUIRY_RETENTION_MONTHS)
    return now.replace(year=day.year, month=day.month, day=day.day)


def due_inquiries(now: datetime | None = None) -> QuerySet[Inquiry]:
    """Closed inquiries past retention that never became a course and are not held,
    oldest closing first."""
    in_a_course = InquiryPerson.objects.filter(inquiry=OuterRef("pk"), case__isnull=False)
    return (
        Inquiry.objects.filter(
            state=InquiryState.CLOSED,
            closed_at__lte=inquiry_cutoff(now),
            erased_at__isnull=True,
            legal_hold=False,
            linked_case__isnull=True,
        )
        .exclude(Exists(in_a_course))
        .order_by("closed_at", "id")
    )


def _erase(inquiry: Inquiry, now: datetime) -> None:
    persons = InquiryPerson.objects.filter(inquiry=inquiry)
    aliases = list(persons.values_list("alias", flat=True))
    person_ids = list(persons.values_list("pk", flat=True))
    persons.update(**ERASED_PERSON_FIELDS)
    Inquiry.objects.filter(pk=inquiry.pk).update(**ERASED_INQUIRY_FIELDS, erased_at=now)
    trail = (
        Q(object_ref=inquiry.reference)
        | Q(object_ref__startswith=f"{inquiry.reference}/")
        | Q(
            content_type=ContentType.objects.get_for_model(InquiryPerson),
            object_id__in=[str(pk) for pk in person_ids],
        )
    )
    audit.redact_events(AuditEvent.objects.filter(trail))
    audit.redact_searches(aliases)
    drafts.delete_drafts_of(inquiries={inquiry.pk})


@dataclass
class Erasure:
    references: list[str]
    applied: bool


def erase_due_inquiries(*, apply: bool, now: datetime | None = None) -> Erasure:
    """The inquiries past retention; erased only with `apply` (each in its own
    transaction, audited as done by the system), otherwise listed."""
    now = now or timezone.now()
    references = list(due_inquiries(now).values_list("reference", flat=True))
    if not apply:
        return Erasure(references, applied=False)
    for reference in references:
        with transaction.atomic():
            inquiry = due_inquiries(now).select_for_update().filter(reference=reference).first()
            if inquiry is None:  # held or linked since the list was made
                continue
            _erase(inquiry, now)
            audit.record(
                None,
                audit.Action.UPDATE,
                inquiry,
                changes={"erased": [False, True]},
                reason=_("Erased after the retention period"),
            )
    logger.info("Inquiry retention: %s inquiries erased", len(references))
    return Erasure(references, applied=True)


def _lock(reference: str) -> Inquiry:
    inquiry = Inquiry.objects.select_for_update().filter(reference=reference).first()
    if inquiry is None:
        raise Refused(_("No inquiry has the reference %(ref)s.") % {"ref": reference})
    return inquiry


@transaction.atomic
def inquiry_legal_hold_set(
    *, actor: AbstractBaseUser | None, reference: str, reason: str
) -> Inquiry:
    """Keep an inquiry from erasure (an investigation, a request from the police)."""
    if actor is not None and not actor.has_perm(PERM):
        raise PermissionDenied
    if not reason.strip():
        raise Refused(_("Give the reason for the legal hold."))
    inquiry = _lock(reference)
    if inquiry.erased_at is not None:
        raise Refused(_("This inquiry is erased already."))
    if inquiry.legal_hold:
        raise Refused(_("This inquiry is under a legal hold already."))
    inquiry.legal_hold, inquiry.legal_hold_reason = True, reason.strip()
    inquiry.version += 1
    inquiry.save(update_fields=["legal_hold", "legal_hold_reason", "version"])
    audit.record(
        actor, audit.Action.UPDATE, inquiry, changes={"legal_hold": [False, True]}, reason=reason
    )
    return inquiry


@transaction.atomic
def inquiry_legal_hold_lift(
    *, actor: AbstractBaseUser | None, reference: str, reason: str
) -> Inquiry:
    """Lift the hold: the inquiry is erased on the next night if it is past retention."""
    if actor is not None and not actor.has_perm(PERM):
        raise PermissionDenied
    if not reason.strip():
        raise Refused(_("Give the reason for lifting the legal hold."))
    inquiry = _lock(reference)
    if not inquiry.legal_hold:
        raise Refused(_("This inquiry is not under a legal hold."))
    inquiry.legal_hold, inquiry.legal_hold_reason = False, ""
    inquiry.version += 1
    inquiry.save(update_fields=["legal_hold", "legal_hold_reason", "version"])
    audit.record(
        actor, audit.Action.UPDATE, inquiry, changes={"legal_hold": [True, False]}, reason=reason
    )
    return inquiry
