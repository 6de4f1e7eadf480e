"""API clients for the tests: made through the real service, with their keys."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from api import clients

ALL_SCOPES = ["inquiries:submit", "inquiries:status", "decisions:submit", "statistics:read"]


def make_client(
    actor=None,
    *,
    name: str,
    scopes: list[str],
    partner_type: str = "police",
    authority: str = "",
    days: int = 365,
):
    client, key = clients.client_create(
        actor=actor,
        name=name,
        partner_type=partner_type,
        contact="Vagtchef, tlf. 11 22 33 44",
        scopes=scopes,
        expires_on=timezone.localdate() + timedelta(days=days),
        authority=authority,
    )
    return client, key


class Caller:
    """A partner's system calling the API with its key, as real HTTP would."""

    def __init__(self, key: str | None, http: Client | None = None) -> None:
        self.key = key
        self.http = http or Client()
        self.counter = 0

    def headers(self, **extra) -> dict:
        headers = {"HTTP_ACCEPT": "application/json"}
        if self.key is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self.key}"
        for name, value in extra.items():
            headers["HTTP_" + name.upper().replace("-", "_")] = value
        return headers

    def get(self, path: str, **extra):
        return self.http.get(path, **self.headers(**extra))

    def post(self, path: str, body, *, idempotency_key: str | None = "auto", **extra):
        if idempotency_key == "auto":
            self.counter += 1
            idempotency_key = f"test-{id(self)}-{self.counter}"
        if idempotency_key is not None:
            extra["Idempotency-Key"] = idempotency_key
        raw = body if isinstance(body, bytes | str) else json.dumps(body)
        content_type = extra.pop("content_type", "application/json")
        return self.http.generic(
            "POST", path, raw, content_type=content_type, **self.headers(**extra)
        )


@pytest.fixture
def police(db, anna):
    client, key = make_client(
        anna, name="Politiet Nordjylland", scopes=["inquiries:submit", "inquiries:status"]
    )
    return Caller(key), client


@pytest.fixture
def immigration(db, anna):
    client, key = make_client(
        anna,
        name="Udlændingestyrelsen",
        scopes=["decisions:submit"],
        partner_type="immigration_service",
        authority="immigration_service",
    )
    return Caller(key), client


def referral(**overrides) -> dict:
    body = {
        "subject": "possible_victim",
        "urgency": "none",
        "summary": "Anholdt i forbindelse med razzia; mulig tvangsarbejde.",
        "caller_contact": "Vagthavende, 11 22 33 44",
        "persons": [
            {
                "alias": "Testperson Alfa",
                "gender": "woman",
                "age": 24,
                "age_is_estimate": True,
                "nationality": "RO",
                "language": "rumænsk",
                "interpreter_needed": True,
                "whereabouts": "Arresten i Aalborg",
                "suspected_exploitation": "forced_labour",
            }
        ],
    }
    body.update(overrides)
    return body
