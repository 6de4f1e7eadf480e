"""The Celery application.

The beat schedule lives here, in code, so that it is reviewed like code. Each entry names a
thin task that calls the same service a management command would.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmm.settings")

app = Celery("cmm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Every night at 04:15: the API's answers kept for retries, past CMM_API_IDEMPOTENCY_DAYS.
    "nightly-idempotency-cleanup": {
        "task": "api.tasks.forget_expired_idempotency_keys",
        "schedule": crontab(hour=4, minute=15),
    },
    # Every night at 02:00 Copenhagen time: this year's and last year's statistics.
    "nightly-statistics-export": {
        "task": "stats.tasks.nightly_statistics_export",
        "schedule": crontab(hour=2, minute=0),
    },
    # Every working day at 07:00 Copenhagen time (the task skips public holidays itself).
    "daily-reminder-digests": {
        "task": "cases.tasks.send_daily_digests",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon-fri"),
    },
    # Beat cannot send a task while Redis is down (it logs "Message Error" after about five
    # minutes of retries), and it does not send a missed run later. Hourly catch-ups until
    # 11:00 send the morning's digests once Redis is back, if the 07:00 run was lost.
    "daily-reminder-digests-catch-up": {
        "task": "cases.tasks.send_daily_digests",
        "schedule": crontab(hour="8-11", minute=0, day_of_week="mon-fri"),
        "kwargs": {"catch_up": True},
    },
    # Every night at 03:30: which courses are past retention; supervisors are told about
    # new ones and decide on each (retention/services.py).
    "nightly-retention-check": {
        "task": "retention.tasks.retention_check",
        "schedule": crontab(hour=3, minute=30),
    },
    # Every night at 03:45: inquiries that never became a course are erased once past
    # CMM_INQUIRY_RETENTION_MONTHS after closing, unless a legal hold keeps them.
    "nightly-inquiry-erasure": {
        "task": "retention.tasks.erase_expired_inquiries",
        "schedule": crontab(hour=3, minute=45),
    },
    # Expired sessions hold nothing useful but still name who was logged in when;
    # clearing them nightly keeps the session table small and tidy. Drafts of forms left
    # when a session ended go too once they are a day old.
    "clear-expired-sessions": {
        "task": "cmm.core.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=15),
    },
}
