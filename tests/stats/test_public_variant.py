"""The public variant of the statistics: counts under CMM_PUBLIC_MIN_COUNT shown as "<N",
totals exact, the internal files untouched, and the page offering both."""

import csv
import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from cmm.audit.models import AuditEvent
from stats.exports import WITHHELD, export_year, nightly_export, protect
from tests.stats import reference

TABLES = {
    "summary": [
        ("inquiries", 40),
        ("self_referrals", 2),
        ("hotline_calls", 3),
        ("persons_investigated", 30),
        ("assessed", 20),
        ("minors", 1),
        ("under_25", 0),
        ("age_min", 15),
        ("age_max", 52),
        ("age_mean", 31.0),
        ("nationalities", 4),
        ("prepared_returns", 9),
        ("prepared_returns_assessed_in_year", 7),
        ("prepared_returns_assessed_earlier", 2),
        ("police_reports_filed", 12),
        ("police_reports_not_filed", 4),
        ("recurring_persons", 0),
    ],
    "assessed_by_nationality": [("NG", 12), ("RO", 6), ("TH", 2)],
    "assessed_by_gender": [("woman", 14), ("man", 3), ("trans", 3)],
    "assessed_by_authority": [("immigration_service", 20)],
}


def test_small_cells_become_less_than_n_and_the_totals_stay_exact():
    public = {name: dict(rows) for name, rows in protect(TABLES, 5).items()}
    summary = public["summary"]
    for total in ("inquiries", "persons_investigated", "assessed", "prepared_returns"):
        assert summary[total] == dict(TABLES["summary"])[total]
    # A total stays exact even when it is small itself.
    assert summary["hotline_calls"] == 3
    assert summary["self_referrals"] == "<5"
    assert summary["minors"] == "<5"
    assert summary["police_reports_not_filed"] == "<5"
    assert summary["police_reports_filed"] == 12
    # A zero is no one: it stays 0, not "<5" (which would claim someone was there).
    assert summary["under_25"] == 0 and summary["recurring_persons"] == 0
    # The youngest's and the oldest's ages each describe one person.
    assert summary["age_min"] == WITHHELD and summary["age_max"] == WITHHELD
    assert summary["age_mean"] == 31.0
    assert summary["nationalities"] == 4


def test_a_lone_small_cell_cannot_be_worked_out_from_the_total():
    public = {name: dict(rows) for name, rows in protect(TABLES, 5).items()}
    # 20 assessed, NG 12 and RO 6 shown would give TH = 2: RO is withheld too.
    assert public["assessed_by_nationality"] == {"NG": 12, "RO": WITHHELD, "TH": "<5"}
    # The two parts of the prepared returns add up to the exact total 9.
    summary = public["summary"]
    assert summary["prepared_returns_assessed_earlier"] == "<5"
    assert summary["prepared_returns_assessed_in_year"] == WITHHELD
    # Two small cells that can each be 1 to 4 and add up to 6: nothing more to withhold.
    assert public["assessed_by_gender"] == {"woman": 14, "man": "<5", "trans": "<5"}
    assert public["assessed_by_authority"] == {"immigration_service": 20}


def test_small_cells_that_could_only_be_ones_are_not_left_alone():
    # Two cells "<5" adding up to 2 (the total 12 less 10) are both 1: a third is withheld.
    public = dict(protect({"t": [("a", 10), ("b", 1), ("c", 1)]}, 5)["t"])
    assert public == {"a": WITHHELD, "b": "<5", "c": "<5"}


def test_without_a_threshold_nothing_changes():
    assert protect(TABLES, 0) == TABLES


@pytest.fixture
def year_2021(db, tmp_path):
    call_command(
        "import_cases",
        str(reference.write(tmp_path / "r.jsonl", reference.build(reference.load()))),
    )


def _csv(path):
    return list(csv.reader(io.StringIO(path.read_text())))


def _sheet(path, name):
    return [list(row) for row in load_workbook(path)[name].iter_rows(values_only=True)]


