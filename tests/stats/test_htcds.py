"""The research extract in the field names and code values of IOM's Human Trafficking Case
Data Standard as CTDC publishes it (docs/htcds.md): the mapping, and k-anonymity kept."""

import csv
import io
import random
from collections import Counter

import pytest
from django.core.management import call_command
from django.urls import reverse

from cmm.audit.models import AuditEvent
from stats.research import (
    CTDC_AGE_BANDS,
    HTCDS_FIELDS,
    MAJORITY_AGE_BANDS,
    WIDE_AGE_BANDS,
    htcds_row,
    htcds_rows,
    k_anonymise,
    research_extract,
)
from tests.stats import reference
from tests.stats.test_research import population


def _row(**values):
    base = {
        "key": "k1",
        "year": 2021,
        "gender": "woman",
        "age_band": "18-20",
        "nationality": "NG",
        "exploitation": "sexual",
        "contact_actor": "police",
        "authority": "immigration_service",
        "status": "prepared_return",
    }
    return {**base, **values}


def test_a_known_record_in_htcds_form():
    assert htcds_row(_row()) == {
        "yearOfRegistration": 2021,
        "gender": "Female",
        "ageBroad": "18--20",
        "majorityStatus": "Adult",
        "citizenship": "NG",
        "isForcedLabour": 0,
        "isSexualExploit": 1,
        "isOtherExploit": 0,
        "isOrganRemoval": 0,
        "isSlaveryAndPractices": 0,
        "typeOfExploitConcatenated": "Sexual exploitation",
        "typeOfLabourIllicitActivities": -99,
        "typeOfLabourConcatenated": -99,
    }


def test_forced_criminality_is_forced_labour_in_illicit_activities():
    row = htcds_row(_row(gender="man", age_band="9-17", exploitation="criminal"))
    assert (row["gender"], row["ageBroad"], row["majorityStatus"]) == ("Male", "9--17", "Minor")
    assert row["isForcedLabour"] == 1 and row["isSexualExploit"] == 0
    assert row["typeOfExploitConcatenated"] == "Forced labour"
    assert row["typeOfLabourIllicitActivities"] == 1
    assert row["typeOfLabourConcatenated"] == "Illicit activities"


@pytest.mark.parametrize(
    ("form", "flag", "name"),
    [
        ("forced_labour", "isForcedLabour", "Forced labour"),
        ("slavery_like", "isSlaveryAndPractices", "Slavery and similar practices"),
        ("organ_removal", "isOrganRemoval", "Organ removal"),
        ("other", "isOtherExploit", "Other"),
    ],
)
def test_each_form_sets_its_flag(form, flag, name):
    row = htcds_row(_row(exploitation=form))
    assert row["typeOfExploitConcatenated"] == name
    assert [f for f in HTCDS_FIELDS if f.startswith("is") and row[f] == 1] == [flag]
    assert row["typeOfLabourIllicitActivities"] == -99


def test_what_is_unknown_or_withheld_is_missing_as_ctdc_writes_it():
    row = htcds_row(_row(gender="*", age_band="*", nationality="*", exploitation="unresolved"))
    assert all(row[f] == -99 for f in HTCDS_FIELDS if f != "yearOfRegistration")
    assert htcds_row(_row(gender="trans"))["gender"] == "Transgender/NonConforming"
    assert htcds_row(_row(nationality="other"))["citizenship"] == -99
    assert htcds_row(_row(nationality="stateless"))["citizenship"] == -99
    assert htcds_row(_row(exploitation="*"))["isSexualExploit"] == -99


@pytest.mark.parametrize(
    ("band", "broad", "majority"),
    [
        ("0-8", "0--8", "Minor"),
        ("48+", "48+", "Adult"),
        ("30-38", "30--38", "Adult"),
        ("18-23", -99, "Adult"),  # a wider band keeps only the majority
        ("30-47", -99, "Adult"),
        ("0-17", -99, "Minor"),
        ("18+", -99, "Adult"),
    ],
)
def test_age_bands(band, broad, majority):
    row = htcds_row(_row(age_band=band))
    assert (row["ageBroad"], row["majorityStatus"]) == (broad, majority)


def test_every_research_age_band_lies_within_ctdc_bands_or_the_majority():
    labels = {
        f"{lo}+" if hi is None else f"{lo}-{hi}"
        for bands in (CTDC_AGE_BANDS, WIDE_AGE_BANDS, MAJORITY_AGE_BANDS)
        for lo, hi in bands
    }
    rng = random.Random(3)
    for _ in range(20):
        for row in k_anonymise(population(rng, rng.randint(20, 150)), rng.choice([2, 5, 11])).rows:
            assert row["age_band"] in labels | {"*"}
            assert htcds_row(row)["majorityStatus"] in ("Minor", "Adult", -99)


@pytest.mark.parametrize("seed", range(30))
def test_the_htcds_variant_is_k_anonymous(seed):
    rng = random.Random(seed)
    k = rng.choice([2, 5, 11])
    extract = k_anonymise(population(rng, rng.randint(0, 150)), k)
    rows = htcds_rows(extract)
    assert len(rows) == len(extract.rows)
    groups = Counter(tuple(row[f] for f in HTCDS_FIELDS) for row in rows)
    assert all(n >= k for n in groups.values())
    assert all(list(row) == HTCDS_FIELDS for row in rows)


@pytest.fixture
def year_2021(db, tmp_path):
    call_command(
        "import_cases",
        str(reference.write(tmp_path / "r.jsonl", reference.build(reference.load()))),
    )


def test_the_export_writes_the_htcds_extract_k_anonymous_at_the_configured_k(
    year_2021, tmp_path, settings
):
    settings.CMM_RESEARCH_K = 11
    out = tmp_path / "out"
    call_command("export_statistics", "--year", "2021", "--output", str(out))
    lines = (out / "research-2021-htcds.csv").read_text().splitlines()
    assert lines[0] == ",".join(HTCDS_FIELDS)
    rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
    extract = research_extract(2021)
    assert len(rows) == len(extract.rows) > 0
    groups = Counter(tuple(row[f] for f in HTCDS_FIELDS) for row in rows)
    assert all(n >= 11 for n in groups.values())
    assert {row["yearOfRegistration"] for row in rows} == {"2021"}
    # CTDC's missing value is a number, not text a spreadsheet guard would prefix.
    assert not any(v.startswith("'") for row in rows for v in row.values())
    assert {row["gender"] for row in rows} <= {"Female", "Male", "Transgender/NonConforming", "-99"}


def test_the_htcds_extract_is_offered_to_the_statistics_role_and_audited(year_2021, login, stig):
    client = login(stig)
    url = reverse("statistics_download", args=[2021, "htcds"])
    assert url in client.get(reverse("statistics"), {"year": "2021"}).content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert 'filename="research-2021-htcds.csv"' in response["Content-Disposition"]
    assert response.content.decode().splitlines()[0] == ",".join(HTCDS_FIELDS)
    assert AuditEvent.objects.get(action="export", actor=stig).changes == {
        "file": "research-2021-htcds.csv"
    }
