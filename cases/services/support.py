"""Support in the reflection period: the offer answered, the period and its extensions,
housing, services, a minor's care and the police report (domain.md §4-7)."""

from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import rules
from cases.models import (
    AssessingAuthority,
    Case,
    CaseState,
    ConsentKind,
    Extension,
    FiledBy,
    MinorCare,
    Placement,
    PoliceReport,
    ReflectionPeriod,
    SupportService,
)
from cases.models.assessment import authority_for
from cases.selectors import has_consent
from cases.services.common import _lock_work, _not_in_future, _touch
from cmm.audit import services as audit
from cmm.core.exceptions import Refused
from cmm.core.transitions import apply_transition
from rules.codes import check_codes


@transaction.atomic
def case_answer_offer(
    *, actor: AbstractBaseUser, case_id: int, version: int, accepted: bool, on: date
) -> Case:
    """The person's answer to the offer of support under the action plan."""
    case = _lock_work(actor, case_id, version)
    _not_in_future(on, _("The answer"))
    assessment = getattr(case, "assessment", None)
    if assessment and on < assessment.decided_on:
        raise Refused(_("The offer is answered after the assessment, not before."))
    apply_transition(
        actor,
        case,
        "accept_offer" if accepted else "decline_offer",
        audited_fields=("offer_decided_on", "end_status", "ended_on"),
        on=on,
    )
    return case


@transaction.atomic
def reflection_start(
    *, actor: AbstractBaseUser, case_id: int, version: int, starts_on: date, granted_by: str
) -> ReflectionPeriod:
    """Record the start of the reflection period and who granted it. Its length is the
    rules' of the decision date; who grants it follows the residence status by the rules
    of the date the report was sent (in Denmark: CMM for a person with legal residence,
    the Immigration Service otherwise)."""
    case = _lock_work(actor, case_id, version)
    if case.state != CaseState.IN_SUPPORT:
        raise Refused(_("The reflection period starts once the offer of support is accepted."))
    if ReflectionPeriod.objects.filter(case=case).exists():
        raise Refused(_("This course already has a reflection period."))
    expected = authority_for(case.person.residence_status, case.authority_rules_date())
    if granted_by != expected:
        raise Refused(
            _("With this residence status the reflection period is granted by %(who)s.")
            % {"who": AssessingAuthority(expected).label}
        )
    decided_on = case.decision_date()
    if starts_on < decided_on:
        raise Refused(
            _(
                "The reflection period cannot start before the decision that the person is "
                "trafficked (%(day)s)."
            )
            % {"day": decided_on.strftime("%d-%m-%Y")}
        )
    reflection = rules.at(decided_on).reflection
    period = ReflectionPeriod(
        case=case,
        starts_on=starts_on,
        granted_by=granted_by,
        total_days=reflection.base_days,
        max_days=reflection.max_days,
        recorded_by=actor,
    )
    period.ends_on = period.starts_on + timedelta(days=reflection.base_days - 1)
    period.save()
    audit.record_create(actor, period, ("starts_on", "granted_by", "total_days", "max_days"))
    _touch(case)
    return period


@transaction.atomic
def reflection_extend(
    *,
    actor: AbstractBaseUser,
    case_id: int,
    version: int,
    days: int,
    reason: str,
    granted_on: date,
    note: str = "",
) -> Extension:
    """Extend the reflection period. The whole period never exceeds the rules' maximum
    (of the decision date), counting extensions that await approval; the reason must be
    one those rules allow; one granted by CMM waits for a supervisor."""
    case = _lock_work(actor, case_id, version)
    period = ReflectionPeriod.objects.select_for_update().filter(case=case).first()
    if period is None:
        raise Refused(_("Record the reflection period before extending it."))
    if days < 1:
        raise Refused(_("An extension is at least one day."))
    _not_in_future(granted_on, _("The date granted"))
    if granted_on > period.ends_on:
        raise Refused(
            _("The period ended on %(day)s; an extension must be granted before it ends.")
            % {"day": period.ends_on.strftime("%d-%m-%Y")}
        )
    reflection = period.rules
    if reason not in reflection.extension_reasons:
        raise Refused(_("The rules of this course do not allow an extension for this reason."))
    if period.total_days + days > period.max_days:
        raise Refused(
            _("At most %(max)s days in all: %(left)s days can still be added.")
            % {"max": period.max_days, "left": period.days_available}
        )
    by_cmm = period.granted_by == AssessingAuthority.CMM
    extension = Extension.objects.create(
        period=period,
        days=days,
        reason=reason,
        note=note,
        granted_on=granted_on,
        recorded_by=actor,
        status=Extension.Status.PENDING if by_cmm else Extension.Status.APPROVED,
    )
    period.total_days += days
    period.ends_on = period.compute_ends_on()
    period.save(update_fields=["total_days", "ends_on"])
    audit.record_create(actor, extension, ("days", "reason", "granted_on", "status"))
    _touch(case)
    return extension