def test_the_export_writes_the_public_variant_beside_unchanged_internal_files(
    year_2021, tmp_path, settings
):
    settings.CMM_PUBLIC_MIN_COUNT = 0
    plain = tmp_path / "plain"
    export_year(2021, plain)
    assert not any("public" in p.name for p in plain.iterdir())  # off: not written

    settings.CMM_PUBLIC_MIN_COUNT = 6
    out = tmp_path / "out"
    call_command("export_statistics", "--year", "2021", "--output", str(out))
    for internal in plain.iterdir():
        if internal.suffix == ".xlsx":
            assert _sheet(out / internal.name, "summary") == _sheet(internal, "summary")
        else:
            assert (out / internal.name).read_bytes() == internal.read_bytes(), internal.name
    internal_summary = dict(_csv(out / "statistics-2021-summary.csv")[1:])
    assert internal_summary["minors"] == "5"  # exact inside

    rows = _csv(out / "statistics-2021-public-summary.csv")
    assert rows[0] == ["Offentlig udgave: tal under 6 vises som <6"]
    assert rows[1] == ["Kode", "Antal"]
    summary = dict(rows[2:])
    assert summary["minors"] == "<6"
    assert summary["assessed"] == "80"
    assert summary["hotline_calls"] == "273"
    assert summary["persons_investigated"] == "193"
    assert summary["under_25"] == "18"

    # In every public table no count under 6 is shown, and no table holds back one alone.
    document = json.loads((out / "statistics-2021-public.json").read_text())
    assert document["variant"] == "public" and document["min_count"] == 6
    for name, table in document["tables"].items():
        if name == "summary":
            continue
        shown = [v for _code, v in table]
        assert not any(isinstance(v, int) and v < 6 for v in shown), name
        assert sum(v in ("<6", WITHHELD) for v in shown) != 1, name
    nationality = dict(document["tables"]["assessed_by_nationality"])
    exact = dict(_csv(out / "statistics-2021-assessed_by_nationality.csv")[1:])
    assert any(v == "<6" for v in nationality.values())
    for code, count in exact.items():
        if int(count) < 6:
            assert nationality[code] == "<6"

    public_sheet = _sheet(out / "statistics-2021-public.xlsx", "summary")
    assert public_sheet[0][1] == "Offentlig udgave: tal under 6 vises som <6"
    assert {r[0]: r[1] for r in public_sheet[2:]}["minors"] == "<6"
    assert _sheet(out / "statistics-2021.xlsx", "summary")[0][1] == "Intern udgave"


def test_the_page_offers_both_variants_and_says_which_a_download_is(
    year_2021, login, stig, settings
):
    client = login(stig)
    public_xlsx = reverse("statistics_download", args=[2021, "public-xlsx"])
    settings.CMM_PUBLIC_MIN_COUNT = 0
    html = client.get(reverse("statistics"), {"year": "2021"}).content.decode()
    assert reverse("statistics_download", args=[2021, "xlsx"]) in html
    assert public_xlsx not in html
    assert client.get(public_xlsx).status_code == 404

    settings.CMM_PUBLIC_MIN_COUNT = 6
    response = client.get(reverse("statistics"), {"year": "2021"})
    html = response.content.decode()
    assert 'id="variant-internal"' in html and 'id="variant-public"' in html
    assert public_xlsx in html
    assert reverse("statistics_download", args=[2021, "public-csv-summary"]) in html
    assert response.context["public_min_count"] == 6

    response = client.get(public_xlsx)
    assert response.status_code == 200
    assert 'filename="statistics-2021-public.xlsx"' in response["Content-Disposition"]
    response = client.get(reverse("statistics_download", args=[2021, "public-csv-summary"]))
    assert 'filename="statistics-2021-public-summary.csv"' in response["Content-Disposition"]
    assert response.content.decode().startswith("Offentlig udgave: tal under 6 vises som <6")
    response = client.get(reverse("statistics_download", args=[2021, "public-json"]))
    assert json.loads(response.content)["note"] == "Offentlig udgave: tal under 6 vises som <6"
    files = list(
        AuditEvent.objects.filter(action="export", actor=stig)
        .order_by("id")
        .values_list("changes__file", flat=True)
    )
    assert files == [
        "statistics-2021-public.xlsx",
        "statistics-2021-public-summary.csv",
        "statistics-2021-public.json",
    ]
    nonsense = reverse("statistics_download", args=[2021, "public-csv-nonsense"])
    assert client.get(nonsense).status_code == 404


@pytest.mark.parametrize("role", ["hanne", "karin", "anna"])
@pytest.mark.parametrize("fmt", ["public-xlsx", "public-json", "public-csv-summary", "htcds"])
def test_other_roles_get_neither_variant(request, login, settings, role, fmt):
    settings.CMM_PUBLIC_MIN_COUNT = 6
    client = login(request.getfixturevalue(role))
    assert client.get(reverse("statistics_download", args=[2021, fmt])).status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_nightly_export_writes_the_public_variant_when_the_threshold_is_set(
    year_2021, tmp_path, settings
):
    settings.CMM_PUBLIC_MIN_COUNT = 6
    night = nightly_export(tmp_path / "exports", date(2022, 1, 15))
    names = {p.name for p in night.iterdir()}
    assert {"statistics-2021-public.json", "statistics-2021-public.xlsx"} <= names
    assert {"statistics-2021.json", "research-2021-htcds.csv"} <= names
    settings.CMM_PUBLIC_MIN_COUNT = 0
    night = nightly_export(tmp_path / "exports", date(2022, 1, 15))
    assert not any("public" in p.name for p in night.iterdir())
