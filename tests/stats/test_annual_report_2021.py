"""The 2021 annual report's figures come out of records imported through import_cases and
exported by export_statistics."""

import json

import pytest
from django.core.management import call_command

from tests.stats import reference

pytestmark = pytest.mark.django_db


@pytest.fixture
def stats_2021(tmp_path):
    ref = reference.load()
    source = reference.write(tmp_path / "records.jsonl", reference.build(ref))
    call_command("import_cases", str(source))
    call_command("export_statistics", "--year", "2021", "--output", str(tmp_path / "out"))
    return (
        ref,
        json.loads((tmp_path / "out" / "statistics-2021.json").read_text()),
        tmp_path / "out",
    )


def test_the_2021_report_is_reproduced_from_case_records(stats_2021):
    ref, stats, _out = stats_2021
    assessed = stats["assessed"]

    assert stats["hotline_calls"]["total"] == ref["hotline_calls_total"]
    callers = stats["hotline_calls"]["by_caller_type"]
    assert callers["police"] == ref["hotline_calls_by_caller"]["police"]
    assert (
        sum(callers.get(c, 0) for c in reference.PARTNERS)
        == ref["hotline_calls_by_caller"]["other_partners_combined"]
    )
    assert stats["persons_investigated"] == ref["persons_investigated"]
    assert assessed["total"] == ref["persons_assessed_trafficked"]
    assert assessed["by_gender"] == ref["by_gender"]
    assert assessed["minors"] == ref["minors"]
    assert assessed["under_25"] == ref["under_25"]
    assert (assessed["age"]["min"], assessed["age"]["max"]) == (ref["age_min"], ref["age_max"])
    assert round(assessed["age"]["mean"]) == ref["age_mean_approx"]
    assert assessed["by_exploitation"] == ref["by_exploitation"]
    forced_labour_men = sum(
        row["count"]
        for row in assessed["overview"]
        if row["exploitation"] == "forced_labour" and row["gender"] == "man"
    )
    assert forced_labour_men == ref["forced_labour_men"]
    for industry, count in ref["forced_labour_by_industry_partial"].items():
        assert assessed["forced_labour_by_industry"][industry] == count
    key = lambda r: (r["nationality"], r["gender"], r["minor"], r["exploitation"])  # noqa: E731
    assert sorted(assessed["overview"], key=key) == sorted(
        ref["overview_nationality_gender_age_exploitation"], key=key
    )
    returns = stats["prepared_returns"]
    assert returns["total"] == ref["prepared_returns_in_year"]
    assert returns["assessed_in_year"] == ref["prepared_returns_assessed_in_year"]
    assert returns["assessed_earlier"] == ref["prepared_returns_assessed_earlier"]
    assert returns["by_destination"] == ref["prepared_returns_by_destination"]


def test_the_export_writes_json_xlsx_and_a_csv_per_table(stats_2021):
    _ref, _stats, out = stats_2021
    names = {p.name for p in out.iterdir()}
    assert {
        "statistics-2021.json",
        "statistics-2021.xlsx",
        "statistics-2021-assessed_by_gender.csv",
    } <= names
    rows = (out / "statistics-2021-assessed_by_gender.csv").read_text().splitlines()
    assert rows[0] == "Kode,Antal"
    assert "woman,42" in rows
    assert not any(name.startswith(".") for name in names)  # no half-written files left


def test_importing_the_same_file_twice_changes_nothing(tmp_path):
    from cases.models import Case
    from cmm.audit.models import AuditEvent
    from referrals.models import Inquiry

    ref = reference.load()
    source = reference.write(tmp_path / "records.jsonl", reference.build(ref))
    call_command("import_cases", str(source))
    counts = (Inquiry.objects.count(), Case.objects.count(), AuditEvent.objects.count())
    call_command("import_cases", str(source))
    assert (Inquiry.objects.count(), Case.objects.count(), AuditEvent.objects.count()) == counts
