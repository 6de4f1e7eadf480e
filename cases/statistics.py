"""The annual statistics CMM publishes, computed from the case records (domain.md, "The
statistics", and the counting rules of the annual report).

Counting rules: inquiries are those about a possible victim received in the year; hotline
calls are all hotline inquiries in the year; persons investigated have the first interview
of a course in the year; assessed means assessed trafficked with the decision in the year,
each person once a year (their first such decision that year), with their age on that
decision date.
"""

import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Min
from django.utils import timezone

from cases.models import Assessment, Interview, Outcome, PoliceReport, ReflectionPeriod
from cases.models.person import ADULT_AGE, age_on
from referrals.models import Channel, Inquiry, InquiryPerson, Subject
from repatriation.models import PreparedReturn


@dataclass
class Assessed:
    person_id: int
    case_id: int
    decided_on: date
    authority: str
    contact_actor: str
    form: str
    sexual_kind: str
    industry: str
    criminal_kinds: list[str]
    gender: str
    nationality: str
    age: int | None
    declared_minor: bool
    end_status: str
    ended_on: date | None

    @property
    def minor(self) -> bool:
        return self.age < ADULT_AGE if self.age is not None else self.declared_minor


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(date(year, 1, 1), time.min))
    end = timezone.make_aware(datetime.combine(date(year + 1, 1, 1), time.min))
    return start, end


def _counts(values) -> dict[str, int]:
    return dict(sorted(Counter(v for v in values if v).items()))


def assessed_in(year: int) -> list[Assessed]:
    """Each person assessed trafficked in `year` once: their first such decision."""
    rows = (
        Assessment.objects.filter(outcome=Outcome.TRAFFICKED, decided_on__year=year)
        .order_by("decided_on", "id")
        .values(
            "case_id",
            "decided_on",
            "authority",
            "contact_actor",
            "exploitation_form",
            "sexual_kind",
            "forced_labour_industry",
            "criminal_kinds",
            "age_at_decision",
            "case__person_id",
            "case__person__gender",
            "case__person__nationality",
            "case__person__birth_date",
            "case__person__declared_minor",
            "case__end_status",
            "case__ended_on",
        )
    )
    seen, result = set(), []
    for r in rows:
        if r["case__person_id"] in seen:
            continue
        seen.add(r["case__person_id"])
        result.append(
            Assessed(
                person_id=r["case__person_id"],
                case_id=r["case_id"],
                decided_on=r["decided_on"],
                authority=r["authority"],
                contact_actor=r["contact_actor"],
                form=r["exploitation_form"],
                sexual_kind=r["sexual_kind"],
                industry=r["forced_labour_industry"],
                criminal_kinds=sorted(r["criminal_kinds"] or []),
                gender=r["case__person__gender"],
                nationality=r["case__person__nationality"],
                # An anonymised person's age on the decision date was kept when the
                # date of birth was erased (cases/retention.py).
                age=r["age_at_decision"]
                if r["age_at_decision"] is not None
                else age_on(r["case__person__birth_date"], r["decided_on"]),
                declared_minor=r["case__person__declared_minor"],
                end_status=r["case__end_status"],
                ended_on=r["case__ended_on"],
            )
        )
    return result


