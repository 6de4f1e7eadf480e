from dataclasses import dataclass
from datetime import date

from repatriation.models import Payment, PaymentKind, PreparedReturn, add_months


@dataclass
class Due:
    kind: str
    due_on: date | None
    amount: int


def payment_schedule(prepared: PreparedReturn) -> list[Due]:
    """What is due and when: cash monthly over the rules' months from the return (six in
    Denmark; the first on the day of return), in kind from the plan's approval up to the
    plan's budget."""
    schedule = []
    if prepared.plan_budget:
        schedule.append(Due(PaymentKind.IN_KIND, prepared.plan_approved_on, prepared.plan_budget))
    cap = prepared.cash_cap
    if cap and prepared.departure_on:
        months = prepared.grants.cash_months
        share, rest = divmod(cap, months)
        for month in range(months):
            amount = share + (rest if month == months - 1 else 0)
            schedule.append(Due(PaymentKind.CASH, add_months(prepared.departure_on, month), amount))
    return schedule


def paid_totals(payments: list[Payment]) -> dict[str, int]:
    totals = {PaymentKind.CASH: 0, PaymentKind.IN_KIND: 0}
    for payment in payments:
        totals[payment.kind] += payment.amount
    return totals


def next_payment_due(prepared: PreparedReturn, payments: list[Payment]) -> date | None:
    """The due date of the earliest scheduled payment not yet covered by what is paid."""
    paid = paid_totals(payments)
    due_dates = []
    covered = {PaymentKind.CASH: 0, PaymentKind.IN_KIND: 0}
    for due in payment_schedule(prepared):
        covered[due.kind] += due.amount
        if due.due_on is not None and covered[due.kind] > paid[due.kind]:
            due_dates.append(due.due_on)
    return min(due_dates, default=None)
