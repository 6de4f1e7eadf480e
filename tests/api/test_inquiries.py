"""Referrals and their status through the API: the hotline's service, one error format."""

import pytest
from django.core.cache import caches
from django.test import override_settings

from cases.queues import BY_SLUG, queue_records
from cmm.audit.models import AuditEvent
from referrals.models import Inquiry
from referrals.selectors import inquiry_list
from tests.api.conftest import Caller, make_client, referral
from tests.factories import make_inquiry

pytestmark = pytest.mark.django_db

SUBMIT = "/api/v1/inquiries/"


def test_a_referral_becomes_an_untriaged_inquiry_like_a_typed_one(police, hanne):
    caller, client = police
    response = caller.post(SUBMIT, referral())
    assert response.status_code == 201
    assert response.json() == {"reference": response.json()["reference"]}
    inquiry = Inquiry.objects.get(reference=response.json()["reference"])
    assert (inquiry.channel, inquiry.caller_type) == ("api", "police")
    assert inquiry.caller_organisation == "Politiet Nordjylland"
    assert inquiry.state == "received"
    person = inquiry.persons.get()
    assert (person.alias, person.age, person.nationality) == ("Testperson Alfa", 24, "RO")
    assert person.interpreter_needed is True
    # On the hotline's list of open inquiries, as a typed one; not in the urgent queue.
    assert list(inquiry_list("open")) == [inquiry]
    assert inquiry not in queue_records(BY_SLUG["urgent-inquiries"], hanne)
    # The audit event names the client, in the same transaction as the inquiry.
    event = AuditEvent.objects.get(object_ref=inquiry.reference, action="create")
    assert event.client == client.reference
    assert event.actor == client.account


def test_an_urgent_referral_is_in_the_urgent_queue_first(police, hanne):
    caller, _client = police
    caller.post(SUBMIT, referral())
    response = caller.post(SUBMIT, referral(urgency="custody"))
    inquiry = Inquiry.objects.get(reference=response.json()["reference"])
    assert inquiry in queue_records(BY_SLUG["urgent-inquiries"], hanne)
    assert inquiry_list("open").first() == inquiry


def test_a_retry_with_the_same_key_returns_the_first_answer_and_creates_nothing(police):
    caller, _client = police
    first = caller.post(SUBMIT, referral(), idempotency_key="ref-1")
    again = caller.post(SUBMIT, referral(), idempotency_key="ref-1")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Inquiry.objects.count() == 1
    other = caller.post(SUBMIT, referral(summary="Noget andet."), idempotency_key="ref-1")
    assert other.status_code == 422
    assert other.json()["errors"][0]["code"] == "idempotency_key_reused"
    assert Inquiry.objects.count() == 1


def test_keys_are_per_client(police, anna):
    caller, _client = police
    _other, key = make_client(anna, name="Kommune", scopes=["inquiries:submit"])
    caller.post(SUBMIT, referral(), idempotency_key="same")
    assert Caller(key).post(SUBMIT, referral(), idempotency_key="same").status_code == 201
    assert Inquiry.objects.count() == 2


def test_a_post_without_an_idempotency_key_is_refused(police):
    caller, _client = police
    response = caller.post(SUBMIT, referral(), idempotency_key=None)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert not Inquiry.objects.exists()


def test_bad_input_gives_every_fields_error_and_saves_nothing(police):
    caller, _client = police
    body = referral(summary="", urgency="police_action", colour="blå")
    body["persons"][0] |= {"age": 130, "gender": "x", "alias": ""}
    response = caller.post(SUBMIT, body)
    assert response.status_code == 400
    errors = {(e["field"], e["code"]) for e in response.json()["errors"]}
    assert errors >= {
        ("summary", "blank"),
        ("persons.0.age", "max_value"),
        ("persons.0.gender", "invalid_choice"),
        ("persons.0.alias", "blank"),
        ("colour", "unknown_field"),
    }
    assert not Inquiry.objects.exists()


