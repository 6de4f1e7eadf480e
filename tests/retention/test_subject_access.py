"""A supervisor produces a person's subject access file (GDPR art. 15):
retention/subject_access.py, docs/subject-access.md."""

import io
import json
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services as case_services
from cases.models import Case
from cmm.audit.models import AuditEvent
from retention import services as retention
from retention import subject_access
from retention.models import SubjectAccess
from tests.factories import case_in
from tests.retention.test_anonymisation_canary import (  # noqa: F401 (a fixture)
    CANARY,
    course_full_of_canaries,
)

pytestmark = pytest.mark.django_db
VALID = {"reason": "Personens brev af 3. marts", "identity_verified": "on"}


def url(case: Case) -> str:
    return reverse("cases:subject_access", args=[case.pk])


def download(client, case: Case) -> zipfile.ZipFile:
    response = client.post(url(case), {**VALID, "confirmed": "yes"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(response.content))


def contents(archive: zipfile.ZipFile) -> tuple[str, dict]:
    names = archive.namelist()
    html = next(n for n in names if n.endswith(".html"))
    data = next(n for n in names if n.endswith(".json"))
    return archive.read(html).decode(), json.loads(archive.read(data))


def test_the_file_holds_every_kind_of_record_and_the_trail(
    course_full_of_canaries,  # noqa: F811
    login,
    tove,
):
    case = course_full_of_canaries
    archive = download(login(tove), case)
    html, data = contents(archive)
    records = {s["model"]: s["records"] for s in data["sections"]}
    for model in (
        "cases.person",
        "cases.case",
        "cases.interview",
        "cases.assessment",
        "cases.reflectionperiod",
        "cases.placement",
        "cases.supportservice",
        "cases.policereport",
        "repatriation.preparedreturn",
        "repatriation.payment",
        "referrals.inquiry",
        "referrals.inquiryperson",
    ):
        assert records[model], f"{model} is missing from the file"
    assert records["cases.person"][0]["name"] == CANARY
    # A code of a code list reads with its label, as a choice does.
    inquiry = records["referrals.inquiry"][0]
    assert inquiry["caller_type"] == {"code": "police", "label": "Politi"}
    assert data["audit_trail"], "who read or changed it"
    assert any(e["by"] for e in data["audit_trail"])
    assert CANARY in html and "<script" not in html and "http" not in html.split("</style>")[0]
    assert "Hvem har læst eller ændret dine oplysninger" in html


def test_it_takes_a_reason_the_requesters_identity_and_a_second_confirmation(
    login, tove, hanne, karin
):
    case = case_in("in_support", hotline=hanne, supervisor=tove, contact=karin)
    client = login(tove)
    assert client.get(url(case)).status_code == 200
    missing = client.post(url(case), {"confirmed": "yes"})
    assert missing.status_code == 200 and "application/zip" not in missing["Content-Type"]
    page = missing.content.decode()
    assert "Angiv begrundelsen for at udlevere filen." in page
    assert "Filen må kun udleveres, når den anmodendes identitet er kontrolleret." in page
    confirm = client.post(url(case), VALID)
    assert "application/zip" not in confirm["Content-Type"]
    assert "Bekræft indsigtsfilen" in confirm.content.decode()
    assert not SubjectAccess.objects.exists(), "nothing before the second confirmation"
    download(client, case)
    produced = SubjectAccess.objects.get()
    assert (produced.produced_by, produced.case, produced.reason) == (tove, case, VALID["reason"])
    event = AuditEvent.objects.for_object(case.person).get(action="export")
    assert (event.actor, event.reason) == (tove, VALID["reason"])


def test_only_supervisors_may_produce_it(login, tove, hanne, karin, kasper):
    case = case_in("in_support", hotline=hanne, supervisor=tove, contact=karin)
    for user in (karin, hanne, kasper):
        client = login(user)
        assert client.get(url(case)).status_code == 404
        assert client.post(url(case), {**VALID, "confirmed": "yes"}).status_code == 404
    assert not SubjectAccess.objects.exists()


def test_a_hold_for_a_criminal_investigation_restricts_it_another_hold_does_not(
    login, tove, hanne, karin
):
    held = case_in("in_support", hotline=hanne, supervisor=tove, contact=karin)
    retention.legal_hold_set(
        actor=tove,
        case_id=held.pk,
        reason="Anklagemyndighedens sag",
        ground="criminal_investigation",
    )
    client = login(tove)
    page = client.get(url(held)).content.decode()
    assert "databeskyttelsesloven § 22" in page
    refused = client.post(url(held), {**VALID, "confirmed": "yes"})
    assert "application/zip" not in refused["Content-Type"]
    other = case_in("in_support", hotline=hanne, supervisor=tove, contact=karin)
    retention.legal_hold_set(actor=tove, case_id=other.pk, reason="Klagesag", ground="other")
    download(client, other)
    assert list(SubjectAccess.objects.values_list("case", flat=True)) == [other.pk]


def test_the_legal_hold_page_records_its_ground(login, tove, hanne, karin):
    case = case_in("in_support", hotline=hanne, supervisor=tove, contact=karin)
    login(tove).post(
        reverse("cases:legal_hold", args=[case.pk]),
        {"reason": "Politiets efterforskning", "ground": "criminal_investigation"},
    )
    case.refresh_from_db()
    assert (case.legal_hold, case.legal_hold_ground) == (True, "criminal_investigation")
    assert subject_access.refusal(case)


def test_an_anonymised_course_has_nothing_to_give(login, tove, hanne, karin):
    case = case_in("in_support", hotline=hanne, supervisor=tove, contact=karin)
    Case.objects.filter(pk=case.pk).update(anonymised_at="2026-01-01T00:00Z")
    response = login(tove).post(url(case), {**VALID, "confirmed": "yes"})
    assert "application/zip" not in response["Content-Type"]
    assert "anonymiseret" in response.content.decode()


def test_nothing_of_another_person_is_in_the_file(login, tove, hanne, karin):
    mine = case_in("in_support", hotline=hanne, supervisor=tove, contact=karin)
    theirs = case_in("in_support", hotline=hanne, supervisor=tove, contact=karin)
    case_services.note_add(actor=karin, case_id=theirs.pk, text="ANDEN-PERSONS-NOTE")
    html, data = contents(download(login(tove), mine))
    text = html + json.dumps(data, ensure_ascii=False)
    assert "ANDEN-PERSONS-NOTE" not in text and theirs.reference not in text
    assert mine.reference in text


def test_the_file_costs_the_same_queries_however_long_the_course(hanne, tove, karin):
    def queries(notes: int) -> int:
        case = case_in("in_support", hotline=hanne, supervisor=tove, contact=karin)
        for n in range(notes):
            case_services.note_add(actor=karin, case_id=case.pk, text=f"Note {n}")
        person = Case.objects.select_related("person").get(pk=case.pk).person
        with CaptureQueriesContext(connection) as captured:
            subject_access.document(person)
        return len(captured)

    assert queries(1) == queries(25)
