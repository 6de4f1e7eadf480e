"""A pseudonymised, k-anonymous case-level extract for research.

One row per person assessed as trafficked in the year: year, gender, age band, nationality
(or "other"), form of exploitation, contact-creating actor, assessing authority and status
at year end. Every combination of these quasi-identifiers occurs at least k times (default
11, as IOM's Counter-Trafficking Data Collaborative publishes): values are generalised step
by step and the rows still in too small a group are suppressed. The report says what was
generalised and how many rows were suppressed. Keys are stable pseudonyms (an HMAC of the
person with the secret key), never a reference that leads back to a case.
"""

import hashlib
import hmac
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from django.conf import settings

QUASI_IDENTIFIERS = [
    "year",
    "gender",
    "age_band",
    "nationality",
    "exploitation",
    "contact_actor",
    "authority",
    "status",
]
ANY = "*"
OTHER = "other"


def pseudonym(person_id: int) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"research-person-{person_id}".encode(), hashlib.sha256
    )
    return digest.hexdigest()[:16]


def age_band(age: int | None, width: int) -> str:
    if age is None:
        return ANY
    if width == 0:
        return "0-17" if age < 18 else "18+"
    low = (age // width) * width
    return f"{low}-{low + width - 1}"


@dataclass
class Extract:
    k: int
    rows: list[dict[str, Any]]
    generalised: list[str] = field(default_factory=list)
    suppressed: int = 0

    @property
    def report(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "rows": len(self.rows),
            "generalised": self.generalised,
            "suppressed": self.suppressed,
        }


# A row's combination of quasi-identifiers, as a tuple (itemgetter: the extract of a
# year at full scale is counted a dozen times over).
_combination = itemgetter(*QUASI_IDENTIFIERS)


def _small_groups(rows: list[dict], k: int) -> int:
    sizes = Counter(map(_combination, rows))
    return sum(n for n in sizes.values() if n < k)


def _rare_to_other(column: str, k: int) -> Callable[[list[dict]], None]:
    def step(rows: list[dict]) -> None:
        counts = Counter(r[column] for r in rows)
        for r in rows:
            if counts[r[column]] < k:
                r[column] = OTHER

    step.__doc__ = f"{column}: values shared by fewer than k persons become '{OTHER}'"
    return step


def _widen_age(width: int) -> Callable[[list[dict]], None]:
    def step(rows: list[dict]) -> None:
        for r in rows:
            r["age_band"] = age_band(r["_age"], width)

    step.__doc__ = f"age_band: {'minor or adult' if width == 0 else f'{width}-year bands'}"
    return step


def _drop(column: str) -> Callable[[list[dict]], None]:
    def step(rows: list[dict]) -> None:
        for r in rows:
            r[column] = ANY

    step.__doc__ = f"{column}: removed"
    return step


def _steps(k: int) -> list[Callable[[list[dict]], None]]:
    """The generalisation ladder, mildest first."""
    return [
        _rare_to_other("nationality", k),
        _rare_to_other("contact_actor", k),
        _widen_age(10),
        _rare_to_other("exploitation", k),
        _drop("status"),
        _drop("contact_actor"),
        _drop("authority"),
        _widen_age(0),
        _drop("nationality"),
        _drop("exploitation"),
        _drop("age_band"),
        _drop("gender"),
    ]


def k_anonymise(records: list[dict[str, Any]], k: int, tolerance: float = 0.05) -> Extract:
    """Generalise until at most `tolerance` of the rows sit in groups smaller than k, then
    suppress those rows. `records` carry the quasi-identifiers, `_age` and `key`."""
    rows = [dict(r, age_band=age_band(r["_age"], 5)) for r in records]
    extract = Extract(k=k, rows=rows)
    for step in _steps(k):
        if _small_groups(rows, k) <= tolerance * len(rows):
            break
        step(rows)
        extract.generalised.append(step.__doc__)
    sizes = Counter(map(_combination, rows))
    kept = [r for r in rows if sizes[_combination(r)] >= k]
    extract.suppressed = len(rows) - len(kept)
    extract.rows = [{"key": r["key"], **{q: r[q] for q in QUASI_IDENTIFIERS}} for r in kept]
    return extract


def research_extract(year: int, k: int | None = None, people: list | None = None) -> Extract:
    """The year's extract at the configured k. `people` is assessed_in(year) when the
    caller has it already."""
    from stats.counting import assessed_in, status_at_year_end

    if people is None:
        people = assessed_in(year)
    k = k or settings.CMM_RESEARCH_K
    records = [
        {
            "key": pseudonym(p.person_id),
            "year": year,
            "gender": p.gender or ANY,
            "_age": p.age,
            "nationality": p.nationality or ANY,
            "exploitation": p.form or ANY,
            "contact_actor": p.contact_actor or ANY,
            "authority": p.authority or ANY,
            "status": status_at_year_end(p, year),
        }
        for p in people
    ]
    return k_anonymise(records, k)