def test_messages_are_danish_and_english_on_request(police):
    caller, _client = police
    danish = caller.post(SUBMIT, referral(summary="", surplus=1))
    english = caller.post(SUBMIT, referral(summary="", surplus=1), **{"Accept-Language": "en"})
    da = {e["field"]: e["message"] for e in danish.json()["errors"]}
    en = {e["field"]: e["message"] for e in english.json()["errors"]}
    assert da["summary"] == "Dette felt må ikke være tomt."
    assert en["summary"] == "This field may not be blank."
    assert da["surplus"] == "Ukendt felt."
    assert en["surplus"] == "Unknown field."
    assert danish["Content-Language"] == "da" and english["Content-Language"] == "en"


def test_the_police_action_needs_its_date_as_on_the_form(police):
    caller, _client = police
    response = caller.post(SUBMIT, referral(urgency="police_action"))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "urgent_on"
    ok = caller.post(SUBMIT, referral(urgency="police_action", urgent_on="2026-12-24"))
    assert ok.status_code == 201


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("x" * (64 * 1024 + 1), "application/json", 413),
        ('{"subject": "advice"}', "text/plain", 415),
        ("<xml/>", "application/xml", 415),
        ("{not json", "application/json", 400),
        ("[1, 2]", "application/json", 400),
    ],
)
def test_malformed_requests_are_refused(police, body, content_type, status):
    caller, _client = police
    response = caller.post(SUBMIT, body, content_type=content_type)
    assert response.status_code == status
    assert response.json()["errors"][0]["code"]
    assert "not json" not in response.content.decode()
    assert not Inquiry.objects.exists()


def test_status_of_own_inquiry_has_nothing_personal(police, hanne):
    caller, client = police
    reference = caller.post(SUBMIT, referral()).json()["reference"]
    answer = caller.get(f"{SUBMIT}{reference}/")
    assert answer.status_code == 200
    assert answer.json() == {"reference": reference, "status": "received", "outcome": None}
    assert "Testperson" not in answer.content.decode()
    assert AuditEvent.objects.filter(action="view", client=client.reference).exists()


def test_another_clients_inquiry_is_not_found(police, anna, hanne):
    caller, _client = police
    _other, key = make_client(anna, name="NGO", scopes=["inquiries:status"], partner_type="ngo")
    reference = caller.post(SUBMIT, referral()).json()["reference"]
    typed = make_inquiry(hanne).reference
    for ref in (reference, typed, "I-2026-99999"):
        assert Caller(key).get(f"{SUBMIT}{ref}/").status_code == 404
    assert caller.get(f"{SUBMIT}{typed}/").status_code == 404


@override_settings(CMM_API_RATE="3/min")
def test_the_throttle_answers_429_with_retry_after(police):
    caches["api"].clear()
    caller, _client = police
    reference = caller.post(SUBMIT, referral()).json()["reference"]
    statuses = [caller.get(f"{SUBMIT}{reference}/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    refused = caller.get(f"{SUBMIT}{reference}/")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    caches["api"].clear()


def test_answers_kept_for_retries_are_forgotten_after_the_set_days(police):
    from datetime import timedelta

    import time_machine
    from django.conf import settings

    from api.models import IdempotentRequest
    from api.tasks import forget_idempotency_keys

    caller, _client = police
    caller.post(SUBMIT, referral(), idempotency_key="old")
    days = settings.CMM_API_IDEMPOTENCY_DAYS
    from django.utils import timezone

    with time_machine.travel(timezone.now() + timedelta(days=days - 1)):
        assert forget_idempotency_keys() == 0
    with time_machine.travel(timezone.now() + timedelta(days=days, minutes=1)):
        assert forget_idempotency_keys() == 1
    assert not IdempotentRequest.objects.exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/nothing/"),
        ("get", "/api/v1/statistics/abc/"),
        ("post", "/api/v1/inquiries"),  # without its trailing slash
        ("delete", "/api/v2/inquiries/"),
    ],
)
def test_an_unknown_url_under_the_api_answers_404_in_the_api_format(client, method, path):
    response = getattr(client, method)(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "errors": [{"field": None, "code": "not_found", "message": "Not found."}]
    }
