from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from cmm.core.drafts import delete_old_drafts


@shared_task
def clear_expired_sessions() -> int:
    """Delete sessions past their expiry, and drafts older than a day (a draft is only
    worth keeping until its owner logs in again); returns how many went."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted + delete_old_drafts()
