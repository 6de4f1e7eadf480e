"""The morning digest: what is due or overdue in each person's queues, by e-mail.

The e-mail names records by reference only, never a person: mail leaves the system.
"""

import logging
from datetime import date

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

import rules
from cases import queues
from cases.models import DigestSent
from cmm.core.roles import Role
from cmm.core.workdays import is_working_day

logger = logging.getLogger(__name__)
# Queues whose members are due or overdue work, not just waiting their turn.
DIGEST_QUEUES = [
    "urgent-inquiries",
    "untriaged",
    "unassigned",
    "awaiting-interview",
    "awaiting-decision",
    "reflection-ending",
    "returns-stalled",
    "payments-due",
    "inactive",
]
MAX_REFERENCES = 20


def _reference(record) -> str:
    case = getattr(record, "case", None)
    return case.reference if case is not None else record.reference


def digest_for(user: User) -> list[tuple[str, int, list[str]]]:
    """(queue title, count, first references) for each of the user's non-empty queues."""
    now = timezone.now()
    lines = []
    for queue in queues.queues_for(user):
        if queue.slug not in DIGEST_QUEUES:
            continue
        records = queues.queue_records(queue, user, now)
        count = records.count()
        if count:
            refs = [_reference(r) for r in records[:MAX_REFERENCES]]
            lines.append((str(queue.title), count, refs))
    return lines


def send_digest(user: User, day: date) -> bool:
    """Send `user` their digest for `day` unless it went out already; True if sent."""
    with translation.override(settings.LANGUAGE_CODE):
        lines = digest_for(user)
        if not lines:
            return False
        body = "\n\n".join(
            f"{title}: {count}\n" + "\n".join(f"  {ref}" for ref in refs)
            for title, count, refs in lines
        )
        subject = _("CMM: due and overdue work on %(day)s") % {"day": day.strftime("%d-%m-%Y")}
    try:
        with transaction.atomic():
            # The row is written first and committed only after the mail went: a crash
            # in between sends again on the retry rather than never.
            DigestSent.objects.create(user=user, day=day, items=sum(c for _t, c, _r in lines))
            send_mail(subject, body, None, [user.email])
    except IntegrityError:
        return False  # already sent today
    return True


def send_daily_digests(day: date | None = None, *, catch_up: bool = False) -> int:
    """Every working day: a digest to each contact person and supervisor with due work.

    A catch-up run sends only when no digest went out that day: the 07:00 run was lost
    (the broker was down when beat sent it), not merely empty for someone."""
    day = day or timezone.localdate()
    if not is_working_day(day, rules.at(day).calendar):
        return 0
    if catch_up and DigestSent.objects.filter(day=day).exists():
        return 0
    users = (
        User.objects.filter(is_active=True, groups__name__in=[Role.CONTACT_PERSON, Role.SUPERVISOR])
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    sent = sum(1 for user in users if send_digest(user, day))
    logger.info("Sent %s reminder digests for %s", sent, day)
    return sent
