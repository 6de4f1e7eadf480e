"""The counting rules at their edges, and the import's refusals."""

import json

import pytest
from django.core.management import CommandError, call_command

from cases.models import Case
from referrals.models import Inquiry
from stats.counting import statistics_for

pytestmark = pytest.mark.django_db


def write(tmp_path, lines):
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return path


def case(ref, person, decided_on, outcome="trafficked", **extra):
    return {
        "type": "case",
        "ref": ref,
        "person": {"ref": person, "gender": "woman", "age": 30, "nationality": "NG"},
        "interviews": [decided_on],
        "assessment": {
            "authority": "immigration_service",
            "decided_on": decided_on,
            "outcome": outcome,
            "exploitation": {"form": "sexual", "sexual_kind": "prostitution"},
        },
        **extra,
    }


def test_a_person_assessed_twice_in_a_year_counts_once(tmp_path):
    call_command(
        "import_cases",
        str(
            write(
                tmp_path,
                [
                    case("C-1", "P-1", "2024-02-01"),
                    case("C-2", "P-1", "2024-09-01"),
                ],
            )
        ),
    )
    assert statistics_for(2024)["assessed"]["total"] == 1


def test_a_person_assessed_in_two_years_counts_in_both_and_recurs(tmp_path):
    call_command(
        "import_cases",
        str(
            write(
                tmp_path,
                [
                    case("C-1", "P-1", "2023-05-01"),
                    case("C-2", "P-1", "2024-05-01"),
                ],
            )
        ),
    )
    assert statistics_for(2023)["assessed"]["total"] == 1
    stats = statistics_for(2024)
    assert stats["assessed"]["total"] == 1
    assert stats["recurring_persons"] == 1
    assert stats["time_series"]["by_exploitation"] == {"2023": {"sexual": 1}, "2024": {"sexual": 1}}


def test_the_time_series_counts_a_person_once_a_year_under_their_first_decision(tmp_path):
    forced_labour = {
        "authority": "immigration_service",
        "outcome": "trafficked",
        "exploitation": {"form": "forced_labour", "industry": "agriculture"},
    }
    call_command(
        "import_cases",
        str(
            write(
                tmp_path,
                [
                    # P-1: sexual first, forced labour later the same year.
                    case("C-1", "P-1", "2023-03-01"),
                    case(
                        "C-2",
                        "P-1",
                        "2023-08-01",
                        assessment=forced_labour | {"decided_on": "2023-08-01"},
                    ),
                    # P-2: two decisions on one day; the one recorded first counts.
                    case(
                        "C-3",
                        "P-2",
                        "2023-06-01",
                        assessment=forced_labour | {"decided_on": "2023-06-01"},
                    ),
                    case("C-4", "P-2", "2023-06-01"),
                    # P-1 again the next year: counted in that year too.
                    case(
                        "C-5",
                        "P-1",
                        "2024-01-01",
                        assessment=forced_labour | {"decided_on": "2024-01-01"},
                    ),
                ],
            )
        ),
    )
    series = statistics_for(2024)["time_series"]
    assert series["by_exploitation"] == {
        "2023": {"forced_labour": 1, "sexual": 1},
        "2024": {"forced_labour": 1},
    }
    assert series["by_gender"] == {"2023": {"woman": 2}, "2024": {"woman": 1}}
    # The year's own table follows the same rule.
    assert statistics_for(2023)["assessed"]["by_exploitation"] == {"forced_labour": 1, "sexual": 1}


def test_the_decision_date_decides_the_year_on_31_december(tmp_path):
    call_command("import_cases", str(write(tmp_path, [case("C-1", "P-1", "2024-12-31")])))
    assert statistics_for(2024)["assessed"]["total"] == 1
    assert statistics_for(2025)["assessed"]["total"] == 0


