import random
from collections import Counter

import pytest
from django.core.management import call_command

from stats.counting import statistics_for
from stats.research import QUASI_IDENTIFIERS, k_anonymise, pseudonym, research_extract
from tests.stats import reference

CODES = {
    "gender": ["woman", "man", "trans"],
    "nationality": ["NG", "TH", "RO", "VN", "CN", "MA", "UA", "GH", "AF", "BR"],
    "exploitation": ["sexual", "forced_labour", "criminal", "unresolved", "slavery_like"],
    "contact_actor": ["police", "ngo", "self", "asylum_centre", "municipality"],
    "authority": ["cmm", "immigration_service", "court"],
    "status": ["continued_support", "prepared_return", "no_show", "residence_granted"],
}


def population(rng: random.Random, size: int) -> list[dict]:
    return [
        {
            "key": f"k{i}",
            "year": 2024,
            "_age": rng.choice([None, *range(14, 60)]),
            **{column: rng.choice(values) for column, values in CODES.items()},
        }
        for i in range(size)
    ]


@pytest.mark.parametrize("seed", range(40))
def test_every_released_combination_is_shared_by_at_least_k_persons(seed):
    rng = random.Random(seed)
    k = rng.choice([2, 5, 11])
    size = rng.randint(0, 150)
    extract = k_anonymise(population(rng, size), k)
    groups = Counter(tuple(row[q] for q in QUASI_IDENTIFIERS) for row in extract.rows)
    assert all(n >= k for n in groups.values())
    assert (
        extract.report["suppressed"] + len(extract.rows)
        == extract.report["rows"] + extract.suppressed
    )
    assert all(set(row) == {"key", *QUASI_IDENTIFIERS} for row in extract.rows)


def test_keys_are_stable_pseudonyms_not_references():
    assert pseudonym(7) == pseudonym(7)
    assert pseudonym(7) != pseudonym(8)
    assert len(pseudonym(7)) == 16 and pseudonym(7) != "7"


@pytest.mark.django_db
def test_the_2021_extract_is_k_anonymous_and_reports_what_it_did(tmp_path):
    call_command(
        "import_cases",
        str(reference.write(tmp_path / "r.jsonl", reference.build(reference.load()))),
    )
    extract = research_extract(2021, k=11)
    groups = Counter(tuple(row[q] for q in QUASI_IDENTIFIERS) for row in extract.rows)
    assert all(n >= 11 for n in groups.values())
    assert len(extract.rows) + extract.suppressed == 80
    assert extract.generalised  # 80 persons cannot be released at full detail


@pytest.mark.django_db
def test_process_times_median_and_90th_percentile(tmp_path):
    call_command(
        "import_cases",
        str(reference.write(tmp_path / "r.jsonl", reference.build(reference.load()))),
    )
    times = statistics_for(2021)["process_times"]
    # The synthetic set: inquiry 10 days before the interview, interview 20 days before the
    # decision, departure 40 days after it.
    assert times["inquiry_to_first_interview"] == {"n": 80, "median": 10, "p90": 10}
    assert times["first_interview_to_decision"]["all"]["median"] == 20
    assert times["first_interview_to_decision"]["by_authority"]["immigration_service"]["n"] == 80
    assert times["decision_to_departure"]["median"] == 40
