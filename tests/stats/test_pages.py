import pytest
from django.core.management import call_command
from django.urls import reverse

from cases.models import Case, Person
from cmm.audit.models import AuditEvent
from stats.counting import statistics_for
from stats.exports import TABLE_TITLES, tables
from tests.stats import reference

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(tmp_path):
    call_command(
        "import_cases",
        str(reference.write(tmp_path / "r.jsonl", reference.build(reference.load()))),
    )


def test_the_statistics_role_sees_the_figures_and_no_person(records, login, stig):
    response = login(stig).get(reverse("statistics"), {"year": "2021"})
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["stats"]["assessed"]["total"] == 80
    for person in Person.objects.all()[:50]:
        assert person.name not in html
    for case in Case.objects.all()[:50]:
        assert case.reference not in html
    assert "/cases/" not in html


def test_the_page_names_every_category_in_danish_and_keeps_the_files_codes(records, login, stig):
    response = login(stig).get(reverse("statistics"), {"year": "2021"})
    html = response.content.decode()
    unnamed = [
        (table, code)
        for _title, table, rows in response.context["tables"]
        for code, name, _n in rows
        if name == code
    ]
    assert unnamed == []
    assert '<th scope="row">Kvinde</th>' in html
    assert '<th scope="row">Nigeria</th>' in html
    # The code beside each name is the one the downloaded files use.
    assert "<code>woman</code>" in html


def test_every_download_is_audited(records, login, stig):
    client = login(stig)
    for fmt in ("json", "xlsx", "csv-assessed_by_gender"):
        response = client.get(reverse("statistics_download", args=[2021, fmt]))
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
    files = [
        e.changes["file"]
        for e in AuditEvent.objects.filter(action="export", actor=stig).order_by("id")
    ]
    assert files == [
        "statistics-2021.json",
        "statistics-2021.xlsx",
        "statistics-2021-assessed_by_gender.csv",
    ]
    assert client.get(reverse("statistics_download", args=[2021, "nonsense"])).status_code == 404


@pytest.mark.parametrize("role", ["hanne", "karin", "anna"])
def test_other_roles_see_no_statistics(request, login, role):
    user = request.getfixturevalue(role)
    assert login(user).get(reverse("statistics")).status_code == 403
    assert login(user).get(reverse("statistics_download", args=[2021, "json"])).status_code == 403


def test_the_statistics_role_is_refused_every_case_and_inquiry_page(records, login, stig):
    case = Case.objects.first()
    client = login(stig)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("cases:queues")).status_code == 403
    assert client.get(reverse("referrals:list")).status_code == 403
    assert client.post(reverse("search"), {"q": case.reference}).status_code == 403


def test_every_table_has_a_title_and_a_csv_download(records, login, stig):
    assert set(tables(statistics_for(2021))) == set(TABLE_TITLES)
    response = login(stig).get(reverse("statistics_download", args=[2021, "csv-summary"]))
    assert response.status_code == 200
    assert response.content.decode().startswith("Kode,Antal")
