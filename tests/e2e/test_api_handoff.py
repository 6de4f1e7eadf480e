"""The whole hand-off through real HTTP against the running application: the police's
system refers a person (and retries), the hotline triages and refers in the browser, the
contact person interviews and sends the report to the Immigration Service, whose system
posts the decision; the case shows it with the offer as the next step, and the police's
status call says "referred" and nothing about anyone."""

import json
import urllib.error
import urllib.request

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import Case
from referrals.models import Inquiry
from tests.api.conftest import make_client, referral

pytestmark = pytest.mark.django_db(transaction=True)


def _http(base: str, method: str, path: str, key: str, body=None, idempotency_key=None):
    request = urllib.request.Request(f"{base}{path}", method=method)
    request.add_header("Authorization", f"Bearer {key}")
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
        request.add_header("Idempotency-Key", idempotency_key)
    try:
        with urllib.request.urlopen(request, data, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_referral_to_decision_through_the_api(open_as, live_server, anna, hanne, tove, karin):
    base = live_server.url
    _police, police_key = make_client(
        anna, name="Politiet Sydjylland", scopes=["inquiries:submit", "inquiries:status"]
    )
    _us, us_key = make_client(
        anna,
        name="Udlændingestyrelsen",
        scopes=["decisions:submit"],
        partner_type="immigration_service",
        authority="immigration_service",
    )

    # The police's system sends, loses the answer, and sends again with the same key.
    body = referral()
    status, first = _http(base, "POST", "/api/v1/inquiries/", police_key, body, "razzia-17")
    assert status == 201
    status, again = _http(base, "POST", "/api/v1/inquiries/", police_key, body, "razzia-17")
    assert (status, again) == (201, first)
    assert Inquiry.objects.count() == 1
    inquiry = Inquiry.objects.get(reference=first["reference"])

    # The hotline triages and refers it in the browser.
    desk = open_as(hanne)
    desk.get_by_role("link", name=inquiry.reference).click()
    desk.get_by_role("link", name="Visitér").click()
    desk.get_by_role("button", name="Bekræft").click()
    desk.get_by_role("link", name="Henvis til udredning").click()
    desk.get_by_role("button", name="Bekræft").click()
    desk.get_by_text("Henvist til udredning").first.wait_for()

    case = Case.objects.get(person__cases__isnull=False, inquiry_persons__inquiry=inquiry)
    case_services.case_assign(
        actor=tove, case_id=case.pk, version=case.version, contact_person=karin
    )
    case.refresh_from_db()
    case_services.person_update(
        actor=karin,
        case_id=case.pk,
        version=case.version,
        data={"residence_status": "no_legal_residence"},
    )

    # The contact person interviews and sends the report to the Immigration Service.
    me = open_as(karin)
    me.goto(f"{base}/cases/{case.pk}/")
    me.get_by_role("link", name="Registrér en samtale").click()
    held = timezone.localtime() - timezone.timedelta(hours=3)
    me.fill("#id_held_at", held.strftime("%Y-%m-%dT%H:%M"))
    me.fill("#id_place", "Arresten")
    me.select_option("#id_recommendation", "trafficked")
    me.get_by_role("button", name="Gem").click()
    me.get_by_text("Samtalen er registreret").wait_for()
    me.get_by_role("link", name="Send til vurdering").click()
    assert me.input_value("#id_authority") == "immigration_service"
    me.fill("#id_sent_on", (timezone.localdate() - timezone.timedelta(days=2)).isoformat())
    me.get_by_role("button", name="Gem").click()
    me.get_by_text("2 dage indtil nu").wait_for()

    # The Immigration Service's system posts its decision.
    decision = {
        "case_reference": case.reference,
        "outcome": "trafficked",
        "decided_on": timezone.localdate().isoformat(),
        "exploitation_form": "forced_labour",
    }
    status, answer = _http(base, "POST", "/api/v1/decisions/", us_key, decision, "us-0001")
    assert status == 201, answer

    # The case shows it, marked, and the offer of support is the next step.
    me.reload()
    me.get_by_text("modtaget via API fra Udlændingestyrelsen").wait_for()
    me.get_by_role("link", name="Svar på tilbud om støtte").wait_for()
    assert Case.objects.get(pk=case.pk).state == "assessed_trafficked"

    # The police see "referred", and nothing of the person or the case.
    status, seen = _http(base, "GET", f"/api/v1/inquiries/{inquiry.reference}/", police_key)
    assert (status, seen) == (
        200,
        {"reference": inquiry.reference, "status": "referred", "outcome": None},
    )
