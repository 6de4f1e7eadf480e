"""A pseudonymised, k-anonymous case-level extract for research.

One row per person assessed as trafficked in the year: year, gender, age band, nationality
(or "other"), form of exploitation, contact-creating actor, assessing authority and status
at year end. The age bands are those of CTDC's ageBroad (0-8, 9-17, 18-20, ...), widened
only to unions of them, so that the same rows can be written in the field names and code
values of IOM's Human Trafficking Case Data Standard (htcds_rows; docs/htcds.md).

Every combination of these quasi-identifiers occurs at least k times (default 11, as IOM's
Counter-Trafficking Data Collaborative publishes): values are generalised step by step and
the rows still in too small a group are suppressed. The report says what was
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


# Age bands as (lowest, highest) ages, None for no upper bound. The first are CTDC's ageBroad
# bands; each coarser set is made of unions of the finer one, so a band never straddles a
# CTDC band edge it cannot be mapped back to (htcds_rows).
CTDC_AGE_BANDS = [
    (0, 8),
    (9, 17),
    (18, 20),
    (21, 23),
    (24, 26),
    (27, 29),
    (30, 38),
    (39, 47),
    (48, None),
]
WIDE_AGE_BANDS = [(0, 17), (18, 23), (24, 29), (30, 47), (48, None)]
MAJORITY_AGE_BANDS = [(0, 17), (18, None)]


def _band_label(low: int, high: int | None) -> str:
    return f"{low}+" if high is None else f"{low}-{high}"


def age_band(age: int | None, bands: list[tuple[int, int | None]]) -> str:
    """The label of the band in `bands` that holds `age` ("18-20", "48+"), or ANY."""
    if age is None:
        return ANY
    for low, high in bands:
        if age >= low and (high is None or age <= high):
            return _band_label(low, high)
    return ANY


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


def _widen_age(bands: list[tuple[int, int | None]], name: str) -> Callable[[list[dict]], None]:
    def step(rows: list[dict]) -> None:
        for r in rows:
            r["age_band"] = age_band(r["_age"], bands)

    step.__doc__ = f"age_band: {name} ({', '.join(_band_label(lo, hi) for lo, hi in bands)})"
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
        _widen_age(WIDE_AGE_BANDS, "wider bands"),
        _rare_to_other("exploitation", k),
        _drop("status"),
        _drop("contact_actor"),
        _drop("authority"),
        _widen_age(MAJORITY_AGE_BANDS, "minor or adult"),
        _drop("nationality"),
        _drop("exploitation"),
        _drop("age_band"),
        _drop("gender"),
    ]


def k_anonymise(records: list[dict[str, Any]], k: int, tolerance: float = 0.05) -> Extract:
    """Generalise until at most `tolerance` of the rows sit in groups smaller than k, then
    suppress those rows. `records` carry the quasi-identifiers, `_age` and `key`."""
    rows = [dict(r, age_band=age_band(r["_age"], CTDC_AGE_BANDS)) for r in records]
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


# --- The extract in the field names and code values of IOM's Human Trafficking Case Data
# Standard, as CTDC's Global Dataset publishes it (docs/htcds.md gives the sources and the
# mapping field by field). Every HTCDS row is a function of one k-anonymised row, and the
# fields without a counterpart (key, contact_actor, authority, status) are left out: rows
# that shared a combination still share one, so the variant is k-anonymous at the same k.

# CTDC's code for a missing value.
HTCDS_MISSING = -99

HTCDS_GENDER = {"woman": "Female", "man": "Male", "trans": "Transgender/NonConforming"}

# Our form of exploitation -> the CTDC flag that is 1 and its typeOfExploitConcatenated
# value. Forced criminality has no form of its own in the Global Dataset: it is forced
# labour of the type "illicit activities" (typeOfLabourIllicitActivities).
HTCDS_FORM = {
    "sexual": ("isSexualExploit", "Sexual exploitation"),
    "forced_labour": ("isForcedLabour", "Forced labour"),
    "criminal": ("isForcedLabour", "Forced labour"),
    "slavery_like": ("isSlaveryAndPractices", "Slavery and similar practices"),
    "organ_removal": ("isOrganRemoval", "Organ removal"),
    OTHER: ("isOtherExploit", "Other"),
}
HTCDS_FLAGS = [
    "isForcedLabour",
    "isSexualExploit",
    "isOtherExploit",
    "isOrganRemoval",
    "isSlaveryAndPractices",
]
HTCDS_FIELDS = [
    "yearOfRegistration",
    "gender",
    "ageBroad",
    "majorityStatus",
    "citizenship",
    *HTCDS_FLAGS,
    "typeOfExploitConcatenated",
    "typeOfLabourIllicitActivities",
    "typeOfLabourConcatenated",
]
_CTDC_AGE_LABELS = {_band_label(lo, hi): lo for lo, hi in CTDC_AGE_BANDS}


def _htcds_age(band: str) -> tuple[Any, Any]:
    """(ageBroad, majorityStatus) of a research age band: CTDC writes its bands with two
    dashes ("0--8", "48+"); a wider band keeps only whether the person was a minor."""
    if band == ANY:
        return HTCDS_MISSING, HTCDS_MISSING
    low, _dash, high = band.partition("-")
    minor = high != "" and int(high) < 18
    adult = int(low.rstrip("+")) >= 18
    majority = "Minor" if minor else "Adult" if adult else HTCDS_MISSING
    if band in _CTDC_AGE_LABELS:
        return band.replace("-", "--"), majority
    return HTCDS_MISSING, majority


def _htcds_citizenship(nationality: str) -> Any:
    # ISO 3166-1 alpha-2 as CTDC; "other" (a rare nationality grouped), "stateless" and
    # the withheld have no code there.
    if nationality in (ANY, OTHER, "stateless"):
        return HTCDS_MISSING
    return nationality.upper()


def htcds_row(row: dict[str, Any]) -> dict[str, Any]:
    """One k-anonymised research row in HTCDS field names and code values."""
    age_broad, majority = _htcds_age(row["age_band"])
    form = row["exploitation"]
    flag, concatenated = HTCDS_FORM.get(form, (None, HTCDS_MISSING))
    result = {
        "yearOfRegistration": row["year"],
        "gender": HTCDS_GENDER.get(row["gender"], HTCDS_MISSING),
        "ageBroad": age_broad,
        "majorityStatus": majority,
        "citizenship": _htcds_citizenship(row["nationality"]),
        # A known form is 1 on its flag and 0 on the others; an unknown one (withheld, or
        # "unresolved") is missing on all of them.
        **{f: (int(f == flag) if flag else HTCDS_MISSING) for f in HTCDS_FLAGS},
        "typeOfExploitConcatenated": concatenated,
        # The research extract has no industry: only forced criminality says the type.
        "typeOfLabourIllicitActivities": 1 if form == "criminal" else HTCDS_MISSING,
        "typeOfLabourConcatenated": "Illicit activities" if form == "criminal" else HTCDS_MISSING,
    }
    return result


def htcds_rows(extract: Extract) -> list[dict[str, Any]]:
    """The extract's rows in HTCDS field names and code values (HTCDS_FIELDS)."""
    return [htcds_row(r) for r in extract.rows]
