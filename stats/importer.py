"""Importing inquiries and cases from the previous system (JSON Lines; docs/import-format.md).

A file is checked whole before anything is written: one bad line and nothing is imported,
and every bad line is reported with its number and why. Records already imported (same
reference) are left as they are, so importing a file twice changes nothing the second time.
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django_countries import countries

from cases.models import (
    AssessingAuthority,
    Assessment,
    Case,
    CaseState,
    CriminalKind,
    EndStatus,
    FiledBy,
    Interview,
    NotFiledReason,
    Outcome,
    Person,
    PoliceReport,
    Provision,
    Recommendation,
    ResidenceStatus,
    SexualKind,
)
from cases.models.person import age_on
from cases.services import birth_date_from_age
from cmm.audit import services as audit
from cmm.core.codes import STATELESS, ExploitationForm, Gender
from referrals.models import Channel, CloseReason, Inquiry, InquiryState, Subject
from repatriation.models import PreparedReturn, ReturnState
from rules import codes
from rules.lookup import remembered

IMPORT_USERNAME = "import"
NATIONALITIES = {c.code for c in countries} | {"XK", STATELESS}


class ImportFailed(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ImportResult:
    inquiries: int = 0
    cases: int = 0
    skipped: int = 0


@dataclass
class _Line:
    number: int
    data: dict[str, Any]
    errors: list[str] = field(default_factory=list)

    def fail(self, message: str) -> None:
        self.errors.append(f"line {self.number}: {message}")

    def code(self, obj: dict, key: str, allowed, *, required: bool = True) -> str:
        value = obj.get(key)
        if value in (None, ""):
            if required:
                self.fail(f"{key} is missing")
            return ""
        if value not in allowed:
            self.fail(f"{key} {value!r} is not a known code")
        return value

    def day(self, obj: dict, key: str, *, required: bool = True) -> date | None:
        value = obj.get(key)
        if value in (None, ""):
            if required:
                self.fail(f"{key} is missing")
            return None
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            self.fail(f"{key} {value!r} is not a date (YYYY-MM-DD)")
            return None


def _noon(day: date) -> datetime:
    """Dates from the old system carry no time: noon in Copenhagen keeps the day whole."""
    return timezone.make_aware(datetime.combine(day, time(12)))


def _check_inquiry(line: _Line) -> None:
    d = line.data
    if not d.get("ref"):
        line.fail("ref is missing")
    line.day(d, "received_on")
    line.code(d, "channel", Channel.values)
    line.code(d, "caller_type", codes.known("contact_actor"))
    line.code(d, "subject", Subject.values)


def _check_case(line: _Line) -> None:
    d = line.data
    if not d.get("ref"):
        line.fail("ref is missing")
    person = d.get("person")
    if not isinstance(person, dict):
        line.fail("person is missing")
        person = {}
    line.code(person, "gender", Gender.values)
    line.code(person, "residence_status", ResidenceStatus.values, required=False)
    nationality = person.get("nationality")
    if nationality not in NATIONALITIES:
        line.fail(f"nationality {nationality!r} is not an ISO 3166 code, XK or stateless")
    line.day(person, "birth_date", required=False)
    age = person.get("age")
    if age is not None and (not isinstance(age, int) or not 0 <= age <= 120):
        line.fail(f"age {age!r} is not a whole number of years")
    interviews = d.get("interviews", [])
    if not isinstance(interviews, list):
        line.fail("interviews must be a list of dates")
        interviews = []
    for value in interviews:
        line.day({"interview": value}, "interview")
    assessment = d.get("assessment")
    if assessment is not None:
        _check_assessment(line, assessment, bool(interviews))
    if age is not None and not line.errors:
        day = age_day(d)
        if day is None:
            line.fail(
                "age is the age at the assessment's decision or, without one, at the first "
                "interview, and this record has neither"
            )
        elif person.get("birth_date"):
            born = date.fromisoformat(person["birth_date"])
            if age_on(born, day) != age:
                line.fail(
                    f"age {age} contradicts birth_date {born.isoformat()} "
                    f"(on {day.isoformat()} the person was {age_on(born, day)})"
                )
    report = d.get("police_report")
    if report is not None:
        _check_police_report(line, report)
    prepared = d.get("prepared_return")
    if prepared is not None:
        line.day(prepared, "departed_on")
        if prepared.get("destination") not in NATIONALITIES:
            line.fail(f"destination {prepared.get('destination')!r} is not a country code")
    end = d.get("end")
    if end is not None:
        line.code(end, "status", EndStatus.values)
        line.day(end, "on")
        if assessment is None or assessment.get("outcome") != Outcome.TRAFFICKED:
            line.fail("only a course assessed as trafficked has an end status")


def age_day(d: dict) -> date | None:
    """The day a record's `age` is the age on: the assessment's decision date or, for a
    person only investigated, the first interview (docs/import-format.md)."""
    assessment = d.get("assessment")
    if assessment is not None:
        return date.fromisoformat(assessment["decided_on"])
    interviews = d.get("interviews") or []
    return min(date.fromisoformat(v) for v in interviews) if interviews else None


def _check_assessment(line: _Line, a: dict, has_interview: bool) -> None:
    line.code(a, "authority", AssessingAuthority.values)
    line.code(a, "outcome", Outcome.values)
    line.day(a, "decided_on")
    line.code(a, "contact_actor", codes.known("contact_actor"), required=False)
    if not has_interview:
        line.fail("an assessment needs at least one interview")
    exploitation = a.get("exploitation") or {}
    form = codes.category(
        "exploitation_form",
        line.code(exploitation, "form", codes.known("exploitation_form"), required=False) or "",
    )
    line.code(exploitation, "sexual_kind", SexualKind.values, required=False)
    line.code(exploitation, "industry", codes.known("industry"), required=False)
    kinds = exploitation.get("criminal_kinds", [])
    if not isinstance(kinds, list) or any(k not in CriminalKind.values for k in kinds):
        line.fail(f"criminal_kinds {kinds!r} must be a list of known codes")
    details = {
        "sexual_kind": ExploitationForm.SEXUAL,
        "industry": ExploitationForm.FORCED_LABOUR,
        "criminal_kinds": ExploitationForm.CRIMINAL,
    }
    for key, wanted in details.items():
        if exploitation.get(key) and form != wanted:
            line.fail(f"{key} is only for the form {wanted}")


def _check_police_report(line: _Line, r: dict) -> None:
    filed = r.get("filed")
    if filed is True:
        line.day(r, "filed_on")
        line.code(r, "filed_by", FiledBy.values)
        provisions = r.get("provisions")
        if not provisions or any(p not in Provision.values for p in provisions):
            line.fail(f"provisions {provisions!r} must list 262a, 262b or other")
    elif filed is False:
        line.code(r, "reason", NotFiledReason.values)
    else:
        line.fail("police_report.filed must be true or false")


def read(path: Path) -> list[_Line]:
    """Parse and check every line; raise ImportFailed listing every bad one."""
    with remembered():
        return _read(path)


def _read(path: Path) -> list[_Line]:
    lines, errors, refs = [], [], {"inquiry": set(), "case": set()}
    with path.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                errors.append(f"line {number}: not JSON ({exc.msg})")
                continue
            line = _Line(number, data if isinstance(data, dict) else {})
            kind = line.data.get("type")
            if kind == "inquiry":
                _check_inquiry(line)
            elif kind == "case":
                _check_case(line)
            else:
                line.fail(f"type {kind!r} is neither inquiry nor case")
            if kind in refs and line.data.get("ref"):
                if line.data["ref"] in refs[kind]:
                    line.fail(f"{kind} {line.data['ref']} appears twice in the file")
                refs[kind].add(line.data["ref"])
            errors.extend(line.errors)
            lines.append(line)
    known = refs["inquiry"] | set(
        Inquiry.objects.filter(
            reference__in=[ln.data.get("inquiry_ref") for ln in lines if ln.data.get("inquiry_ref")]
        ).values_list("reference", flat=True)
    )
    for line in lines:
        ref = line.data.get("inquiry_ref")
        if line.data.get("type") == "case" and ref and ref not in known:
            errors.append(
                f"line {line.number}: inquiry_ref {ref} is in neither the file nor the system"
            )
    if errors:
        raise ImportFailed(errors)
    return lines


def _import_user() -> User:
    user, created = User.objects.get_or_create(
        username=IMPORT_USERNAME, defaults={"is_active": False, "first_name": "Import"}
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user


@transaction.atomic
def import_file(path: Path) -> ImportResult:
    """Import a checked file in one transaction."""
    lines = read(path)
    actor = _import_user()
    result = ImportResult()
    inquiries = {ln.data["ref"]: ln.data for ln in lines if ln.data["type"] == "inquiry"}
    referred = {ln.data.get("inquiry_ref") for ln in lines if ln.data["type"] == "case"}
    existing_inquiries = set(
        Inquiry.objects.filter(reference__in=inquiries).values_list("reference", flat=True)
    )
    for ref, d in inquiries.items():
        if ref in existing_inquiries:
            result.skipped += 1
            continue
        is_referred = ref in referred
        inquiry = Inquiry(
            reference=ref,
            received_at=_noon(date.fromisoformat(d["received_on"])),
            channel=d["channel"],
            caller_type=d["caller_type"],
            subject=d["subject"],
            summary="Importeret fra det tidligere system.",
            state=InquiryState.REFERRED if is_referred else InquiryState.CLOSED,
            close_reason="" if is_referred else CloseReason.OTHER,
            created_by=actor,
        )
        inquiry.save()
        audit.record_create(actor, inquiry, ("received_at", "channel", "caller_type", "subject"))
        result.inquiries += 1

    existing_cases = set(
        Case.objects.filter(
            reference__in=[ln.data["ref"] for ln in lines if ln.data["type"] == "case"]
        ).values_list("reference", flat=True)
    )
    for line in lines:
        if line.data["type"] != "case":
            continue
        if line.data["ref"] in existing_cases:
            result.skipped += 1
            continue
        _import_case(actor, line.data)
        result.cases += 1
    return result


def _person(actor: User, d: dict, age_on_day: date | None) -> Person:
    ref = d.get("ref", "")
    if ref:
        found = Person.objects.filter(source_ref=ref).first()
        if found is not None:
            return found
    birth_date = date.fromisoformat(d["birth_date"]) if d.get("birth_date") else None
    estimate = False
    if d.get("age") is not None and birth_date is None:
        birth_date = birth_date_from_age(d["age"], age_on_day)
        estimate = True
    person = Person.objects.create(
        name=f"Importeret person {ref}".strip(),
        source_ref=ref,
        gender=d["gender"],
        birth_date=birth_date,
        birth_date_is_estimate=estimate,
        nationality=d["nationality"],
        residence_status=d.get("residence_status", ""),
    )
    audit.record_create(actor, person, ("gender", "birth_date", "nationality", "residence_status"))
    return person


def _state(d: dict) -> str:
    assessment, end = d.get("assessment"), d.get("end")
    if assessment is None:
        return CaseState.INTERVIEWING if d.get("interviews") else CaseState.AWAITING_ASSIGNMENT
    if assessment["outcome"] == Outcome.NOT_TRAFFICKED:
        return CaseState.ASSESSED_NOT_TRAFFICKED
    return CaseState.ENDED if end else CaseState.IN_SUPPORT


def _import_case(actor: User, d: dict) -> Case:
    a = d.get("assessment")
    decided_on = date.fromisoformat(a["decided_on"]) if a else None
    person = _person(actor, d["person"], age_day(d))
    interviews = sorted(date.fromisoformat(v) for v in d.get("interviews", []))
    inquiry = (
        Inquiry.objects.filter(reference=d.get("inquiry_ref")).first()
        if d.get("inquiry_ref")
        else None
    )
    opened = (
        inquiry.received_at
        if inquiry
        else _noon(interviews[0] if interviews else decided_on or timezone.localdate())
    )
    end = d.get("end")
    case = Case(
        reference=d["ref"],
        person=person,
        state=_state(d),
        opened_at=opened,
        state_changed_at=opened,
        last_activity_at=opened,
        assessing_authority=a["authority"] if a else "",
        end_status=end["status"] if end else "",
        ended_on=date.fromisoformat(end["on"]) if end else None,
    )
    case.save()
    audit.record_create(actor, case, ("reference", "state", "end_status", "ended_on"))
    if inquiry is not None:
        inquiry.persons.create(
            alias=person.name, gender=person.gender, nationality=person.nationality, case=case
        )
    for day in interviews:
        interview = Interview.objects.create(
            case=case,
            held_at=_noon(day),
            place="Importeret",
            recommendation=Recommendation.UNCLEAR,
            recorded_by=actor,
        )
        audit.record_create(actor, interview, ("held_at",))
    if a:
        exploitation = a.get("exploitation") or {}
        assessment = Assessment.objects.create(
            case=case,
            authority=a["authority"],
            outcome=a["outcome"],
            decided_on=decided_on,
            contact_actor=a.get("contact_actor", ""),
            exploitation_form=exploitation.get("form", ""),
            sexual_kind=exploitation.get("sexual_kind", ""),
            forced_labour_industry=exploitation.get("industry", ""),
            criminal_kinds=sorted(exploitation.get("criminal_kinds", [])),
            recorded_by=actor,
        )
        audit.record_create(actor, assessment, ("authority", "outcome", "decided_on"))
    report = d.get("police_report")
    if report is not None:
        filed = report["filed"]
        police = PoliceReport.objects.create(
            case=case,
            filed=filed,
            filed_by=report.get("filed_by", "") if filed else "",
            provisions=sorted(report.get("provisions", [])) if filed else [],
            filed_on=date.fromisoformat(report["filed_on"]) if filed else None,
            not_filed_reason="" if filed else report["reason"],
            recorded_by=actor,
        )
        audit.record_create(actor, police, ("filed", "provisions", "not_filed_reason"))
    prepared = d.get("prepared_return")
    if prepared is not None:
        departed = date.fromisoformat(prepared["departed_on"])
        # The follow-up's end by the grant rules of the departure (no offer date is known).
        last_day = PreparedReturn(departure_on=departed).last_payment_day
        over = last_day < timezone.localdate()
        ret = PreparedReturn(
            case=case,
            state=ReturnState.COMPLETED if over else ReturnState.FOLLOW_UP,
            departure_on=departed,
            destination=prepared["destination"],
            completed_on=last_day if over else None,
        )
        ret.save()
        audit.record_create(actor, ret, ("state", "departure_on", "destination"))
    return case


def _years(lines: list[_Line]) -> set[int]:
    """The years a file's records fall in: received, interviewed, decided, departed, ended."""
    found = set()
    for line in lines:
        d = line.data
        days = [d.get("received_on"), *d.get("interviews", [])]
        days += [(d.get("assessment") or {}).get("decided_on")]
        days += [
            (d.get("prepared_return") or {}).get("departed_on"),
            (d.get("end") or {}).get("on"),
        ]
        found |= {date.fromisoformat(day).year for day in days if day}
    return found


def check_file(path: Path, years: list[int] | None = None) -> dict[int, dict]:
    """The statistics (as export_statistics writes them) that importing `path` would give
    for `years` (by default every year the file's records fall in), with nothing written:
    the import runs in a transaction that is rolled back. Raises ImportFailed as
    import_file does."""
    from stats.counting import statistics_for

    with transaction.atomic():
        import_file(path)
        wanted = sorted(years or _years(read(path)))
        figures = {year: statistics_for(year) for year in wanted}
        transaction.set_rollback(True)
    return figures
