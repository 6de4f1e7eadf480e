"""API clients: keys shown once and stored hashed, rotation, revocation, expiry, the
administrators' pages and the command; every change audited."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from api.models import ApiClient, ApiKey
from cmm.audit.models import AuditEvent
from tests.api.conftest import Caller, make_client, referral

pytestmark = pytest.mark.django_db
STATISTICS = f"/api/v1/statistics/{timezone.localdate().year}/"


def test_only_the_keys_hash_is_stored(anna):
    client, key = make_client(anna, name="Politiet", scopes=["statistics:read"])
    row = ApiKey.objects.get(client=client)
    assert key.startswith(row.prefix + ".")
    assert key.split(".", 1)[1] not in row.hashed_key
    assert row.hashed_key.startswith("sha512$$")
    assert Caller(key).get(STATISTICS).status_code == 200


def test_rotating_stops_the_old_key_at_once(anna):
    client, old = make_client(anna, name="Politiet", scopes=["statistics:read"])
    call_command("api_client", "rotate", client.reference, stdout=(out := _Out()))
    new = out.key()
    assert Caller(old).get(STATISTICS).status_code == 401
    assert Caller(new).get(STATISTICS).status_code == 200
    assert AuditEvent.objects.filter(object_ref=client.reference, action="update").exists()


def test_a_revoked_or_expired_client_is_refused_like_a_wrong_key(anna):
    revoked, key = make_client(anna, name="Gammel", scopes=["statistics:read"])
    expiring, key2 = make_client(anna, name="Udløber", scopes=["statistics:read"], days=1)
    call_command("api_client", "revoke", revoked.reference, "--reason", "Lækket", stdout=_Out())
    answers = [
        Caller(key).get(STATISTICS),
        Caller("abc.def").get(STATISTICS),
        Caller(None).get(STATISTICS),
        Caller("not-a-key").get(STATISTICS),
    ]
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        answers.append(Caller(key2).get(STATISTICS))
    assert {a.status_code for a in answers} == {401}
    assert len({a.content for a in answers}) == 1, "the answer hints at which keys exist"
    assert answers[0]["WWW-Authenticate"].startswith("Bearer")
    assert expiring.pk


def test_the_command_creates_a_client_and_prints_its_key_once(db):
    out = _Out()
    call_command(
        "api_client",
        "create",
        "--name",
        "Kommune X",
        "--partner-type",
        "municipality",
        "--contact",
        "sagsbehandler@example.invalid",
        "--scope",
        "inquiries:submit",
        stdout=out,
    )
    client = ApiClient.objects.get(name="Kommune X")
    assert not client.account.is_active
    assert not client.account.has_usable_password()
    assert Caller(out.key()).post("/api/v1/inquiries/", referral()).status_code == 201
    event = AuditEvent.objects.get(object_ref=client.reference, action="create")
    assert out.key() not in str(event.changes)


def test_the_administrator_manages_clients_on_the_page(anna, login):
    http = login(anna)
    assert http.get(reverse("api_clients:list")).status_code == 200
    response = http.post(
        reverse("api_clients:create"),
        {
            "name": "Udlændingestyrelsen",
            "partner_type": "immigration_service",
            "authority": "immigration_service",
            "contact": "it@example.invalid",
            "scopes": ["decisions:submit", "statistics:read"],
            "expires_on": (timezone.localdate() + timedelta(days=100)).isoformat(),
        },
    )
    assert response.status_code == 200
    key = response.context["key"]
    client = ApiClient.objects.get(name="Udlændingestyrelsen")
    assert key in response.content.decode()
    assert (
        response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    )
    # The list shows the client, never its key; after a call, its last use.
    Caller(key).get(STATISTICS)
    listing = http.get(reverse("api_clients:list")).content.decode()
    assert "Udlændingestyrelsen" in listing and key not in listing
    assert ApiClient.objects.get(pk=client.pk).last_used_at is not None
    # A new key needs the confirmation; then the old one is refused.
    assert http.post(reverse("api_clients:rotate", args=[client.pk]), {}).status_code == 200
    rotated = http.post(reverse("api_clients:rotate", args=[client.pk]), {"understood": "on"})
    assert Caller(key).get(STATISTICS).status_code == 401
    assert Caller(rotated.context["key"]).get(STATISTICS).status_code == 200
    # Revoking needs the name typed.
    url = reverse("api_clients:revoke", args=[client.pk])
    assert http.post(url, {"reason": "Udfaset", "name": "forkert"}).status_code == 200
    assert ApiClient.objects.get(pk=client.pk).revoked_at is None
    assert http.post(url, {"reason": "Udfaset", "name": "Udlændingestyrelsen"}).status_code == 302
    assert Caller(rotated.context["key"]).get(STATISTICS).status_code == 401
    actions = AuditEvent.objects.filter(object_ref=client.reference, actor=anna)
    assert actions.count() == 3


def test_the_form_refuses_decisions_without_an_authority(anna, login):
    response = login(anna).post(
        reverse("api_clients:create"),
        {
            "name": "X",
            "partner_type": "police",
            "contact": "x",
            "scopes": ["decisions:submit"],
            "expires_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        },
    )
    assert set(response.context["form"].errors) == {"authority", "expires_on"}
    assert not ApiClient.objects.exists()


@pytest.mark.parametrize("role", ["hanne", "karin", "tove", "stig"])
def test_other_roles_do_not_manage_clients(request, login, role):
    http = login(request.getfixturevalue(role))
    assert http.get(reverse("api_clients:list")).status_code == 403
    assert http.post(reverse("api_clients:create"), {}).status_code == 403


class _Out:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass

    def key(self) -> str:
        return self.text.split("store it now): ", 1)[1].split()[0]
