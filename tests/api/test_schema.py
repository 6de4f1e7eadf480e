"""The OpenAPI schema is valid and describes every endpoint and every error it answers."""

import json

import pytest
from django.test import Client
from openapi_spec_validator import validate

from cmm.core.codes import ExploitationForm
from referrals.models import Subject

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("/api/v1/inquiries/", "post"): {"201", "400", "401", "403", "413", "415", "422", "429"},
    ("/api/v1/inquiries/{reference}/", "get"): {"200", "401", "403", "404", "429"},
    ("/api/v1/decisions/", "post"): {
        "201",
        "400",
        "401",
        "403",
        "404",
        "409",
        "413",
        "415",
        "422",
        "429",
    },
    ("/api/v1/statistics/{year}/", "get"): {"200", "401", "403", "404", "429"},
}


@pytest.fixture
def schema() -> dict:
    response = Client().get("/api/v1/schema/")
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_schema_is_valid_openapi(schema):
    validate(schema)


def test_every_endpoint_and_error_answer_is_in_the_schema(schema):
    found = {
        (path, method): set(op["responses"])
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
    }
    assert found == OPERATIONS
    for path, method in OPERATIONS:
        op = schema["paths"][path][method]
        assert op["security"] == [{"ApiKey": []}]
        if method == "post":
            assert any(p["name"] == "Idempotency-Key" and p["required"] for p in op["parameters"])
            body = op["requestBody"]["content"]
            assert list(body) == ["application/json"]


def test_the_schema_lists_the_code_lists(schema):
    components = schema["components"]["schemas"]
    subject = components["InquirySubmitRequest"]["properties"]["subject"]
    assert subject == {"$ref": "#/components/schemas/SubjectEnum"}
    assert components["SubjectEnum"]["enum"] == Subject.values
    assert components["ExploitationFormEnum"]["enum"] == ExploitationForm.values


def test_the_docs_page_shows_every_endpoint():
    page = Client().get("/api/v1/docs/").content.decode()
    for path, method in OPERATIONS:
        assert f"{method.upper()} {path}" in page
    assert "Idempotency-Key" in page and "persons" in page
