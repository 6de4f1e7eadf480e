import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from cmm.celery import app
from cmm.core.tasks import clear_expired_sessions


def test_the_beat_schedule_names_registered_tasks():
    app.loader.import_default_modules()
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_clears_expired_sessions_and_keeps_live_ones():
    live = SessionStore()
    live["x"] = 1
    live.create()
    expired = SessionStore()
    expired["x"] = 1
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(minutes=1)
    )

    with start_worker(app, pool="solo", perform_ping_check=False):
        clear_expired_sessions.delay()
        deadline = time.monotonic() + 20
        while Session.objects.filter(session_key=expired.session_key).exists():
            assert time.monotonic() < deadline, "the worker did not run the task"
            time.sleep(0.1)

    assert Session.objects.filter(session_key=live.session_key).exists()
