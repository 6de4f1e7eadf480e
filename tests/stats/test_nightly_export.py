from datetime import date, timedelta

import pytest
from django.core.management import call_command

from cmm.celery import app
from stats.exports import KEEP_NIGHTS, nightly_export
from tests.stats import reference

pytestmark = pytest.mark.django_db


def test_a_night_writes_this_and_last_year_and_rerunning_is_harmless(tmp_path):
    source = reference.write(tmp_path / "r.jsonl", reference.build(reference.load()))
    call_command("import_cases", str(source))
    exports = tmp_path / "exports"
    night = nightly_export(exports, date(2022, 1, 15))
    assert {"statistics-2022.json", "statistics-2021.json"} <= {p.name for p in night.iterdir()}
    again = nightly_export(exports, date(2022, 1, 15))
    assert again == night
    assert [p.name for p in exports.iterdir()] == ["2022-01-15"]  # no temporary leftovers


def test_the_last_30_nights_are_kept(tmp_path):
    exports = tmp_path / "exports"
    start = date(2026, 1, 1)
    for n in range(KEEP_NIGHTS + 3):
        nightly_export(exports, start + timedelta(days=n))
    kept = sorted(p.name for p in exports.iterdir())
    assert len(kept) == KEEP_NIGHTS
    assert kept[0] == (start + timedelta(days=3)).isoformat()


def test_the_export_is_on_the_beat_schedule_at_two_at_night():
    entry = app.conf.beat_schedule["nightly-statistics-export"]
    assert entry["task"] == "stats.tasks.nightly_statistics_export"
    assert entry["schedule"].hour == {2} and entry["schedule"].minute == {0}
