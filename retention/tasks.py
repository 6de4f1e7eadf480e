from celery import shared_task
from django.db import OperationalError

from retention import inquiries, services


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def retention_check() -> int:
    """The nightly list of courses past retention (cmm/celery.py); anonymising stays a
    supervisor's decision."""
    return len(services.retention_check().references)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def erase_expired_inquiries() -> int:
    """The nightly erasure of inquiries that never became a course, past their retention
    period (retention/inquiries.py). Idempotent: an erased inquiry is not listed again."""
    return len(inquiries.erase_due_inquiries(apply=True).references)
