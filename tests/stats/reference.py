"""A synthetic 2021 record set, in the import format, built from the 2021 annual report's
figures (shared/reference/annual-report-2021.json). Every person is invented."""

import json
from datetime import date, timedelta
from itertools import cycle
from pathlib import Path

# The shared reference beside the repository wins; the copy in the repository keeps the
# tests whole in a clone without it.
SHARED = Path(__file__).resolve().parents[3] / "shared" / "reference" / "annual-report-2021.json"
REFERENCE = SHARED if SHARED.exists() else Path(__file__).with_name("annual-report-2021.json")
PARTNERS = [
    "ngo",
    "municipality",
    "asylum_centre",
    "crisis_centre",
    "red_cross",
    "trade_union",
    "lawyer",
    "health_staff",
    "shelter",
    "labour_inspection",
    "tax_agency",
    "immigration_service",
]
OTHERS = ["citizen", "relative", "informant", "self"]


def load() -> dict:
    return json.loads(REFERENCE.read_text())


def _ages() -> list[int]:
    """80 ages: 5 minors (15-17), 13 more under 25, the rest from 33 up to one of 52; the
    mean is 31.0 as in the report."""
    return [15, 16, 17, 17, 17] + [22] * 13 + [52] + [34] * 47 + [33] * 14


def build(ref: dict) -> list[dict]:
    lines: list[dict] = []
    day = cycle(date(2021, 1, 4) + timedelta(days=i) for i in range(360))

    # Hotline calls: police, other partners, and the public.
    callers = ["police"] * ref["hotline_calls_by_caller"]["police"]
    partner = cycle(PARTNERS)
    callers += [
        next(partner) for _ in range(ref["hotline_calls_by_caller"]["other_partners_combined"])
    ]
    other = cycle(OTHERS)
    callers += [next(other) for _ in range(ref["hotline_calls_total"] - len(callers))]
    for i, caller in enumerate(callers):
        lines.append(
            {
                "type": "inquiry",
                "ref": f"I-2021-H{i:04d}",
                "received_on": next(day).isoformat(),
                "channel": "hotline",
                "caller_type": caller,
                "subject": "advice",
            }
        )

    # Persons assessed as trafficked in 2021, from the overview table.
    people = [
        row
        for row in ref["overview_nationality_gender_age_exploitation"]
        for _ in range(row["count"])
    ]
    minors = [p for p in people if p["minor"]]
    adults = [p for p in people if not p["minor"]]
    ages = _ages()
    aged = list(zip(minors, ages[:5], strict=True)) + list(zip(adults, ages[5:], strict=True))
    industries = cycle(["construction"] * 6 + ["restaurant"] * 5 + ["export"] * 2 + ["other"] * 6)
    destinations = [c for c, n in ref["prepared_returns_by_destination"].items() for _ in range(n)]
    in_year_returns = destinations[: ref["prepared_returns_assessed_in_year"]]
    earlier_returns = destinations[ref["prepared_returns_assessed_in_year"] :]
    for i, (p, age) in enumerate(aged):
        decided = date(2021, 2, 1) + timedelta(days=3 * i)
        exploitation = {"form": p["exploitation"]}
        if p["exploitation"] == "sexual":
            exploitation["sexual_kind"] = "prostitution"
        elif p["exploitation"] == "forced_labour":
            exploitation["industry"] = next(industries)
        elif p["exploitation"] == "criminal":
            exploitation["criminal_kinds"] = ["theft", "drug_sales"] if i % 2 else ["drug_sales"]
        born = date(decided.year - age, decided.month, decided.day) - timedelta(days=100)
        case = {
            "type": "case",
            "ref": f"C-2021-A{i:03d}",
            "inquiry_ref": f"I-2021-E{i:03d}",
            "person": {
                "ref": f"P-A{i:03d}",
                "gender": p["gender"],
                "birth_date": born.isoformat(),
                "nationality": p["nationality"],
                "residence_status": "no_legal_residence",
            },
            "interviews": [(decided - timedelta(days=20)).isoformat()],
            "assessment": {
                "authority": "immigration_service",
                "decided_on": decided.isoformat(),
                "outcome": "trafficked",
                "contact_actor": "police",
                "exploitation": exploitation,
            },
        }
        if i < len(in_year_returns):
            departed = decided + timedelta(days=40)
            case["prepared_return"] = {
                "departed_on": departed.isoformat(),
                "destination": in_year_returns[i],
            }
            case["end"] = {"status": "prepared_return", "on": departed.isoformat()}
        lines.append(
            {
                "type": "inquiry",
                "ref": f"I-2021-E{i:03d}",
                "received_on": (decided - timedelta(days=30)).isoformat(),
                "channel": "email",
                "caller_type": "police",
                "subject": "possible_victim",
            }
        )
        lines.append(case)

    # Investigated in 2021 but not assessed as trafficked.
    for i in range(ref["persons_investigated"] - len(aged)):
        lines.append(
            {
                "type": "case",
                "ref": f"C-2021-U{i:03d}",
                "person": {"ref": f"P-U{i:03d}", "gender": "man", "nationality": "RO"},
                "interviews": [(date(2021, 3, 1) + timedelta(days=2 * i)).isoformat()],
            }
        )

    # Assessed in 2020, returned home in 2021.
    for i, destination in enumerate(earlier_returns):
        lines.append(
            {
                "type": "case",
                "ref": f"C-2020-R{i:03d}",
                "person": {
                    "ref": f"P-R{i:03d}",
                    "gender": "woman",
                    "birth_date": "1990-01-01",
                    "nationality": destination if destination != "XK" else "XK",
                },
                "interviews": ["2020-05-01"],
                "assessment": {
                    "authority": "immigration_service",
                    "decided_on": "2020-06-01",
                    "outcome": "trafficked",
                    "exploitation": {"form": "unresolved"},
                },
                "prepared_return": {
                    "departed_on": (date(2021, 5, 1) + timedelta(days=i)).isoformat(),
                    "destination": destination,
                },
                "end": {
                    "status": "prepared_return",
                    "on": (date(2021, 5, 1) + timedelta(days=i)).isoformat(),
                },
            }
        )
    return lines


def write(path: Path, lines: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    return path
