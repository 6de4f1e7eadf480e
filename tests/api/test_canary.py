"""A canary sent through every field of the API (accepted or refused) is in no log line,
error mail or report: the request logs name the path and the status, never a body."""

import uuid

import pytest
from django.utils import timezone

from api.serializers import DecisionSubmitSerializer, InquirySubmitSerializer, PersonSerializer
from referrals.models import Inquiry
from tests.api.conftest import Caller, referral
from tests.audit.test_canary_every_form import technical_output  # noqa: F401 (a fixture)
from tests.factories import case_in

pytestmark = pytest.mark.django_db


def _canary() -> str:
    return f"CANARY-{uuid.uuid4().hex[:12]}"


INQUIRY_FIELDS = [f for f in InquirySubmitSerializer().fields if f != "persons"]
PERSON_FIELDS = list(PersonSerializer().fields)
DECISION_FIELDS = list(DecisionSubmitSerializer().fields)


@pytest.mark.parametrize("field", INQUIRY_FIELDS)
def test_inquiry_fields(police, technical_output, field):  # noqa: F811
    caller, _client = police
    canary = _canary()
    response = caller.post("/api/v1/inquiries/", referral(**{field: canary}))
    assert response.status_code in (201, 400)
    assert canary not in technical_output()


@pytest.mark.parametrize("field", PERSON_FIELDS)
def test_person_fields(police, technical_output, field):  # noqa: F811
    caller, _client = police
    canary = _canary()
    body = referral()
    body["persons"][0][field] = canary
    response = caller.post("/api/v1/inquiries/", body)
    assert response.status_code in (201, 400)
    assert canary not in technical_output()


def test_everything_accepted_at_once_and_refused_at_once(police, technical_output):  # noqa: F811
    caller, _client = police
    canary = _canary()
    body = referral(summary=canary, caller_contact=canary)
    body["persons"][0] |= {"alias": canary, "language": canary, "whereabouts": canary}
    assert caller.post("/api/v1/inquiries/", body).status_code == 201
    assert Inquiry.objects.filter(summary=canary).exists()
    # Refused: a bad age beside the canary, an unknown field named by it, a body too big.
    body["persons"][0]["age"] = 999
    body[canary] = canary
    assert caller.post("/api/v1/inquiries/", body).status_code == 400
    assert caller.post("/api/v1/inquiries/", canary * 6000).status_code == 413
    assert caller.post("/api/v1/inquiries/", "{" + canary).status_code == 400
    assert caller.post("/api/v1/inquiries/", referral(), idempotency_key=canary).status_code == 201
    assert caller.post("/api/v1/inquiries/", body, idempotency_key=canary).status_code == 422
    assert Caller(f"{canary}.{canary}").get("/api/v1/statistics/2025/").status_code == 401
    assert canary not in technical_output()


@pytest.mark.parametrize("field", DECISION_FIELDS)
def test_decision_fields(immigration, hanne, tove, karin, technical_output, field):  # noqa: F811
    case = case_in(
        "report_sent_to_immigration_service", hotline=hanne, supervisor=tove, contact=karin
    )
    caller, _client = immigration
    canary = _canary()
    body = {
        "case_reference": case.reference,
        "outcome": "trafficked",
        "decided_on": timezone.localdate().isoformat(),
        "exploitation_form": "sexual",
    }
    body[field] = canary
    assert caller.post("/api/v1/decisions/", body).status_code in (400, 404)
    assert canary not in technical_output()
