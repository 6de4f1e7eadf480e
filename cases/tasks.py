from celery import shared_task
from django.db import OperationalError

from cases import reminders


@shared_task(
    autoretry_for=(OperationalError, ConnectionError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=10,
)
def send_daily_digests(catch_up: bool = False) -> int:
    """The 07:00 digest and its catch-up runs (beat schedule in cmm/celery.py); safe to run
    twice a day."""
    return reminders.send_daily_digests(catch_up=catch_up)