@transaction.atomic
def extension_decide(*, actor: AbstractBaseUser, extension_id: int, approve: bool) -> Extension:
    """A supervisor approves or rejects an extension granted by CMM."""
    if not actor.has_perm("cases.approve_extension"):
        raise PermissionDenied
    extension = Extension.objects.select_for_update().select_related("period").get(pk=extension_id)
    if extension.status != Extension.Status.PENDING:
        raise Refused(_("This extension has already been decided."))
    period = ReflectionPeriod.objects.select_for_update().get(pk=extension.period_id)
    extension.status = Extension.Status.APPROVED if approve else Extension.Status.REJECTED
    extension.decided_by = actor
    extension.decided_at = timezone.now()
    extension.save(update_fields=["status", "decided_by", "decided_at"])
    if not approve:
        period.total_days -= extension.days
    period.ends_on = period.compute_ends_on()
    period.save(update_fields=["total_days", "ends_on"])
    audit.record(
        actor,
        audit.Action.UPDATE,
        extension,
        changes={"status": [Extension.Status.PENDING, extension.status]},
    )
    _touch(Case.objects.select_for_update().get(pk=period.case_id))
    return extension


@transaction.atomic
def placement_add(
    *,
    actor: AbstractBaseUser,
    case_id: int,
    version: int,
    data: dict[str, Any],
) -> Placement:
    """Record a housing placement. Placements of a case never overlap; "disappeared" is
    recorded as the end reason of the placement the person left."""
    case = _lock_work(actor, case_id, version)
    starts_on, ends_on = data["starts_on"], data.get("ends_on")
    _not_in_future(starts_on, _("The start"))
    if ends_on and ends_on < starts_on:
        raise Refused(_("A placement cannot end before it starts."))
    if bool(ends_on) != bool(data.get("end_reason")):
        raise Refused(_("Give both the end date and the reason it ended, or neither."))
    check_codes(Placement, data)
    for other in case.placements.all():
        if other.overlaps(starts_on, ends_on):
            raise Refused(
                _("It overlaps the placement from %(day)s; end that one first.")
                % {"day": other.starts_on.strftime("%d-%m-%Y")}
            )
    placement = Placement.objects.create(
        case=case,
        recorded_by=actor,
        **{f: data.get(f) or "" for f in ("housing_type", "place", "end_reason")},
        starts_on=starts_on,
        ends_on=ends_on,
    )
    audit.record_create(actor, placement, PLACEMENT_FIELDS)
    _touch(case)
    return placement


@transaction.atomic
def placement_end(
    *,
    actor: AbstractBaseUser,
    case_id: int,
    version: int,
    placement_id: int,
    ends_on: date,
    reason: str,
) -> Placement:
    """End the current placement (moved, disappeared, left, ...)."""
    case = _lock_work(actor, case_id, version)
    placement = case.placements.select_for_update().get(pk=placement_id)
    if placement.ends_on is not None:
        raise Refused(_("This placement has already ended."))
    if ends_on < placement.starts_on:
        raise Refused(_("A placement cannot end before it starts."))
    _not_in_future(ends_on, _("The end"))
    check_codes(Placement, {"end_reason": reason})
    before = audit.snapshot(placement, PLACEMENT_FIELDS)
    placement.ends_on = ends_on
    placement.end_reason = reason
    placement.save(update_fields=["ends_on", "end_reason"])
    audit.record(
        actor,
        audit.Action.UPDATE,
        placement,
        changes=audit.diff(before, audit.snapshot(placement, PLACEMENT_FIELDS)),
    )
    _touch(case)
    return placement


