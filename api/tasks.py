from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from api.models import IdempotentRequest


def forget_idempotency_keys() -> int:
    """Drop the answers kept for retries once CMM_API_IDEMPOTENCY_DAYS have passed: a
    partner retries within minutes, not months. Returns how many went."""
    cutoff = timezone.now() - timedelta(days=settings.CMM_API_IDEMPOTENCY_DAYS)
    deleted, _by_model = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def forget_expired_idempotency_keys() -> int:
    """Nightly (cmm/celery.py)."""
    return forget_idempotency_keys()
