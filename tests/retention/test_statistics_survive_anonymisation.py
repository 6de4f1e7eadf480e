"""Anonymisation keeps every year's statistics: the synthetic 2021 reference set is
imported, every year is computed, every course is anonymised, and every figure, export
table and research extract comes out the same."""

import dataclasses

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from cases.models import Assessment, Case, Person
from referrals.models import InquiryPerson
from retention.services import erase_course
from stats import exports
from stats.counting import statistics_for
from stats.research import research_extract
from tests.stats import reference

pytestmark = pytest.mark.django_db


def _everything(years: range) -> dict:
    return {
        year: {
            "statistics": statistics_for(year),
            "tables": exports.tables(statistics_for(year)),
            "research": dataclasses.asdict(research_extract(year)),
        }
        for year in years
    }


def test_anonymising_every_course_changes_no_years_statistics(tmp_path):
    source = reference.write(tmp_path / "records.jsonl", reference.build(reference.load()))
    call_command("import_cases", str(source))
    first = Assessment.objects.order_by("decided_on").first().decided_on.year
    years = range(first - 1, timezone.localdate().year + 1)
    before = _everything(years)
    assert before[2021]["statistics"]["assessed"]["minors"] > 0
    born = Person.objects.filter(birth_date__isnull=False).count()
    assert born > 0

    # Every course of the set, whatever its state: erasure is what this test is about
    # (the retention rules that choose the courses are tested in tests/cases).
    with transaction.atomic():
        for case in Case.objects.select_related("person").order_by("pk"):
            erase_course(case)

    assert not Person.objects.filter(birth_date__isnull=False).exists()
    assert Person.objects.filter(birth_year__isnull=False).count() == born
    assert not Person.objects.exclude(name="").exists()
    assert not InquiryPerson.objects.exclude(alias="").exists()
    assert not Case.objects.filter(anonymised_at__isnull=True).exists()
    assert _everything(years) == before
