"""The status at year end of a person who left on a prepared return, at each edge of the
rule in docs/year-end-status.md: once for a course recorded in the application (through
the services its pages call) and once for an imported one; and the ages of persons who
were only investigated."""

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from cases import services as case_services
from cases.models import Case, Person
from cases.models.person import age_on
from repatriation import services as return_services
from stats.counting import statistics_for
from tests.factories import case_in
from tests.repatriation.test_returns import advance, fresh, update, walk_to

pytestmark = pytest.mark.django_db
CPH = ZoneInfo("Europe/Copenhagen")


def on(day: str):
    return time_machine.travel(datetime.fromisoformat(day).replace(hour=12, tzinfo=CPH), tick=False)


def year_end(year: int) -> dict[str, int]:
    return statistics_for(year)["status_at_year_end"]


# In the application ----------------------------------------------------------------------


@pytest.fixture
def supported_in_2024(hanne, tove, karin):
    """A person assessed trafficked on 1 November 2024, supported, with a return opened."""
    with on("2024-11-01"):
        case = case_in("in_support", hotline=hanne, supervisor=tove, contact=karin)
        return return_services.return_start(actor=karin, case_id=case.pk, case_version=case.version)


def test_left_on_31_december_is_a_prepared_return_that_year(supported_in_2024, karin):
    with on("2024-12-31"):
        walk_to(supported_in_2024, karin, "follow_up")
    assert year_end(2024) == {"prepared_return": 1}
    assert statistics_for(2024)["prepared_returns"]["total"] == 1


def test_left_on_1_january_is_still_supported_at_the_end_of_the_year_before(
    supported_in_2024, karin
):
    with on("2024-12-20"):
        walk_to(supported_in_2024, karin, "travel")
    with on("2025-01-01"):
        prepared = fresh(supported_in_2024)
        update(
            prepared,
            karin,
            application_approved_on=date(2025, 1, 1),
            departure_on=date(2025, 1, 1),
            destination="GH",
        )
        advance(prepared, karin, "depart")
    assert year_end(2024) == {"continued_support": 1}
    assert statistics_for(2025)["prepared_returns"]["total"] == 1


def test_a_return_cancelled_before_the_journey_is_no_return(supported_in_2024, karin):
    with on("2024-12-10"):
        prepared = walk_to(supported_in_2024, karin, "travel")
        update(prepared, karin, departure_on=date(2024, 12, 20), destination="GH")
    with on("2024-12-15"):
        prepared = fresh(prepared)
        return_services.return_stop(
            actor=karin, return_id=prepared.pk, version=prepared.version, reason="withdrawn"
        )
    assert year_end(2024) == {"continued_support": 1}
    assert statistics_for(2024)["prepared_returns"]["total"] == 0


def test_an_end_recorded_after_the_departure_decides(supported_in_2024, karin, tove):
    with on("2024-11-20"):
        prepared = walk_to(supported_in_2024, karin, "follow_up")
        case = Case.objects.get(pk=prepared.case_id)
        case = case_services.case_reopen(
            actor=tove, case_id=case.pk, version=case.version, reason="Kom tilbage til Danmark"
        )
    assert year_end(2024) == {"prepared_return": 1}, "reopened: the departure still stands"
    with on("2024-12-05"):
        case_services.case_end(
            actor=karin,
            case_id=case.pk,
            version=Case.objects.get(pk=case.pk).version,
            status="left_on_own",
            on=date(2024, 12, 5),
        )
    assert year_end(2024) == {"left_on_own": 1}


# Imported --------------------------------------------------------------------------------


def imported(tmp_path, *records: dict) -> None:
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    call_command("import_cases", str(path))


def assessed(ref: str, decided_on: str = "2024-11-01", **extra) -> dict:
    return {
        "type": "case",
        "ref": ref,
        "person": {"ref": f"P-{ref}", "gender": "woman", "age": 30, "nationality": "NG"},
        "interviews": ["2024-10-01"],
        "assessment": {
            "authority": "immigration_service",
            "decided_on": decided_on,
            "outcome": "trafficked",
            "exploitation": {"form": "sexual", "sexual_kind": "prostitution"},
        },
        **extra,
    }


def departed(day: str) -> dict:
    return {"prepared_return": {"departed_on": day, "destination": "NG"}}


