from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from stats import exports


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def nightly_statistics_export() -> str:
    """The 02:00 export of this year's and last year's statistics (cmm/celery.py)."""
    return str(exports.nightly_export(settings.CMM_EXPORT_DIR, timezone.localdate()))