PLACEMENT_FIELDS = ("housing_type", "place", "starts_on", "ends_on", "end_reason")


@transaction.atomic
def service_add(
    *, actor: AbstractBaseUser, case_id: int, version: int, data: dict[str, Any]
) -> SupportService:
    """Log a support service given to the person."""
    case = _lock_work(actor, case_id, version)
    _not_in_future(data["given_on"], _("The date"))
    if data.get("until") and data["until"] < data["given_on"]:
        raise Refused(_("The end cannot be before the start."))
    service = SupportService.objects.create(
        case=case,
        recorded_by=actor,
        kind=data["kind"],
        given_on=data["given_on"],
        until=data.get("until"),
        note=data.get("note", ""),
    )
    audit.record_create(actor, service, ("kind", "given_on", "until", "note"))
    _touch(case)
    return service


MINOR_FIELDS = ("representative", "representative_contact", "municipality", "placement")


@transaction.atomic
def minor_care_update(
    *, actor: AbstractBaseUser, case_id: int, version: int, data: dict[str, Any]
) -> MinorCare:
    """Record a minor's personal representative, municipality and placement."""
    case = _lock_work(actor, case_id, version)
    if not case.person.is_minor:
        raise Refused(_("These arrangements are for minors only."))
    care, created = MinorCare.objects.select_for_update().get_or_create(case=case)
    before = audit.snapshot(care, MINOR_FIELDS)
    for field in MINOR_FIELDS:
        setattr(care, field, data.get(field, ""))
    care.save()
    audit.record(
        actor,
        audit.Action.CREATE if created else audit.Action.UPDATE,
        care,
        changes=audit.diff(before, audit.snapshot(care, MINOR_FIELDS)),
    )
    _touch(case)
    return care


POLICE_FIELDS = (
    "filed",
    "filed_by",
    "provisions",
    "police_district",
    "filed_on",
    "not_filed_reason",
    "note",
)


@transaction.atomic
def police_report_record(
    *, actor: AbstractBaseUser, case_id: int, version: int, data: dict[str, Any]
) -> PoliceReport:
    """Record that a report was filed (by the person with CMM's help, or by CMM with the
    person anonymous) or why it was not. A report in the person's name needs their
    consent."""
    case = _lock_work(actor, case_id, version)
    if case.state not in (CaseState.IN_SUPPORT, CaseState.ENDED, CaseState.ASSESSED_TRAFFICKED):
        raise Refused(_("A police report is recorded for a person assessed as trafficked."))
    filed = data["filed"]
    if filed:
        missing = [
            f for f in ("filed_by", "provisions", "police_district", "filed_on") if not data.get(f)
        ]
        if missing:
            raise Refused(
                _("A filed report needs who filed it, the provisions, the district and the date.")
            )
        _not_in_future(data["filed_on"], _("The date filed"))
        if data["filed_by"] == FiledBy.PERSON_ASSISTED and not has_consent(
            case, ConsentKind.NAMED_POLICE_REPORT
        ):
            raise Refused(
                _(
                    "No consent to a report in the person's name is recorded. Record the "
                    "consent first, or let CMM file with the person anonymous."
                )
            )
        values = {f: data[f] for f in ("filed_by", "police_district", "filed_on")}
        values["provisions"] = sorted(set(data["provisions"]))
        values["not_filed_reason"] = ""
    else:
        if not data.get("not_filed_reason"):
            raise Refused(_("Give the reason the report was not filed."))
        values = {
            "filed_by": "",
            "provisions": [],
            "police_district": "",
            "filed_on": None,
            "not_filed_reason": data["not_filed_reason"],
        }
    report = PoliceReport.objects.create(
        case=case, filed=filed, note=data.get("note", ""), recorded_by=actor, **values
    )
    audit.record_create(actor, report, POLICE_FIELDS)
    _touch(case)
    return report