def _assessed_table(people: list[Assessed]) -> dict[str, Any]:
    ages = [p.age for p in people if p.age is not None]
    overview = Counter((p.nationality, p.gender, p.minor, p.form) for p in people)
    return {
        "total": len(people),
        "by_authority": _counts(p.authority for p in people),
        "by_contact_actor": _counts(p.contact_actor for p in people),
        "by_exploitation": _counts(p.form for p in people),
        "sexual_by_kind": _counts(p.sexual_kind for p in people if p.form == "sexual"),
        "forced_labour_by_industry": _counts(
            p.industry for p in people if p.form == "forced_labour"
        ),
        "criminal_by_kinds": _counts(
            "+".join(p.criminal_kinds) for p in people if p.form == "criminal"
        ),
        "by_gender": _counts(p.gender for p in people),
        "minors": sum(1 for p in people if p.minor),
        "under_25": sum(1 for p in people if p.age is not None and p.age < 25),
        "age": {
            "min": min(ages),
            "max": max(ages),
            "mean": round(sum(ages) / len(ages), 1),
        }
        if ages
        else {},
        "by_nationality": _counts(p.nationality for p in people),
        "nationalities": len({p.nationality for p in people if p.nationality}),
        "under_25_by_exploitation": _counts(
            p.form for p in people if p.age is not None and p.age < 25
        ),
        "overview": [
            {"nationality": n, "gender": g, "minor": m, "exploitation": f, "count": c}
            for (n, g, m, f), c in sorted(overview.items(), key=lambda kv: (-kv[1], kv[0][0]))
        ],
    }


def status_at_year_end(person: Assessed, year: int) -> str:
    """The person's status on 31 December: how the course ended, or still supported."""
    if person.ended_on and person.ended_on <= date(year, 12, 31):
        return person.end_status
    return "continued_support"


def _status_at_year_end(people: list[Assessed], year: int) -> dict[str, int]:
    return _counts(status_at_year_end(p, year) for p in people)


def _spread(days: list[int]) -> dict[str, Any]:
    """Median and 90th percentile (nearest rank) of a list of durations in days."""
    if not days:
        return {"n": 0}
    ordered = sorted(days)
    return {
        "n": len(ordered),
        "median": statistics.median(ordered),
        "p90": ordered[math.ceil(0.9 * len(ordered)) - 1],
    }


def _process_times(year: int) -> dict[str, Any]:
    """How long things take: from inquiry to first interview (courses first interviewed in
    the year), first interview to decision (decisions in the year, by authority and
    gender), reflection periods started in the year, and decision to departure (departures
    in the year)."""
    first_interviews = {
        row["case_id"]: timezone.localtime(row["first"]).date()
        for row in Interview.objects.values("case_id").annotate(first=Min("held_at"))
    }
    received = {}
    for row in InquiryPerson.objects.filter(case__isnull=False).values(
        "case_id", "inquiry__received_at"
    ):
        day = timezone.localtime(row["inquiry__received_at"]).date()
        received[row["case_id"]] = min(day, received.get(row["case_id"], day))
    to_interview = [
        (first - received[case_id]).days
        for case_id, first in first_interviews.items()
        if first.year == year and case_id in received
    ]
    decisions = Assessment.objects.filter(decided_on__year=year).values(
        "case_id", "decided_on", "authority", "case__person__gender"
    )
    to_decision, by_authority, by_gender = [], defaultdict(list), defaultdict(list)
    for row in decisions:
        if row["case_id"] in first_interviews:
            days = (row["decided_on"] - first_interviews[row["case_id"]]).days
            to_decision.append(days)
            by_authority[row["authority"]].append(days)
            by_gender[row["case__person__gender"]].append(days)
    reflection = [
        p.granted_days
        for p in ReflectionPeriod.objects.filter(starts_on__year=year).prefetch_related(
            "extensions"
        )
    ]
    decided = dict(Assessment.objects.values_list("case_id", "decided_on"))
    to_departure = [
        (r.departure_on - decided[r.case_id]).days
        for r in PreparedReturn.objects.filter(departure_on__year=year)
        if r.case_id in decided
    ]
    return {
        "inquiry_to_first_interview": _spread(to_interview),
        "first_interview_to_decision": {
            "all": _spread(to_decision),
            "by_authority": {k: _spread(v) for k, v in sorted(by_authority.items())},
            "by_gender": {k: _spread(v) for k, v in sorted(by_gender.items())},
        },
        "reflection_period_days": _spread(reflection),
        "decision_to_departure": _spread(to_departure),
    }


