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

from django.db import connection
from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, ExtractYear, TruncDate, TruncYear
from django.utils import timezone

from cases.models import (
    Assessment,
    Case,
    Extension,
    Interview,
    Outcome,
    PoliceReport,
    ReflectionPeriod,
)
from cases.models.person import ADULT_AGE, age_on
from referrals.models import Channel, Inquiry, InquiryPerson, Subject
from repatriation.models import DEPARTED, PreparedReturn, has_departed
from rules import codes


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
    # The day the person left on a prepared return (None if they have not left).
    departed_on: date | None = None

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
            "case__prepared_return__departure_on",
            "case__prepared_return__state",
            "case__prepared_return__stopped_at",
        )
    )
    # Each code counts under its statistics category (a code added later counts with the
    # category it was given, so the tables keep their rows).
    actors, forms, industries = (
        codes.categories(name) for name in ("contact_actor", "exploitation_form", "industry")
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
                contact_actor=actors.get(r["contact_actor"], r["contact_actor"]),
                form=forms.get(r["exploitation_form"], r["exploitation_form"]),
                sexual_kind=r["sexual_kind"],
                industry=industries.get(r["forced_labour_industry"], r["forced_labour_industry"]),
                criminal_kinds=sorted(r["criminal_kinds"] or []),
                gender=r["case__person__gender"],
                nationality=r["case__person__nationality"],
                # An anonymised person's age on the decision date was kept when the
                # date of birth was erased (retention/services.py).
                age=r["age_at_decision"]
                if r["age_at_decision"] is not None
                else age_on(r["case__person__birth_date"], r["decided_on"]),
                declared_minor=r["case__person__declared_minor"],
                end_status=r["case__end_status"],
                ended_on=r["case__ended_on"],
                departed_on=r["case__prepared_return__departure_on"]
                if has_departed(
                    r["case__prepared_return__state"], r["case__prepared_return__stopped_at"]
                )
                else None,
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
    """The person's status on 31 December (docs/year-end-status.md): of the course's dated
    ends on or before that day, the latest; a departure on a prepared return is such an
    end (`prepared_return`), and so is the course's own end. With neither, the person is
    still supported (`continued_support`). On the same day the course's own end decides:
    it is the more specific record."""
    last_day = date(year, 12, 31)
    ends = []
    if person.departed_on and person.departed_on <= last_day:
        ends.append((person.departed_on, 0, "prepared_return"))
    if person.ended_on and person.ended_on <= last_day and person.end_status:
        ends.append((person.ended_on, 1, person.end_status))
    return max(ends)[2] if ends else "continued_support"


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


class DaysBetween(Func):
    """Whole days from the second date to the first, as an integer, in the database."""

    arity = 2
    output_field = IntegerField()
    # PostgreSQL: date - date is a number of days.
    template = "(%(expressions)s)"
    arg_joiner = " - "

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite keeps dates as ISO text; julianday() of two dates differs by whole days.
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


def _first_interview_day(case_ref: str) -> Subquery:
    """The local date of the case's first interview (the case is `case_ref` outside)."""
    return Subquery(
        Interview.objects.filter(case_id=OuterRef(case_ref))
        .values("case_id")
        .annotate(day=Min(TruncDate("held_at")))
        .values("day"),
        output_field=DateField(),
    )


def _first_interviewed_in(year: int) -> QuerySet:
    """The interviews in `year` of the courses with no interview before it: their first
    interview was in the year. (Against the year's interviews, not every course's first.)"""
    start, end = _year_bounds(year)
    earlier = Interview.objects.filter(case_id=OuterRef("case_id"), held_at__lt=start)
    return Interview.objects.filter(held_at__gte=start, held_at__lt=end).exclude(Exists(earlier))


def _spreads(days: QuerySet, groups: tuple[str, ...] = ()) -> dict[str, Any]:
    """The spread of `days` (a query with a "days" column and a column for each of
    `groups`): over all rows, and per value of each group. On PostgreSQL the percentiles
    are computed there (percentile_cont is statistics.median, percentile_disc the nearest
    rank); elsewhere the days are read and computed in Python."""
    days = days.order_by().values(*groups, "days")
    result: dict[str, Any] = {"all": {"n": 0}, **{g: {} for g in groups}}
    if connection.vendor != "postgresql":
        values: dict[str, Any] = {"all": [], **{g: defaultdict(list) for g in groups}}
        for row in days:
            values["all"].append(row["days"])
            for g in groups:
                values[g][row[g]].append(row["days"])
        result["all"] = _spread(values["all"])
        for g in groups:
            result[g] = {k: _spread(v) for k, v in sorted(values[g].items())}
        return result
    inner, params = days.query.sql_with_params()
    columns = [connection.ops.quote_name(g) for g in groups]
    sets = ", ".join(["()", *(f"({c})" for c in columns)])
    grouping = "".join(f"GROUPING({c}), " for c in columns)
    select = "".join(f"{c}, " for c in columns)
    # Only the ORM's compiled query (its values passed as parameters) and column names from
    # this module are put into the text.
    sql = (
        f"SELECT {select}{grouping}count(*), "  # noqa: S608  # nosec B608
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY days), "
        "percentile_disc(0.9) WITHIN GROUP (ORDER BY days) "
        f"FROM ({inner}) AS d GROUP BY GROUPING SETS ({sets})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for row in rows:
        keys, flags = row[: len(groups)], row[len(groups) : 2 * len(groups)]
        n, median, p90 = row[2 * len(groups) :]
        # As _spread: statistics.median is the middle value itself when n is odd; no rows,
        # no figures (the grand total of nothing is one row with n = 0).
        spread = {"n": n, "median": int(median) if n % 2 else median, "p90": p90} if n else {"n": 0}
        # GROUPING(column) is 0 for the one column a row is grouped by, 1 for the others.
        by = [(g, key) for g, key, flag in zip(groups, keys, flags, strict=True) if not flag]
        if by:
            result[by[0][0]][by[0][1]] = spread
        else:
            result["all"] = spread
    for g in groups:
        result[g] = dict(sorted(result[g].items()))
    return result


def _process_times(year: int) -> dict[str, Any]:
    """How long things take: from inquiry to first interview (courses first interviewed in
    the year), first interview to decision (decisions in the year, by authority and
    gender), reflection periods started in the year, and decision to departure (departures
    in the year)."""
    received_day = Subquery(
        InquiryPerson.objects.filter(case_id=OuterRef("case_id"))
        .values("case_id")
        .annotate(day=Min(TruncDate("inquiry__received_at")))
        .values("day"),
        output_field=DateField(),
    )
    # The courses without an inquiry, or without an interview, are left out by Exists
    # rather than by the day being null: a filter on an annotated subquery runs it twice.
    to_interview = (
        _first_interviewed_in(year)
        .filter(Exists(InquiryPerson.objects.filter(case_id=OuterRef("case_id"))))
        .values("case_id")
        .annotate(days=DaysBetween(Min(TruncDate("held_at")), received_day))
    )
    to_decision = (
        Assessment.objects.filter(decided_on__year=year)
        .filter(Exists(Interview.objects.filter(case_id=OuterRef("case_id"))))
        .annotate(
            days=DaysBetween("decided_on", _first_interview_day("case_id")),
            by_authority=F("authority"),
            by_gender=F("case__person__gender"),
        )
    )
    decision = _spreads(to_decision, ("by_authority", "by_gender"))
    pending = Subquery(
        Extension.objects.filter(period_id=OuterRef("pk"), status=Extension.Status.PENDING)
        .values("period_id")
        .annotate(days=Sum("days"))
        .values("days"),
        output_field=IntegerField(),
    )
    # ReflectionPeriod.granted_days: the total less extensions still awaiting approval.
    reflection = ReflectionPeriod.objects.filter(starts_on__year=year).annotate(
        days=F("total_days") - Coalesce(pending, 0)
    )
    to_departure = PreparedReturn.objects.filter(
        DEPARTED, departure_on__year=year, case__assessment__isnull=False
    ).annotate(days=DaysBetween("departure_on", "case__assessment__decided_on"))
    return {
        "inquiry_to_first_interview": _spreads(to_interview)["all"],
        "first_interview_to_decision": {
            "all": decision["all"],
            "by_authority": decision["by_authority"],
            "by_gender": decision["by_gender"],
        },
        "reflection_period_days": _spreads(reflection)["all"],
        "decision_to_departure": _spreads(to_departure)["all"],
    }


def _first_of_their_year(decisions: QuerySet) -> QuerySet:
    """The trafficked decisions among `decisions` that are their person's first of that
    year (on the same day, the lower id): assessed_in's rule, in the database."""
    earlier = Assessment.objects.filter(
        outcome=Outcome.TRAFFICKED,
        case__person_id=OuterRef("case__person_id"),
        decided_on__gte=OuterRef("year_start"),
    ).filter(
        Q(decided_on__lt=OuterRef("decided_on"))
        | Q(decided_on=OuterRef("decided_on"), id__lt=OuterRef("id"))
    )
    return (
        decisions.filter(outcome=Outcome.TRAFFICKED)
        .alias(year_start=TruncYear("decided_on"))
        .exclude(Exists(earlier))
    )


def _first_decisions_in(year: int) -> QuerySet:
    """Each person's first trafficked decision of `year`: the decisions assessed_in reads."""
    return _first_of_their_year(Assessment.objects.filter(decided_on__year=year))


def _police_reports(year: int) -> dict[str, Any]:
    """The newest police report of each assessed person's case."""
    newer = PoliceReport.objects.filter(case_id=OuterRef("case_id")).filter(
        Q(recorded_at__gt=OuterRef("recorded_at"))
        | Q(recorded_at=OuterRef("recorded_at"), id__gt=OuterRef("id"))
    )
    # The assessed persons' cases as a subquery: a list of thousands of ids cost more to
    # send than the query took.
    newest = (
        PoliceReport.objects.filter(case_id__in=_first_decisions_in(year).values("case_id"))
        .exclude(Exists(newer))
        .order_by()
        .values_list("filed", "provisions", "not_filed_reason")
    )
    filed = [provisions for is_filed, provisions, _reason in newest if is_filed]
    not_filed = [reason for is_filed, _provisions, reason in newest if not is_filed]
    return {
        "filed": len(filed),
        "by_provision": _counts(p for provisions in filed for p in provisions),
        "not_filed": len(not_filed),
        "not_filed_by_reason": _counts(not_filed),
    }


def _prepared_returns(year: int, assessed_ids: set[int]) -> dict[str, Any]:
    # A return stopped before the journey has a planned date, not a departure.
    rows = PreparedReturn.objects.filter(DEPARTED, departure_on__year=year).values(
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
    """Assessed by form and by gender for every year from the first decision to `year`,
    each person once a year (their first decision that year, as assessed_in), counted in
    the database."""
    first = Assessment.objects.filter(outcome=Outcome.TRAFFICKED).aggregate(first=Min("decided_on"))
    start = first["first"].year if first["first"] else year
    by_form: dict[str, dict[str, int]] = {str(y): {} for y in range(start, year + 1)}
    by_gender: dict[str, dict[str, int]] = {str(y): {} for y in range(start, year + 1)}
    if not by_form:
        return {"by_exploitation": by_form, "by_gender": by_gender}
    # An anti-join rather than ROW_NUMBER over all of them: no sort of every decision since
    # 2007 by person (a third faster at scale, and no spill to disk).
    rows = (
        _first_of_their_year(
            Assessment.objects.filter(
                decided_on__gte=date(start, 1, 1), decided_on__lte=date(year, 12, 31)
            )
        )
        .values_list(ExtractYear("decided_on"), "exploitation_form", "case__person__gender")
        .annotate(n=Count("id"))
        .order_by()
    )
    form_counts: Counter = Counter()
    gender_counts: Counter = Counter()
    forms = codes.categories("exploitation_form")
    for decided_year, form, gender, n in rows:
        form_counts[(str(decided_year), forms.get(form, form))] += n
        gender_counts[(str(decided_year), gender)] += n
    for table, counts in ((by_form, form_counts), (by_gender, gender_counts)):
        for (y, value), n in sorted(counts.items()):
            if value:
                table[y][value] = n
    return {"by_exploitation": by_form, "by_gender": by_gender}


def _persons_investigated(year: int) -> int:
    return (
        Case.objects.filter(pk__in=_first_interviewed_in(year).values("case_id"))
        .values("person_id")
        .distinct()
        .count()
    )


def _recurring(year: int) -> int:
    """Persons assessed trafficked in `year` who were assessed trafficked before it."""
    earlier = Assessment.objects.filter(
        outcome=Outcome.TRAFFICKED,
        decided_on__lt=date(year, 1, 1),
        case__person_id=OuterRef("case__person_id"),
    )
    return (
        Assessment.objects.filter(outcome=Outcome.TRAFFICKED, decided_on__year=year)
        .filter(Exists(earlier))
        .values("case__person_id")
        .distinct()
        .count()
    )


def statistics_for(year: int, people: list[Assessed] | None = None) -> dict[str, Any]:
    """The year's figures, with codes as keys; codes with zero are left out. `people` is
    assessed_in(year) when the caller has it already."""
    start, end = _year_bounds(year)
    # One grouped count of the year's inquiries gives both tables.
    inquiries = (
        Inquiry.objects.filter(received_at__gte=start, received_at__lt=end)
        .values_list("subject", "channel", "caller_type")
        .annotate(n=Count("id"))
        .order_by()
    )
    about_victims: Counter = Counter()
    hotline: Counter = Counter()
    self_referrals = 0
    callers = codes.categories("contact_actor")
    for subject, channel, code, n in inquiries:
        caller = callers.get(code, code)
        if subject == Subject.POSSIBLE_VICTIM:
            about_victims[channel] += n
            if caller == "self":
                self_referrals += n
        if channel == Channel.HOTLINE:
            hotline[caller] += n
    if people is None:
        people = assessed_in(year)
    return {
        "year": year,
        "inquiries": {
            "total": sum(about_victims.values()),
            "by_channel": dict(sorted(about_victims.items())),
            "self_referrals": self_referrals,
        },
        "hotline_calls": {
            "total": sum(hotline.values()),
            "by_caller_type": {k: n for k, n in sorted(hotline.items()) if k},
        },
        "persons_investigated": _persons_investigated(year),
        "assessed": _assessed_table(people),
        "time_series": _time_series(year),
        "prepared_returns": _prepared_returns(year, {p.person_id for p in people}),
        "status_at_year_end": _status_at_year_end(people, year),
        "police_reports": _police_reports(year),
        "recurring_persons": _recurring(year),
        "process_times": _process_times(year),
    }
