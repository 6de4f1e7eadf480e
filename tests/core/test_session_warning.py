"""The session warning's endpoints, and drafts of forms kept when a session ends."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cmm.audit.models import AuditEvent
from cmm.core.models import Draft
from cmm.core.tasks import clear_expired_sessions
from tests.factories import case_in

pytestmark = pytest.mark.django_db

NEW_INQUIRY = "/inquiries/new/"


def post_json(client, name: str, body) -> object:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(reverse(name), data, content_type="application/json")


def a_draft(summary: str = "Kvinde ringede fra et værksted i Vejle") -> dict:
    return {
        "path": NEW_INQUIRY,
        "forms": {
            "#1": {
                "summary": [summary],
                "channel": ["hotline"],
                "csrfmiddlewaretoken": ["abc"],
                "password": ["hunter2hunter2"],
                "otp_token": ["123456"],
            }
        },
    }


# The clock ---------------------------------------------------------------------------


def test_asking_for_the_time_left_does_not_keep_the_session_alive(login, hanne):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = login(hanne)
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        status = client.get(reverse("session_status")).json()
    assert status == {"logged_in": True, "seconds_left": 5 * 60, "final": False}
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert client.get(reverse("session_status")).json()["seconds_left"] == 60
    with time_machine.travel(start + timedelta(minutes=15, seconds=30), tick=False):
        response = client.get(reverse("referrals:list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_staying_logged_in_restarts_the_idle_clock(login, hanne):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = login(hanne)
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        status = post_json(client, "session_keep_alive", {}).json()
    assert status["seconds_left"] == 15 * 60
    with time_machine.travel(start + timedelta(minutes=25), tick=False):
        assert client.get(reverse("referrals:list")).status_code == 200


def test_staying_logged_in_needs_a_post_with_the_csrf_token(login, hanne):
    client = login(hanne)
    assert client.get(reverse("session_keep_alive")).status_code == 405
    client.handler.enforce_csrf_checks = True
    assert post_json(client, "session_keep_alive", {}).status_code == 403


def test_after_the_end_the_script_gets_401_not_the_login_page(login, client, hanne):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        user_client = login(hanne)
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        response = user_client.get(reverse("session_status"))
    assert response.status_code == 401 and response.json() == {"logged_in": False}
    # The session ended on the server: the next page asks for a login.
    assert user_client.get(reverse("referrals:list")).status_code == 302
    assert client.get(reverse("session_status")).status_code == 401
    assert post_json(client, "draft_save", a_draft()).status_code in (401, 403)


def test_near_the_absolute_limit_the_status_says_it_cannot_be_extended(login, hanne, settings):
    settings.CMM_SESSION_MAX_SECONDS = 20 * 60
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = login(hanne)
    with time_machine.travel(start + timedelta(minutes=4), tick=False):
        assert client.get(reverse("session_status")).json()["final"] is False
    with time_machine.travel(start + timedelta(minutes=12), tick=False):
        status = post_json(client, "session_keep_alive", {}).json()
    # Staying logged in gives no more than the absolute limit leaves.
    assert status == {"logged_in": True, "seconds_left": 8 * 60, "final": True}


def test_every_page_carries_the_warning_and_its_script_under_the_csp(login, hanne, settings):
    settings.CMM_SESSION_WARNING_SECONDS = 90
    response = login(hanne).get(reverse("referrals:list"))
    html = response.content.decode()
    nonce = response.wsgi_request.csp_nonce
    assert 'role="alertdialog"' in html and 'data-warning="90"' in html
    assert f'src="/static/js/session.js" nonce="{nonce}"' in html
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert 'data-draft-page=""' in html  # a list is not a form page


# Drafts ------------------------------------------------------------------------------


def test_a_draft_keeps_the_fields_but_never_the_token_or_secrets(login, hanne):
    response = post_json(login(hanne), "draft_save", a_draft())
    assert response.status_code == 201
    draft = Draft.objects.get(owner=hanne)
    assert draft.path == NEW_INQUIRY
    assert draft.fields == {
        "#1": {"summary": ["Kvinde ringede fra et værksted i Vejle"], "channel": ["hotline"]}
    }
    event = AuditEvent.objects.get(actor=hanne, action="create")
    assert event.changes == {"draft_of": NEW_INQUIRY, "fields": 2}
    assert "Vejle" not in json.dumps(event.changes)


def test_saving_a_draft_does_not_keep_the_session_alive(login, hanne):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = login(hanne)
    with time_machine.travel(start + timedelta(minutes=14, seconds=40), tick=False):
        assert post_json(client, "draft_save", a_draft()).status_code == 201
    with time_machine.travel(start + timedelta(minutes=15, seconds=30), tick=False):
        assert client.get(reverse("referrals:list")).status_code == 302


def test_a_second_save_replaces_the_draft_of_the_page(login, hanne):
    client = login(hanne)
    post_json(client, "draft_save", a_draft("first"))
    post_json(client, "draft_save", a_draft("second"))
    assert Draft.objects.get(owner=hanne).fields["#1"]["summary"] == ["second"]


def test_a_form_page_says_a_draft_waits_and_the_owner_gets_it_back_once(login, hanne):
    client = login(hanne)
    post_json(client, "draft_save", a_draft())
    saved_at = timezone.localtime(Draft.objects.get().saved_at).strftime("%H:%M")

    page = client.get(NEW_INQUIRY).content.decode()
    assert 'data-draft-page="1"' in page and 'data-draft-waiting="1"' in page

    restored = post_json(client, "draft_restore", {"path": NEW_INQUIRY}).json()
    assert restored["forms"]["#1"]["summary"] == ["Kvinde ringede fra et værksted i Vejle"]
    assert restored["message"] == f"Din kladde fra kl. {saved_at} er gendannet."
    assert not Draft.objects.exists()
    event = AuditEvent.objects.get(actor=hanne, action="view")
    assert "Vejle" not in json.dumps(event.changes)
    assert post_json(client, "draft_restore", {"path": NEW_INQUIRY}).json() == {"forms": None}
    assert 'data-draft-waiting=""' in client.get(NEW_INQUIRY).content.decode()


def test_only_the_owner_can_restore_a_draft(login, hanne, tove):
    post_json(login(hanne), "draft_save", a_draft())
    supervisor = login(tove)
    assert 'data-draft-waiting=""' in supervisor.get(NEW_INQUIRY).content.decode()
    assert post_json(supervisor, "draft_restore", {"path": NEW_INQUIRY}).json() == {"forms": None}
    assert Draft.objects.filter(owner=hanne).exists()
    assert not AuditEvent.objects.filter(actor=tove, action="view").exists()


def test_the_session_going_on_discards_the_draft(login, hanne):
    client = login(hanne)
    post_json(client, "draft_save", a_draft())
    assert post_json(client, "draft_discard", {"path": NEW_INQUIRY}).json() == {"discarded": 1}
    assert not Draft.objects.exists()


def test_a_form_left_unchanged_saves_no_draft(login, hanne):
    body = {"path": NEW_INQUIRY, "forms": {"#1": {"csrfmiddlewaretoken": ["abc"]}}}
    response = post_json(login(hanne), "draft_save", body)
    assert response.status_code == 200 and response.json() == {"saved": False}
    assert not Draft.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        b"\xff\xfe",
        "[1, 2]",
        {"forms": {"#1": {"summary": ["x"]}}},
        {"path": "/admin/", "forms": {"#1": {"summary": ["x"]}}},
        {"path": "/accounts/login/", "forms": {"#1": {"summary": ["x"]}}},
        {"path": "/inquiries/", "forms": {"#1": {"summary": ["x"]}}},
        {"path": "//evil.example/inquiries/new/", "forms": {"#1": {"summary": ["x"]}}},
        {"path": "https://evil.example/inquiries/new/", "forms": {"#1": {"summary": ["x"]}}},
        {"path": "/inquiries/new/?next=/admin/", "forms": {"#1": {"summary": ["x"]}}},
        {"path": "/no/such/page/", "forms": {"#1": {"summary": ["x"]}}},
        {"path": 42, "forms": {"#1": {"summary": ["x"]}}},
        {"path": NEW_INQUIRY, "forms": ["summary"]},
        {"path": NEW_INQUIRY, "forms": {"#1": {"summary": "not a list"}}},
        {"path": NEW_INQUIRY, "forms": {"#1": {"summary": [1]}}},
        {"path": NEW_INQUIRY, "forms": {"#1": {"summary": ["x" * 100_001]}}},
        {"path": NEW_INQUIRY, "forms": {f"#{n}": {"a": ["x"]} for n in range(21)}},
    ],
)
def test_bad_drafts_are_refused_with_400(login, hanne, body):
    response = post_json(login(hanne), "draft_save", body)
    assert response.status_code == 400
    assert not Draft.objects.exists()


@pytest.mark.parametrize("name", ["draft_restore", "draft_discard"])
@pytest.mark.parametrize("body", ["{", {"path": "/admin/"}, {"path": None}])
def test_restore_and_discard_refuse_what_is_not_a_form_page(login, hanne, name, body):
    assert post_json(login(hanne), name, body).status_code == 400


def test_the_nightly_clean_up_deletes_drafts_older_than_a_day(login, hanne, karin):
    client = login(hanne)
    post_json(client, "draft_save", a_draft())
    old = Draft.objects.create(
        owner=karin,
        path=NEW_INQUIRY,
        fields={"#1": {"summary": ["x"]}},
        saved_at=timezone.now() - timedelta(hours=25),
    )
    clear_expired_sessions()
    assert not Draft.objects.filter(pk=old.pk).exists()
    assert Draft.objects.filter(owner=hanne).exists()


def test_a_draft_larger_than_a_request_may_be_is_refused_with_400(login, hanne):
    # Every value within the limits, but 3 MB in all: Django's request size limit answers.
    body = {"path": NEW_INQUIRY, "forms": {"#1": {f"f{n}": ["x" * 100_000] for n in range(30)}}}
    assert post_json(login(hanne), "draft_save", body).status_code == 400
    assert not Draft.objects.exists()


def test_the_logout_message_gives_the_idle_time_in_force(login, hanne, settings):
    settings.CMM_SESSION_IDLE_SECONDS = 20 * 60
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = login(hanne)
    with time_machine.travel(start + timedelta(minutes=21), tick=False):
        response = client.get(reverse("referrals:list"), follow=True)
    assert "Du er logget ud efter 20 minutter uden aktivitet." in response.content.decode()


def test_a_contact_person_taken_off_a_case_does_not_get_its_draft_back(
    login, hanne, tove, karin, kasper
):
    case = case_in("awaiting_interview", hotline=hanne, supervisor=tove, contact=karin)
    path = reverse("cases:person", args=[case.pk])
    client = login(karin)
    body = {"path": path, "forms": {"person": {"phone": ["12345678"]}}}
    assert post_json(client, "draft_save", body).status_code == 201

    case_services.case_assign(
        actor=tove, case_id=case.pk, version=case.version, contact_person=kasper
    )

    response = post_json(client, "draft_restore", {"path": path})
    assert response.status_code == 403
    assert "12345678" not in response.content.decode()
    assert not Draft.objects.filter(owner=karin).exists()


def test_a_draft_of_a_page_the_user_may_not_open_is_refused_and_not_stored(
    login, hanne, tove, karin, kasper
):
    case = case_in("awaiting_interview", hotline=hanne, supervisor=tove, contact=karin)
    body = {
        "path": reverse("cases:person", args=[case.pk]),
        "forms": {"person": {"phone": ["12345678"]}},
    }
    # Kasper is not on the case; hotline has no business on a case's person page.
    for user in (kasper, hanne):
        response = post_json(login(user), "draft_save", body)
        assert response.status_code == 403
        assert response.json() == {"error": "not allowed"}
    missing = {**body, "path": reverse("cases:person", args=[999_999])}
    assert post_json(login(karin), "draft_save", missing).status_code == 403
    assert not Draft.objects.exists()
