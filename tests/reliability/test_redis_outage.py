"""Redis stopped: case work goes on; scheduled tasks fail loudly and run once it is back."""

import logging
import time
from datetime import datetime

import pytest
import time_machine
from celery.beat import Scheduler
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from cases import reminders
from cases.models import DigestSent, Note
from cases.tasks import send_daily_digests
from cmm.audit.models import AuditEvent
from cmm.celery import app
from referrals.models import Inquiry
from tests.cases.test_reminders import CPH, WEDNESDAY, work  # noqa: F401 (a fixture)
from tests.factories import case_in
from tests.referrals.test_views import form_payload
from tests.servers import services_only, start_redis, stop_redis, wait_for

pytestmark = services_only
# Fail after one quick retry instead of the configured five minutes: the outcome is the same.
QUICK_FAILURE = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}


@pytest.fixture
def redis_down():
    stop_redis()
    yield
    start_redis()


@pytest.fixture
def offered_case(hanne, tove, karin):
    return case_in("assessed_trafficked", hotline=hanne, supervisor=tove, contact=karin)


def timed(request):
    """The response, after checking it did not wait for the broker."""
    started = time.monotonic()
    response = request()
    assert time.monotonic() - started < 5, "a request waited for Redis"
    return response


@pytest.mark.django_db
def test_case_work_goes_on_while_redis_is_down(redis_down, offered_case, login, hanne, karin):
    case = offered_case
    hotline, contact = login(hanne), login(karin)
    last_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    # The hotline registers an inquiry and triages it.
    response = timed(lambda: hotline.post(reverse("referrals:create"), form_payload()))
    assert response.status_code == 302
    inquiry = Inquiry.objects.latest("pk")
    timed(
        lambda: hotline.post(
            reverse("referrals:transition", args=[inquiry.pk, "triage"]),
            {"version": inquiry.version, "note": "Politiet venter"},
        )
    )
    inquiry.refresh_from_db()
    assert inquiry.state == "triaged"

    # The contact person writes a note and records the answer to the offer.
    timed(
        lambda: contact.post(
            reverse("cases:note_add", args=[case.pk]), {"text": "Ringede til asylcentret"}
        )
    )
    assert Note.objects.filter(case=case, text="Ringede til asylcentret").exists()
    case.refresh_from_db()  # the note made the case a new version
    timed(
        lambda: contact.post(
            reverse("cases:step", args=[case.pk, "offer"]),
            {"version": case.version, "accepted": "yes", "on": timezone.localdate().isoformat()},
        )
    )
    case.refresh_from_db()
    assert case.state == "in_support"

    # Every action's audit event is in the database already, not waiting in a queue.
    written = AuditEvent.objects.filter(id__gt=last_event)
    actions = {(e.action, e.transition) for e in written}
    assert {("create", ""), ("transition", "triage"), ("transition", "accept_offer")} <= actions
    assert AuditEvent.objects.for_object(Note.objects.get(case=case)).exists()


@pytest.mark.django_db
def test_a_task_sent_while_redis_is_down_raises_instead_of_vanishing(redis_down):
    with pytest.raises(OperationalError):
        send_daily_digests.apply_async(retry_policy=QUICK_FAILURE)


@pytest.mark.django_db(transaction=True)
def test_a_digest_lost_at_seven_to_an_outage_goes_out_when_redis_is_back(work, caplog):  # noqa: F811
    """Due work for Karin and the supervisor (the digest tests' fixture): two digests."""
    beat = Scheduler(app)
    seven = beat.schedule["daily-reminder-digests"]
    seven.options = {**seven.options, "retry_policy": QUICK_FAILURE}
    catch_up = beat.schedule["daily-reminder-digests-catch-up"]

    with time_machine.travel(WEDNESDAY, tick=True):
        stop_redis()
        try:
            with caplog.at_level(logging.ERROR, logger="celery.beat"):
                beat.apply_entry(seven)
        finally:
            start_redis()
    # The operator sees it in beat's log, at error level, naming the task.
    [failure] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "daily-reminder-digests" in failure.getMessage()
    assert DigestSent.objects.count() == 0

    with (
        time_machine.travel(datetime(2026, 11, 25, 8, 0, tzinfo=CPH), tick=True),
        start_worker(app, pool="solo", perform_ping_check=False),
    ):
        beat.apply_entry(catch_up)
        wait_for(lambda: DigestSent.objects.count() == 2, seconds=60)
        # Later catch-ups that morning find the digests sent and send nothing again.
        beat.apply_entry(catch_up)
        time.sleep(2)
    assert len(mail.outbox) == 2


def test_the_catch_up_runs_hourly_until_eleven_on_weekdays():
    entry = app.conf.beat_schedule["daily-reminder-digests-catch-up"]
    assert entry["task"] == "cases.tasks.send_daily_digests"
    assert entry["kwargs"] == {"catch_up": True}
    assert entry["schedule"].hour == {8, 9, 10, 11} and entry["schedule"].minute == {0}
    assert entry["schedule"].day_of_week == {1, 2, 3, 4, 5}


@pytest.mark.django_db
def test_a_catch_up_after_a_seven_oclock_run_sends_nothing(work, hanne, tove, kasper):  # noqa: F811
    with time_machine.travel(WEDNESDAY, tick=False):
        assert reminders.send_daily_digests() == 2
    # Work that fell due for someone else after seven waits for tomorrow's digest.
    kasper.email = "kasper@cmm.invalid"
    kasper.save()
    case_in("awaiting_interview", hotline=hanne, supervisor=tove, contact=kasper)
    with time_machine.travel(datetime(2026, 11, 25, 9, 0, tzinfo=CPH), tick=False):
        assert reminders.send_daily_digests(catch_up=True) == 0
        assert reminders.send_daily_digests() == 1  # what the catch-up holds back