def test_an_imported_departure_gives_the_status_without_an_end(tmp_path):
    imported(
        tmp_path,
        assessed("C-31", **departed("2024-12-31")),
        assessed("C-01", **departed("2025-01-01")),
        assessed(
            "C-END", **departed("2024-06-01"), end={"status": "left_on_own", "on": "2024-09-01"}
        ),
        assessed(
            "C-BEFORE",
            **departed("2024-12-01"),
            end={"status": "municipal_care", "on": "2024-11-15"},
        ),
        assessed(
            "C-SAME", **departed("2024-12-01"), end={"status": "municipal_care", "on": "2024-12-01"}
        ),
        assessed("C-NONE", "2024-03-01"),
    )
    assert year_end(2024) == {
        "continued_support": 2,  # C-01 and C-NONE
        "left_on_own": 1,  # C-END: ended after it departed
        "municipal_care": 1,  # C-SAME: on the same day the course's own end decides
        "prepared_return": 2,  # C-31 and C-BEFORE
    }


def test_a_years_file_gives_the_figures_a_caseworker_counts_by_hand(tmp_path, capsys):
    """A previous system's year: six persons interviewed, four of them assessed; of those
    two left on a prepared return (one on 31 December), one left the next January, one is
    still supported; the two only investigated have an age."""
    only_investigated = [
        {
            "type": "case",
            "ref": f"C-I{n}",
            "person": {"ref": f"P-I{n}", "gender": "man", "age": age, "nationality": "RO"},
            "interviews": [day, "2024-12-01"],
        }
        for n, (age, day) in enumerate([(16, "2024-05-10"), (41, "2024-08-02")])
    ]
    records = [
        assessed("C-A", "2024-02-01", **departed("2024-07-01")),
        assessed("C-B", "2024-04-01", **departed("2024-12-31")),
        assessed("C-C", "2024-09-01", **departed("2025-01-02")),
        assessed("C-D", "2024-10-01"),
        *only_investigated,
    ]
    records[0]["person"]["age"] = 17
    path = tmp_path / "year.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")

    call_command("import_cases", str(path), "--check", "--year", "2024")
    checked = json.loads(capsys.readouterr().out)
    assert not Case.objects.exists(), "--check writes nothing"

    call_command("import_cases", str(path))
    figures = statistics_for(2024)
    assert json.loads(json.dumps(figures, ensure_ascii=False)) == checked
    assert figures["persons_investigated"] == 6
    assert figures["assessed"]["total"] == 4
    assert figures["assessed"]["minors"] == 1
    assert figures["assessed"]["age"] == {"min": 17, "max": 30, "mean": 26.8}
    assert figures["status_at_year_end"] == {"continued_support": 2, "prepared_return": 2}
    assert figures["prepared_returns"]["total"] == 2
    ages = {
        p.source_ref: age_on(p.birth_date, day)
        for p, day in (
            (Person.objects.get(source_ref="P-I0"), date(2024, 5, 10)),
            (Person.objects.get(source_ref="P-I1"), date(2024, 8, 2)),
        )
    }
    assert ages == {"P-I0": 16, "P-I1": 41}, "the age at the first interview"


def test_check_without_a_year_prints_every_year_of_the_file(tmp_path, capsys):
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(assessed("C-1", **departed("2025-01-01"))) + "\n")
    call_command("import_cases", str(path), "--check")
    years = json.loads(capsys.readouterr().out)
    assert set(years) == {"2024", "2025"}
    assert years["2025"]["prepared_returns"]["total"] == 1
    assert not Case.objects.exists()


def test_check_refuses_a_bad_file_as_the_import_does(tmp_path, capsys):
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({"type": "case", "ref": "C-1", "person": {}}) + "\n")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_cases", str(path), "--check")
    assert "line 1" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("person", "interviews", "message"),
    [
        ({"age": 30}, [], "has neither"),
        ({"age": 30, "birth_date": "2000-01-01"}, ["2024-05-01"], "contradicts birth_date"),
    ],
)
def test_an_age_that_cannot_be_placed_or_contradicts_the_birth_date_is_refused(
    tmp_path, capsys, person, interviews, message
):
    line = {
        "type": "case",
        "ref": "C-1",
        "person": {"gender": "man", "nationality": "RO", **person},
        "interviews": interviews,
    }
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(line) + "\n")
    with pytest.raises(CommandError):
        call_command("import_cases", str(path))
    assert message in capsys.readouterr().err
    assert not Case.objects.exists()


def test_an_age_that_agrees_with_the_birth_date_is_accepted(tmp_path):
    line = {
        "type": "case",
        "ref": "C-1",
        "person": {"gender": "man", "nationality": "RO", "age": 24, "birth_date": "2000-01-01"},
        "interviews": ["2024-05-01"],
    }
    imported(tmp_path, line)
    assert Person.objects.get().birth_date == date(2000, 1, 1)
