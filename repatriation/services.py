"""Everything that changes a prepared return goes through here: one transaction, the
permission check, the change, and its audit event."""

from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseState
from cases.services import lock_case, refuse_if_anonymised
from cmm.audit import services as audit
from cmm.core.exceptions import Refused
from cmm.core.locking import lock_version
from cmm.core.transitions import apply_transition
from repatriation.models import Payment, PaymentKind, PreparedReturn, ReturnState, may_manage
from repatriation.selectors import next_payment_due

EDITABLE_FIELDS = (
    "offer_accepted_on",
    "application_sent_on",
    "application_approved_on",
    "children",
    "traffickers_at_home",
    "family_relations",
    "debt",
    "provider_duties",
    "health_in_denmark",
    "health_at_home",
    "risk_level",
    "plan_written_on",
    "plan_approved_on",
    "plan_budget",
    "partner_name",
    "partner_country",
    "partner_contact",
    "departure_on",
    "destination",
    "escort",
    "documents",
)
PAST_DATES = (
    "offer_accepted_on",
    "application_sent_on",
    "application_approved_on",
    "plan_written_on",
    "plan_approved_on",
)
STEPS = ("to_safety", "to_plan", "to_cooperation", "to_travel", "depart")


def _kr(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def _lock(return_id: int, version: int) -> PreparedReturn:
    prepared = lock_version(
        PreparedReturn.objects.select_related("case__person"),
        return_id,
        version,
        _(
            "Someone else changed this prepared return while you were working on it. "
            "Nothing was saved; check it and try again."
        ),
    )
    refuse_if_anonymised(prepared.case)
    return prepared


def _require(actor: AbstractBaseUser, prepared: PreparedReturn) -> None:
    if not may_manage(prepared, actor):
        raise PermissionDenied


def _paid(prepared: PreparedReturn, kind: str) -> int:
    return prepared.payments.filter(kind=kind).aggregate(total=Sum("amount"))["total"] or 0


def _case_activity(prepared: PreparedReturn) -> None:
    """Work on the return is work on the course: it keeps the case out of the inactive
    queue (without making open case forms stale)."""
    Case.objects.filter(pk=prepared.case_id).update(last_activity_at=timezone.now())


def _refresh_due(prepared: PreparedReturn) -> None:
    prepared.next_payment_due_on = next_payment_due(prepared, list(prepared.payments.all()))


def _check_caps(prepared: PreparedReturn) -> None:
    """The plan's budget and what is paid never exceed the caps; the message says by how
    much."""
    in_kind_cap = prepared.in_kind_cap
    if prepared.plan_budget > in_kind_cap:
        raise Refused(
            _("The plan's budget exceeds the in-kind cap of %(cap)s kr. by %(over)s kr.")
            % {"cap": _kr(in_kind_cap), "over": _kr(prepared.plan_budget - in_kind_cap)}
        )
    for kind, cap in ((PaymentKind.IN_KIND, in_kind_cap), (PaymentKind.CASH, prepared.cash_cap)):
        paid = _paid(prepared, kind)
        if paid > cap:
            raise Refused(
                _("%(kind)s payments would exceed the cap of %(cap)s kr. by %(over)s kr.")
                % {"kind": PaymentKind(kind).label, "cap": _kr(cap), "over": _kr(paid - cap)}
            )


@transaction.atomic
def return_start(*, actor: AbstractBaseUser, case_id: int, case_version: int) -> PreparedReturn:
    """Open a prepared return for a person receiving support."""
    case = lock_case(case_id, case_version)
    if not (
        actor.has_perm("cases.work_on_case", case)
        or actor.has_perm("repatriation.manage_prepared_return")
    ):
        raise PermissionDenied
    if case.state != CaseState.IN_SUPPORT:
        raise Refused(_("A prepared return is offered to a person receiving support."))
    if PreparedReturn.objects.filter(case=case).exists():
        raise Refused(_("This course already has a prepared return."))
    prepared = PreparedReturn.objects.create(case=case)
    audit.record_create(actor, prepared, ("state",))
    case.version += 1
    case.save(update_fields=["version"])
    return prepared


@transaction.atomic
def return_update(
    *, actor: AbstractBaseUser, return_id: int, version: int, data: dict[str, Any]
) -> PreparedReturn:
    """Record what is known at any step: dates, the risk assessment, the plan and its
    budget, the partner, the journey."""
    prepared = _lock(return_id, version)
    _require(actor, prepared)
    if prepared.state in (ReturnState.COMPLETED, ReturnState.STOPPED):
        raise Refused(_("A completed or stopped return can no longer be changed."))
    today = timezone.localdate()
    for field in PAST_DATES:
        if data.get(field) and data[field] > today:
            raise Refused(_("Dates of what has happened cannot be in the future."))
    if prepared.state == ReturnState.FOLLOW_UP and data.get("departure_on") not in (
        None,
        prepared.departure_on,
    ):
        raise Refused(_("The departure date cannot change after the departure."))
    before = audit.snapshot(prepared, EDITABLE_FIELDS)
    for field in EDITABLE_FIELDS:
        if field in data:
            setattr(prepared, field, data[field])
    _check_caps(prepared)
    changes = audit.diff(before, audit.snapshot(prepared, EDITABLE_FIELDS))
    prepared.version += 1
    _refresh_due(prepared)
    prepared.save()
    if changes:
        audit.record(actor, audit.Action.UPDATE, prepared, changes=changes)
    _case_activity(prepared)
    return prepared


@transaction.atomic
def return_advance(
    *, actor: AbstractBaseUser, return_id: int, version: int, step: str
) -> PreparedReturn:
    """Move on to the next step. Departing ends the course as a prepared return."""
    if step not in STEPS:
        raise Refused(_("This step is not possible in the current state."))
    prepared = _lock(return_id, version)
    if step == "depart":
        if prepared.departure_on and prepared.departure_on > timezone.localdate():
            raise Refused(_("Record the departure when the person has left."))
        apply_transition(actor, prepared, step)
        case = Case.objects.select_for_update().get(pk=prepared.case_id)
        apply_transition(
            actor,
            case,
            "end_with_prepared_return",
            audited_fields=("end_status", "ended_on"),
            on=prepared.departure_on,
        )
    else:
        apply_transition(actor, prepared, step)
        _case_activity(prepared)
    return prepared


@transaction.atomic
def return_complete(
    *, actor: AbstractBaseUser, return_id: int, version: int, on: date
) -> PreparedReturn:
    """The follow-up is over (at most the rules' months after the return)."""
    prepared = _lock(return_id, version)
    if on < prepared.departure_on or on > prepared.last_payment_day:
        raise Refused(
            _("The follow-up ends between the return and %(months)s months after it.")
            % {"months": prepared.grants.last_payment_months}
        )
    apply_transition(actor, prepared, "complete", audited_fields=("completed_on",), on=on)
    return prepared


@transaction.atomic
def return_stop(
    *, actor: AbstractBaseUser, return_id: int, version: int, reason: str, note: str = ""
) -> PreparedReturn:
    """Stop the return at its current step: withdrawn, disappeared or other."""
    prepared = _lock(return_id, version)
    if reason == "other" and not note.strip():
        raise Refused(_("Say why when the reason is 'Other'."))
    apply_transition(
        actor,
        prepared,
        "stop",
        reason=note.strip(),
        audited_fields=("stop_reason", "stopped_at"),
        reason_code=reason,
    )
    return prepared


@transaction.atomic
def payment_record(
    *,
    actor: AbstractBaseUser,
    return_id: int,
    version: int,
    kind: str,
    amount: int,
    paid_on: date,
    note: str = "",
) -> Payment:
    """Record a payment: cash from the return, in kind after the plan's approval, never
    past the caps and never later than the rules' months after the return."""
    prepared = _lock(return_id, version)
    _require(actor, prepared)
    if amount <= 0:
        raise Refused(_("An amount is more than 0 kr."))
    if paid_on > timezone.localdate():
        raise Refused(_("A payment is recorded when it is made, not before."))
    if kind == PaymentKind.CASH:
        if prepared.departure_on is None or prepared.state not in (
            ReturnState.FOLLOW_UP,
            ReturnState.COMPLETED,
        ):
            raise Refused(_("Cash is paid from the return home."))
        if paid_on < prepared.departure_on:
            raise Refused(_("Cash is paid from the return home, not before."))
    else:
        if prepared.plan_approved_on is None:
            raise Refused(_("In-kind support is paid once the reintegration plan is approved."))
        if paid_on < prepared.plan_approved_on:
            raise Refused(_("In-kind support is paid after the plan's approval, not before."))
    if prepared.last_payment_day and paid_on > prepared.last_payment_day:
        raise Refused(
            _("The last payment is due by %(day)s, %(months)s months after the return.")
            % {
                "day": prepared.last_payment_day.strftime("%d-%m-%Y"),
                "months": prepared.grants.last_payment_months,
            }
        )
    cap = prepared.cash_cap if kind == PaymentKind.CASH else prepared.in_kind_cap
    paid = _paid(prepared, kind)
    if paid + amount > cap:
        raise Refused(
            _("This payment would exceed the cap of %(cap)s kr. by %(over)s kr.")
            % {"cap": _kr(cap), "over": _kr(paid + amount - cap)}
        )
    payment = Payment.objects.create(
        prepared_return=prepared,
        kind=kind,
        amount=amount,
        paid_on=paid_on,
        note=note,
        recorded_by=actor,
    )
    audit.record_create(actor, payment, ("kind", "amount", "paid_on", "note"))
    prepared.version += 1
    _refresh_due(prepared)
    prepared.save(update_fields=["version", "next_payment_due_on"])
    _case_activity(prepared)
    return payment
