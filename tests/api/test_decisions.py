"""Decisions from the deciding authority through the API: the contact person's service."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case
from cmm.audit.models import AuditEvent
from tests.api.conftest import Caller, make_client
from tests.factories import case_in

pytestmark = pytest.mark.django_db

DECISIONS = "/api/v1/decisions/"


@pytest.fixture
def sent_to_us(hanne, tove, karin):
    return case_in(
        "report_sent_to_immigration_service", hotline=hanne, supervisor=tove, contact=karin
    )


def decision(case, **overrides) -> dict:
    body = {
        "case_reference": case.reference,
        "outcome": "trafficked",
        "decided_on": timezone.localdate().isoformat(),
        "exploitation_form": "forced_labour",
    }
    body.update(overrides)
    return body


def test_a_decision_is_recorded_as_the_contact_persons_would_be(
    immigration, sent_to_us, login, karin
):
    caller, client = immigration
    response = caller.post(DECISIONS, decision(sent_to_us))
    assert response.status_code == 201
    assert response.json() == {"case_reference": sent_to_us.reference, "outcome": "trafficked"}
    case = Case.objects.get(pk=sent_to_us.pk)
    assert case.state == "assessed_trafficked"
    assessment = case.assessment
    assert assessment.authority == "immigration_service"
    assert assessment.exploitation_form == "forced_labour"
    assert assessment.received_via == "Udlændingestyrelsen"
    assert assessment.decision_received_on == timezone.localdate()
    transition = AuditEvent.objects.get(object_ref=case.reference, transition="record_assessment")
    assert transition.client == client.reference
    # The contact person sees it on the case, marked, with the offer as the next step.
    http = login(karin)
    page = http.get(f"/cases/{case.pk}/").content.decode()
    assert "modtaget via API fra Udlændingestyrelsen" in page
    assert "afgørelse via API" in http.get("/cases/mine/").content.decode()


def test_a_decided_case_is_refused_with_409(immigration, sent_to_us):
    caller, _client = immigration
    assert caller.post(DECISIONS, decision(sent_to_us)).status_code == 201
    again = caller.post(DECISIONS, decision(sent_to_us, outcome="not_trafficked"))
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "conflict"
    assert Case.objects.get(pk=sent_to_us.pk).assessment.outcome == "trafficked"


def test_another_authority_is_refused_with_409(anna, sent_to_us):
    _court, key = make_client(
        anna,
        name="Retten i Aalborg",
        scopes=["decisions:submit"],
        partner_type="other",
        authority="court",
    )
    response = Caller(key).post(DECISIONS, decision(sent_to_us))
    assert response.status_code == 409
    assert Case.objects.get(pk=sent_to_us.pk).state == "report_sent_to_immigration_service"


@pytest.mark.parametrize("state", ["interviewing", "awaiting_cmm_assessment"])
def test_a_case_not_awaiting_this_authority_is_refused_with_409(
    immigration, hanne, tove, karin, state
):
    residence = "legal_residence" if state == "awaiting_cmm_assessment" else "no_legal_residence"
    case = case_in(state, hotline=hanne, supervisor=tove, contact=karin, residence=residence)
    caller, _client = immigration
    response = caller.post(DECISIONS, decision(case))
    assert response.status_code == 409
    assert Case.objects.get(pk=case.pk).state == state


def test_unknown_case_is_404_and_bad_input_400(immigration, sent_to_us):
    caller, _client = immigration
    assert (
        caller.post(DECISIONS, decision(sent_to_us, case_reference="C-1999-1")).status_code == 404
    )
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    bad = caller.post(DECISIONS, decision(sent_to_us, decided_on=tomorrow, outcome="maybe"))
    assert bad.status_code == 400
    fields = {e["field"] for e in bad.json()["errors"]}
    assert fields == {"decided_on", "outcome"}
    assert Case.objects.get(pk=sent_to_us.pk).state == "report_sent_to_immigration_service"


def test_a_decision_before_the_report_was_sent_is_refused(immigration, sent_to_us):
    caller, _client = immigration
    early = (sent_to_us.report_sent_on - timedelta(days=1)).isoformat()
    response = caller.post(DECISIONS, decision(sent_to_us, decided_on=early))
    assert response.status_code == 409
    assert "før" in response.json()["errors"][0]["message"]


def test_a_retried_decision_is_recorded_once(immigration, sent_to_us):
    caller, _client = immigration
    first = caller.post(DECISIONS, decision(sent_to_us), idempotency_key="d-1")
    again = caller.post(DECISIONS, decision(sent_to_us), idempotency_key="d-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert AuditEvent.objects.filter(transition="record_assessment").count() == 1
