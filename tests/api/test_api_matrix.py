"""Every endpoint × every scope × own and foreign records; and every endpoint with a staff
session (verified, both factors) and with no credentials. A key opens no page.

A client holds one scope here (and one holds all). "Own" is an inquiry the client submitted,
or a case sent to its authority; "foreign" is another client's inquiry, or a case sent to
CMM's own assessment.
"""

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from referrals.models import Inquiry
from tests.api.conftest import ALL_SCOPES, Caller, make_client, referral
from tests.factories import case_in, make_inquiry

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year
ENDPOINTS = ["submit", "status:own", "status:foreign", "decide:own", "decide:foreign", "stats"]
# The scope each endpoint needs, and the answer with it for own and foreign records.
NEEDS = {
    "submit": ("inquiries:submit", 201),
    "status:own": ("inquiries:status", 200),
    "status:foreign": ("inquiries:status", 404),
    "decide:own": ("decisions:submit", 201),
    "decide:foreign": ("decisions:submit", 409),
    "stats": ("statistics:read", 200),
}


@pytest.fixture
def records(hanne, tove, karin):
    def inquiry_of(account) -> Inquiry:
        inquiry = make_inquiry(hanne)
        Inquiry.objects.filter(pk=inquiry.pk).update(created_by=account)
        return inquiry

    def case(to_us: bool) -> Case:
        return case_in(
            "report_sent_to_immigration_service" if to_us else "awaiting_cmm_assessment",
            hotline=hanne,
            supervisor=tove,
            contact=karin,
            residence="no_legal_residence" if to_us else "legal_residence",
        )

    return inquiry_of, case


def _call(caller: Caller, endpoint: str, client, records, other_account):
    inquiry_of, case = records
    if endpoint == "submit":
        return caller.post("/api/v1/inquiries/", referral())
    if endpoint.startswith("status"):
        mine = client is not None and endpoint.endswith("own")
        owner = client.account if mine else other_account
        return caller.get(f"/api/v1/inquiries/{inquiry_of(owner).reference}/")
    if endpoint.startswith("decide"):
        target = case(to_us=endpoint.endswith("own"))
        body = {
            "case_reference": target.reference,
            "outcome": "trafficked",
            "decided_on": timezone.localdate().isoformat(),
        }
        return caller.post("/api/v1/decisions/", body)
    return caller.get(f"/api/v1/statistics/{YEAR}/")


@pytest.mark.parametrize("scopes", [[s] for s in ALL_SCOPES] + [ALL_SCOPES], ids=str)
def test_every_endpoint_for_every_scope(anna, records, scopes):
    with transaction.atomic():
        client, key = make_client(
            anna,
            name=f"Klient {'+'.join(scopes)}",
            scopes=scopes,
            partner_type="immigration_service",
            authority="immigration_service" if "decisions:submit" in scopes else "",
        )
        other, _key = make_client(anna, name="Anden klient", scopes=["inquiries:status"])
    caller = Caller(key)
    for endpoint in ENDPOINTS:
        scope, allowed = NEEDS[endpoint]
        expected = allowed if scope in scopes else 403
        response = _call(caller, endpoint, client, records, other.account)
        assert response.status_code == expected, f"{scopes} {endpoint}: {response.content}"
        body = response.content.decode()
        # Nothing of a person anywhere; a case reference only where the partner sent it.
        assert "Testperson" not in body, endpoint
        assert endpoint.startswith("decide") or f"C-{YEAR}" not in body, endpoint


@pytest.mark.parametrize("role", ["hanne", "tove", "karin", "stig", "anna"])
def test_a_staff_session_does_not_open_the_api(request, login, records, role):
    http = login(request.getfixturevalue(role))
    caller = Caller(None, http)
    for endpoint in ENDPOINTS:
        response = _call(caller, endpoint, None, records, request.getfixturevalue("hanne"))
        assert response.status_code == 401, f"{role} {endpoint}"


def test_no_credentials_open_nothing(records, hanne):
    for endpoint in ENDPOINTS:
        assert _call(Caller(None), endpoint, None, records, hanne).status_code == 401


def test_a_key_opens_no_page(anna):
    _client, key = make_client(anna, name="Alt", scopes=ALL_SCOPES, authority="immigration_service")
    for name in ("home", "referrals:list", "cases:mine", "statistics", "api_clients:list"):
        response = Caller(key).get(reverse(name))
        assert response.status_code == 302 and "/login/" in response["Location"], name
