import os
import threading
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.core import mail

from cases import reminders
from cases.models import DigestSent
from cases.tasks import send_daily_digests
from cmm.celery import app
from tests.factories import case_in, make_inquiry
from tests.servers import start_redis, stop_redis, wait_for

CPH = ZoneInfo("Europe/Copenhagen")
WEDNESDAY = datetime(2026, 11, 25, 7, 0, tzinfo=CPH)
redis_only = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs the Redis that make test starts"
)


@pytest.fixture
def work(hanne, tove, karin):
    """Due work for Karin (a first interview) and for the supervisor (an urgent inquiry)."""
    for user in (karin, tove):
        user.email = f"{user.username}@cmm.invalid"
        user.save()
    case = case_in("awaiting_interview", hotline=hanne, supervisor=tove, contact=karin)
    make_inquiry(hanne, urgency="custody")
    return case


@pytest.mark.django_db
def test_the_digest_names_references_never_persons(work, karin):
    with time_machine.travel(WEDNESDAY, tick=False):
        assert reminders.send_digest(karin, WEDNESDAY.date())
    [message] = mail.outbox
    assert message.to == ["karin@cmm.invalid"]
    assert work.reference in message.body
    assert work.person.name not in message.body + message.subject


@pytest.mark.django_db
def test_running_twice_a_day_sends_nothing_twice(work):
    with time_machine.travel(WEDNESDAY, tick=False):
        assert reminders.send_daily_digests() == 2
        assert reminders.send_daily_digests() == 0
    assert len(mail.outbox) == 2
    assert DigestSent.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("day", [date(2026, 11, 28), date(2026, 12, 25), date(2027, 3, 29)])
def test_no_digest_on_weekends_and_public_holidays(work, day):
    with time_machine.travel(datetime(day.year, day.month, day.day, 7, tzinfo=CPH), tick=False):
        assert reminders.send_daily_digests() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_nobody_gets_an_empty_digest(kasper):
    kasper.email = "kasper@cmm.invalid"
    kasper.save()
    with time_machine.travel(WEDNESDAY, tick=False):
        assert reminders.send_daily_digests() == 0


def test_the_digest_is_on_the_beat_schedule_at_seven_on_weekdays():
    entry = app.conf.beat_schedule["daily-reminder-digests"]
    assert entry["task"] == "cases.tasks.send_daily_digests"
    assert entry["schedule"].hour == {7} and entry["schedule"].minute == {0}
    assert entry["schedule"].day_of_week == {1, 2, 3, 4, 5}
    assert app.conf.timezone == "Europe/Copenhagen"


@redis_only
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_digests_once_whatever_the_runs(work):
    with (
        time_machine.travel(WEDNESDAY, tick=True),
        start_worker(app, pool="solo", perform_ping_check=False),
    ):
        send_daily_digests.delay()
        wait_for(lambda: DigestSent.objects.count() == 2)
        send_daily_digests.delay()
        time.sleep(2)
    assert len(mail.outbox) == 2


@redis_only
@pytest.mark.django_db(transaction=True)
def test_a_digest_requested_while_redis_is_down_runs_when_it_is_back(work):
    with (
        time_machine.travel(WEDNESDAY, tick=True),
        start_worker(app, pool="solo", perform_ping_check=False),
    ):
        stop_redis()
        published = threading.Event()

        def publish():
            send_daily_digests.delay()  # retries publishing until Redis answers again
            published.set()

        thread = threading.Thread(target=publish)
        thread.start()
        time.sleep(3)
        assert not published.is_set()
        start_redis()
        thread.join(timeout=60)
        assert published.is_set()
        wait_for(lambda: DigestSent.objects.count() == 2, seconds=60)
    assert len(mail.outbox) == 2
