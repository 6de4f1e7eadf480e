from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from cases import exports, reminders


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


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def nightly_statistics_export() -> str:
    """The 02:00 export of this year's and last year's statistics (cmm/celery.py)."""
    return str(exports.nightly_export(settings.CMM_EXPORT_DIR, timezone.localdate()))


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def retention_check() -> int:
    """The nightly list of courses past retention (cmm/celery.py); anonymising stays a
    supervisor's decision."""
    from cases import retention

    return len(retention.retention_check().references)
