from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.twofactor import app_device_for, code_now

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    response = client.post(
        reverse("login"), {"username": user.username, "password": "test-password-123"}
    )
    assert response.status_code == 302
    code = code_now(app_device_for(user))
    assert client.post(reverse("two_factor_verify"), {"code": code}).status_code == 302
    return client


def test_fifteen_idle_minutes_log_out_and_end_the_session_on_the_server(hanne):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = logged_in(hanne)
        assert client.get(reverse("referrals:list")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert client.get(reverse("referrals:list")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=28, seconds=30), tick=False):
        assert client.get(reverse("referrals:list")).status_code == 200  # 14.5 min after the last
    with time_machine.travel(start + timedelta(minutes=45), tick=False):
        response = client.get(reverse("referrals:list"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not Session.objects.exists()


def test_twelve_hours_is_the_most_a_session_lasts_however_busy(hanne):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = logged_in(hanne)
    for minutes in range(10, 12 * 60, 10):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get(reverse("referrals:list")).status_code == 200
    with time_machine.travel(start + timedelta(hours=12, minutes=5), tick=False):
        assert client.get(reverse("referrals:list")).status_code == 302


def test_logging_in_gives_a_new_session_id(hanne):
    client = Client()
    client.get(reverse("login"))
    before = client.cookies.get("__Host-sessionid")
    logged = client.post(
        reverse("login"), {"username": hanne.username, "password": "test-password-123"}
    )
    assert logged.status_code == 302
    assert client.cookies["__Host-sessionid"].value != (before.value if before else None)


def test_logout_ends_the_session_on_the_server(hanne):
    client = logged_in(hanne)
    client.post(reverse("logout"))
    assert not Session.objects.exists()
    assert client.get(reverse("referrals:list")).status_code == 302


def session_writes(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return sum(q["sql"].startswith('UPDATE "django_session"') for q in ctx.captured_queries)


def test_page_views_within_a_minute_do_not_rewrite_the_session(hanne):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = logged_in(hanne)
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        assert session_writes(client, reverse("referrals:list")) == 0
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        assert session_writes(client, reverse("referrals:list")) == 1
    with time_machine.travel(start + timedelta(seconds=90), tick=False):
        assert session_writes(client, reverse("referrals:list")) == 0


def test_the_idle_clock_runs_from_the_recorded_activity_never_longer(hanne):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = logged_in(hanne)
    # Recorded: more than a minute after the last recorded activity.
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        assert client.get(reverse("referrals:list")).status_code == 200
    # Within the minute: not recorded, so the fifteen minutes run from minute 5 (the
    # session ends 40 seconds early, not late).
    with time_machine.travel(start + timedelta(minutes=5, seconds=40), tick=False):
        assert client.get(reverse("referrals:list")).status_code == 200
        assert client.get(reverse("session_status")).json()["seconds_left"] == 15 * 60 - 40
    with time_machine.travel(start + timedelta(minutes=20, seconds=1), tick=False):
        response = client.get(reverse("referrals:list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_post_always_restarts_the_idle_clock(hanne):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = logged_in(hanne)
    with time_machine.travel(start + timedelta(seconds=20), tick=False):
        status = client.post(reverse("session_keep_alive"), "{}", content_type="application/json")
    assert status.json()["seconds_left"] == 15 * 60
    with time_machine.travel(start + timedelta(minutes=15, seconds=10), tick=False):
        assert client.get(reverse("referrals:list")).status_code == 200


def test_with_a_short_idle_limit_page_views_are_recorded_sooner(hanne, settings):
    settings.CMM_SESSION_IDLE_SECONDS = 15
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = logged_in(hanne)
    # A fifteenth of the limit: a page view 4 seconds on is recorded and keeps the session.
    with time_machine.travel(start + timedelta(seconds=4), tick=False):
        assert session_writes(client, reverse("referrals:list")) == 1
    with time_machine.travel(start + timedelta(seconds=18), tick=False):
        assert client.get(reverse("referrals:list")).status_code == 200
