from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from cmm.core.drafts import delete_old_drafts


@shared_task
def clear_expired_sessions() -> int:
    """Delete sessions past their expiry, and drafts older than a day (a draft is only
    worth keeping until its owner logs in again); returns how many went."""
    from cmm.core.models import UserSession

    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    # The per-user record of a session that no longer exists is of no further use.
    UserSession.objects.exclude(session_key__in=Session.objects.values("session_key")).delete()
    return deleted + delete_old_drafts()
