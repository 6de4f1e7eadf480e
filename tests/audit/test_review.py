import logging

import pytest
from django.test import Client
from django.urls import reverse

from cmm.audit.models import AuditEvent
from tests.factories import case_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(hanne, tove, karin):
    return case_in("interviewing", hotline=hanne, supervisor=tove, contact=karin)


def test_supervisors_see_who_has_accessed_a_person(case, login, tove, karin):
    login(karin).get(reverse("cases:detail", args=[case.pk]))
    response = login(tove).get(reverse("audit:person", args=[case.pk]), {"action": "view"})
    viewers = {e.actor for e in response.context["page"].object_list}
    assert karin in viewers
    assert all(e.action == "view" for e in response.context["page"].object_list)


def test_a_users_activity_and_the_dpo_export(case, login, tove, karin):
    login(karin).post(reverse("search"), {"q": case.reference})
    activity = login(tove).get(reverse("audit:user", args=[karin.pk]))
    assert "search" in {e.action for e in activity.context["page"].object_list}
    export = login(tove).get(reverse("audit:export"), {"user": karin.pk})
    assert export["Content-Disposition"] == 'attachment; filename="audit-log.csv"'
    assert case.reference in export.content.decode()
    assert AuditEvent.objects.filter(
        action="export", actor=tove, changes__file="audit-log.csv"
    ).exists()


@pytest.mark.parametrize("name", ["karin", "hanne", "stig", "anna"])
def test_only_supervisors_review_the_audit_trail(request, case, login, name):
    client = login(request.getfixturevalue(name))
    assert client.get(reverse("audit:user", args=[case.contact_person_id])).status_code == 403
    assert client.get(reverse("audit:export")).status_code == 403


def test_five_failed_logins_lock_the_account_for_everyone(karin):
    url = reverse("login")
    for _ in range(5):
        Client().post(url, {"username": "karin", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    response = Client().post(
        url, {"username": "karin", "password": "test-password-123"}, REMOTE_ADDR="10.0.0.2"
    )
    assert response.status_code == 429
    assert (
        "Too many failed logins" in response.content.decode()
        or "For mange" in response.content.decode()
    )
    failed = AuditEvent.objects.filter(action="login_failed")
    assert failed.count() >= 5
    assert all(e.changes["username"] == "karin" and "password" not in e.changes for e in failed)


def test_five_failed_logins_from_one_address_lock_that_address(karin, kasper):
    url = reverse("login")
    for name in ["a", "b", "c", "d", "e"]:
        Client().post(url, {"username": name, "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    response = Client().post(
        url, {"username": "karin", "password": "test-password-123"}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 429
    ok = Client().post(
        url, {"username": "kasper", "password": "test-password-123"}, REMOTE_ADDR="10.0.0.10"
    )
    assert ok.status_code == 302


def test_a_canary_typed_into_the_forms_never_reaches_the_logs(case, login, karin, hanne, caplog):
    canary = "Kanariefugl-7f3a9"
    caplog.set_level(logging.DEBUG)
    login(hanne).post(
        reverse("referrals:create"),
        {
            "summary": canary,
            "persons-TOTAL_FORMS": "1",
            "persons-INITIAL_FORMS": "0",
            "persons-0-alias": canary,
        },
    )
    client = login(karin)
    client.post(reverse("cases:note_add", args=[case.pk]), {"text": canary})
    client.post(reverse("search"), {"q": canary})
    Client().post(reverse("login"), {"username": canary, "password": canary})
    assert canary not in caplog.text