def test_a_departure_on_1_january_counts_in_the_new_year(tmp_path):
    call_command(
        "import_cases",
        str(
            write(
                tmp_path,
                [
                    case(
                        "C-1",
                        "P-1",
                        "2024-11-01",
                        prepared_return={"departed_on": "2025-01-01", "destination": "NG"},
                        end={"status": "prepared_return", "on": "2025-01-01"},
                    )
                ],
            )
        ),
    )
    assert statistics_for(2024)["prepared_returns"]["total"] == 0
    returns = statistics_for(2025)["prepared_returns"]
    assert (returns["total"], returns["assessed_earlier"]) == (1, 1)
    # On 31 December 2024 the person was still receiving support.
    assert statistics_for(2024)["status_at_year_end"] == {"continued_support": 1}


def test_age_is_taken_on_the_decision_date(tmp_path):
    line = case("C-1", "P-1", "2024-03-01")
    line["person"].pop("age")
    line["person"]["birth_date"] = "2006-03-02"  # 17 on the decision day, 18 the day after
    call_command("import_cases", str(write(tmp_path, [line])))
    assessed = statistics_for(2024)["assessed"]
    assert (assessed["minors"], assessed["age"]["min"]) == (1, 17)


def test_a_bad_file_imports_nothing_and_names_every_bad_line(tmp_path):
    path = write(
        tmp_path,
        [
            {
                "type": "inquiry",
                "ref": "I-1",
                "received_on": "2024-01-03",
                "channel": "hotline",
                "caller_type": "police",
                "subject": "possible_victim",
            },
            {
                "type": "inquiry",
                "ref": "I-2",
                "received_on": "2024-13-03",
                "channel": "pigeon",
                "caller_type": "police",
                "subject": "possible_victim",
            },
            case("C-1", "P-1", "2024-02-01", inquiry_ref="I-404"),
            {"type": "case", "ref": "C-2", "person": {"gender": "woman", "nationality": "ZZ"}},
            {"type": "nonsense"},
        ],
    )
    with open(path, "a") as handle:
        handle.write("{not json\n")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_cases", str(path))
    assert not Inquiry.objects.exists() and not Case.objects.exists()


def test_the_refusal_lists_line_numbers_and_reasons(tmp_path, capsys):
    path = write(
        tmp_path,
        [
            {
                "type": "inquiry",
                "ref": "I-2",
                "received_on": "2024-13-03",
                "channel": "pigeon",
                "caller_type": "police",
                "subject": "possible_victim",
            },
            case("C-1", "P-1", "2024-02-01", inquiry_ref="I-404"),
        ],
    )
    with pytest.raises(CommandError):
        call_command("import_cases", str(path))
    err = capsys.readouterr().err
    assert "line 1: received_on '2024-13-03' is not a date" in err
    assert "line 1: channel 'pigeon' is not a known code" in err
    assert "line 2: inquiry_ref I-404 is in neither the file nor the system" in err


def test_inquiry_lines_may_come_after_the_cases_that_name_them(tmp_path):
    call_command(
        "import_cases",
        str(
            write(
                tmp_path,
                [
                    case("C-1", "P-1", "2024-02-01", inquiry_ref="I-1"),
                    {
                        "type": "inquiry",
                        "ref": "I-1",
                        "received_on": "2024-01-03",
                        "channel": "hotline",
                        "caller_type": "police",
                        "subject": "possible_victim",
                    },
                ],
            )
        ),
    )
    imported = Case.objects.get(reference="C-1")
    assert imported.inquiry_persons.get().inquiry.reference == "I-1"
    assert Inquiry.objects.get(reference="I-1").state == "referred"


def test_imported_cases_are_full_records(tmp_path, login, tove):
    from django.urls import reverse

    call_command("import_cases", str(write(tmp_path, [case("C-1", "P-1", "2024-02-01")])))
    imported = Case.objects.get(reference="C-1")
    assert imported.state == "in_support"
    page = login(tove).get(reverse("cases:detail", args=[imported.pk]))
    assert page.status_code == 200
    assert page.context["assessment"].decided_on.isoformat() == "2024-02-01"
