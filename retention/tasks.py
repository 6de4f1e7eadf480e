from celery import shared_task
from django.db import OperationalError

from retention import services


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def retention_check() -> int:
    """The nightly list of courses past retention (cmm/celery.py); anonymising stays a
    supervisor's decision."""
    return len(services.retention_check().references)