def _police_reports(people: list[Assessed]) -> dict[str, Any]:
    newest: dict[int, PoliceReport] = {}
    for report in PoliceReport.objects.filter(case_id__in=[p.case_id for p in people]).order_by(
        "recorded_at", "id"
    ):
        newest[report.case_id] = report
    filed = [r for r in newest.values() if r.filed]
    not_filed = [r for r in newest.values() if not r.filed]
    return {
        "filed": len(filed),
        "by_provision": _counts(p for r in filed for p in r.provisions),
        "not_filed": len(not_filed),
        "not_filed_by_reason": _counts(r.not_filed_reason for r in not_filed),
    }


def _prepared_returns(year: int, assessed_ids: set[int]) -> dict[str, Any]:
    rows = PreparedReturn.objects.filter(departure_on__year=year).values(
        "destination", "case__person_id", "case__person__nationality"
    )
    in_year = [r for r in rows if r["case__person_id"] in assessed_ids]
    return {
        "total": len(rows),
        "assessed_in_year": len(in_year),
        "assessed_earlier": len(rows) - len(in_year),
        "by_destination": _counts(r["destination"] for r in rows),
        "assessed_in_year_by_nationality": _counts(r["case__person__nationality"] for r in in_year),
    }


def _time_series(year: int) -> dict[str, dict[str, dict[str, int]]]:
    first = Assessment.objects.filter(outcome=Outcome.TRAFFICKED).aggregate(first=Min("decided_on"))
    start = first["first"].year if first["first"] else year
    by_form, by_gender = {}, {}
    for y in range(start, year + 1):
        people = assessed_in(y)
        by_form[str(y)] = _counts(p.form for p in people)
        by_gender[str(y)] = _counts(p.gender for p in people)
    return {"by_exploitation": by_form, "by_gender": by_gender}


def _persons_investigated(year: int) -> int:
    first_interviews = (
        Interview.objects.values("case_id", "case__person_id")
        .annotate(first=Min("held_at"))
        .filter(first__gte=_year_bounds(year)[0], first__lt=_year_bounds(year)[1])
    )
    return len({row["case__person_id"] for row in first_interviews})


def _recurring(year: int, people: list[Assessed]) -> int:
    earlier = set(
        Assessment.objects.filter(
            outcome=Outcome.TRAFFICKED,
            decided_on__lt=date(year, 1, 1),
            case__person_id__in=[p.person_id for p in people],
        ).values_list("case__person_id", flat=True)
    )
    return len(earlier)


def statistics_for(year: int) -> dict[str, Any]:
    """The year's figures, with codes as keys; codes with zero are left out."""
    start, end = _year_bounds(year)
    in_year = Inquiry.objects.filter(received_at__gte=start, received_at__lt=end)
    about_victims = list(
        in_year.filter(subject=Subject.POSSIBLE_VICTIM).values_list("channel", "caller_type")
    )
    hotline = list(in_year.filter(channel=Channel.HOTLINE).values_list("caller_type", flat=True))
    people = assessed_in(year)
    grouped: dict[str, list] = defaultdict(list)
    for channel, caller in about_victims:
        grouped[channel].append(caller)
    return {
        "year": year,
        "inquiries": {
            "total": len(about_victims),
            "by_channel": {k: len(v) for k, v in sorted(grouped.items())},
            "self_referrals": sum(1 for _c, caller in about_victims if caller == "self"),
        },
        "hotline_calls": {"total": len(hotline), "by_caller_type": _counts(hotline)},
        "persons_investigated": _persons_investigated(year),
        "assessed": _assessed_table(people),
        "time_series": _time_series(year),
        "prepared_returns": _prepared_returns(year, {p.person_id for p in people}),
        "status_at_year_end": _status_at_year_end(people, year),
        "police_reports": _police_reports(people),
        "recurring_persons": _recurring(year, people),
        "process_times": _process_times(year),
    }
