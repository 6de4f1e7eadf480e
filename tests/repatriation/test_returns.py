from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from cases import services as case_services
from cases.models import Case, CaseState
from cmm.audit.models import AuditEvent
from cmm.core.exceptions import Refused
from repatriation import services
from repatriation.models import PreparedReturn, ReturnState, add_months
from repatriation.selectors import payment_schedule
from tests.factories import case_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def supported(hanne, tove, karin):
    def _supported():
        return case_in("in_support", hotline=hanne, supervisor=tove, contact=karin)

    return _supported


def fresh(prepared):
    return PreparedReturn.objects.get(pk=prepared.pk)


def update(prepared, user, **data):
    return services.return_update(
        actor=user, return_id=prepared.pk, version=fresh(prepared).version, data=data
    )


def advance(prepared, user, step):
    return services.return_advance(
        actor=user, return_id=prepared.pk, version=fresh(prepared).version, step=step
    )


def pay(prepared, user, kind, amount, paid_on):
    return services.payment_record(
        actor=user,
        return_id=prepared.pk,
        version=fresh(prepared).version,
        kind=kind,
        amount=amount,
        paid_on=paid_on,
    )


@pytest.fixture
def opened(supported, karin):
    def _opened():
        case = supported()
        return services.return_start(actor=karin, case_id=case.pk, case_version=case.version)

    return _opened


def walk_to(prepared, user, state, departure_on=None):
    """Bring a return through the steps, recording what each needs."""
    today = timezone.localdate()
    order = ["application", "safety", "plan", "cooperation", "travel", "follow_up"]
    for target in order[1 : order.index(state) + 1]:
        if target == "safety":
            update(prepared, user, offer_accepted_on=today, application_sent_on=today)
            advance(prepared, user, "to_safety")
        elif target == "plan":
            update(prepared, user, risk_level="medium", traffickers_at_home=True)
            advance(prepared, user, "to_plan")
        elif target == "cooperation":
            case_services.consent_record(
                actor=user,
                case_id=prepared.case_id,
                kind="share_with_partners",
                given=True,
                given_on=today,
            )
            advance(prepared, user, "to_cooperation")
        elif target == "travel":
            update(prepared, user, partner_name="Partner NGO", partner_country="NG")
            advance(prepared, user, "to_travel")
        elif target == "follow_up":
            update(
                prepared,
                user,
                application_approved_on=today,
                departure_on=departure_on or today,
                destination="GH",
            )
            advance(prepared, user, "depart")
    return fresh(prepared)


# Step order ------------------------------------------------------------------------------


def test_the_steps_in_order_and_departure_ends_the_course(opened, karin):
    prepared = opened()
    prepared = walk_to(prepared, karin, "follow_up")
    assert prepared.state == ReturnState.FOLLOW_UP
    case = Case.objects.get(pk=prepared.case_id)
    assert (case.state, case.end_status, case.ended_on) == (
        CaseState.ENDED,
        "prepared_return",
        timezone.localdate(),
    )
    # The destination may differ from the nationality, and both feed the statistics.
    assert (prepared.destination, case.person.nationality) == ("GH", "NG")
    events = (
        AuditEvent.objects.for_object(prepared).filter(action="transition").order_by("at", "id")
    )
    assert [e.to_state for e in events] == ["safety", "plan", "cooperation", "travel", "follow_up"]


def test_no_step_can_be_skipped(opened, karin):
    prepared = opened()
    for step in ("to_plan", "to_cooperation", "to_travel", "depart"):
        with pytest.raises(Refused):
            advance(prepared, karin, step)
    assert fresh(prepared).state == ReturnState.APPLICATION


@pytest.mark.parametrize(
    ("state", "step", "message"),
    [
        ("application", "to_safety", "application sent"),
        ("plan", "to_cooperation", "consent to share"),
        ("safety", "to_plan", "risk level"),
        ("cooperation", "to_travel", "local partner"),
        ("travel", "depart", "departure date"),
    ],
)
def test_each_step_needs_its_facts(opened, karin, state, step, message):
    prepared = walk_to(opened(), karin, state)
    with translation.override("en"), pytest.raises(Refused, match=message):
        advance(prepared, karin, step)


def test_a_departure_in_the_future_is_not_a_departure(opened, karin):
    prepared = walk_to(opened(), karin, "travel")
    update(
        prepared,
        karin,
        application_approved_on=timezone.localdate(),
        departure_on=timezone.localdate() + timedelta(days=3),
        destination="NG",
    )
    with pytest.raises(Refused):
        advance(prepared, karin, "depart")


@pytest.mark.parametrize(
    "state", ["application", "safety", "plan", "cooperation", "travel", "follow_up"]
)
def test_stopping_at_each_step(opened, karin, state):
    prepared = walk_to(opened(), karin, state)
    services.return_stop(
        actor=karin, return_id=prepared.pk, version=prepared.version, reason="withdrawn"
    )
    prepared = fresh(prepared)
    assert (prepared.state, prepared.stopped_at, prepared.stop_reason) == (
        "stopped",
        state,
        "withdrawn",
    )
    with pytest.raises(Refused):
        update(prepared, karin, risk_level="low")


def test_stopping_for_other_reasons_needs_a_note(opened, karin):
    prepared = opened()
    with pytest.raises(Refused):
        services.return_stop(
            actor=karin, return_id=prepared.pk, version=prepared.version, reason="other"
        )


def test_completion_within_twelve_months_of_the_return(opened, karin):
    prepared = walk_to(opened(), karin, "follow_up")
    with pytest.raises(Refused):
        services.return_complete(
            actor=karin,
            return_id=prepared.pk,
            version=prepared.version,
            on=add_months(prepared.departure_on, 12) + timedelta(days=1),
        )
    services.return_complete(
        actor=karin, return_id=prepared.pk, version=prepared.version, on=prepared.departure_on
    )
    assert fresh(prepared).state == ReturnState.COMPLETED


def test_a_return_is_only_for_a_person_receiving_support(hanne, tove, karin):
    case = case_in("interviewing", hotline=hanne, supervisor=tove, contact=karin)
    with pytest.raises(Refused):
        services.return_start(actor=karin, case_id=case.pk, case_version=case.version)


# Permissions: the case's contact person and supervisors only ------------------------------


def test_a_colleague_may_not_touch_a_return_a_supervisor_may(opened, karin, kasper, tove, hanne):
    prepared = opened()
    for outsider in (kasper, hanne):
        with pytest.raises(PermissionDenied):
            update(prepared, outsider, risk_level="low")
        with pytest.raises(PermissionDenied):
            advance(prepared, outsider, "to_safety")
    update(
        prepared,
        tove,
        offer_accepted_on=timezone.localdate(),
        application_sent_on=timezone.localdate(),
    )
    advance(prepared, tove, "to_safety")
    assert fresh(prepared).state == ReturnState.SAFETY


def test_the_pages_follow_the_same_rule(opened, login, karin, kasper, tove, stig):
    prepared = opened()
    url = reverse("repatriation:detail", args=[prepared.pk])
    assert login(karin).get(url).status_code == 200
    assert login(tove).get(url).status_code == 200
    for outsider in (kasper, stig):
        assert login(outsider).get(url).status_code == 404
        assert (
            login(outsider).get(reverse("repatriation:edit", args=[prepared.pk])).status_code == 404
        )
        assert (
            login(outsider)
            .post(reverse("repatriation:payment_add", args=[prepared.pk]))
            .status_code
            == 404
        )
    assert AuditEvent.objects.for_object(prepared).filter(action="view", actor=karin).exists()


# Grants and caps ------------------------------------------------------------------------


def test_caps_for_an_adult_without_children(opened, karin):
    prepared = opened()
    assert (prepared.in_kind_cap, prepared.cash_cap) == (40_000, 10_000)


def test_caps_for_a_provider_with_two_children(opened, karin):
    prepared = update(opened(), karin, children=2)
    assert (prepared.in_kind_cap, prepared.cash_cap) == (40_000 + 2 * 9_000, 20_000)


def test_an_unaccompanied_minor_has_adult_rates(opened, karin, tove):
    prepared = opened()
    case = prepared.case
    case_services.person_update(
        actor=tove,
        case_id=case.pk,
        version=Case.objects.get(pk=case.pk).version,
        data={
            "birth_date": timezone.localdate() - timedelta(days=16 * 365),
            "unaccompanied_minor": True,
        },
    )
    prepared = fresh(prepared)
    assert prepared.case.person.is_minor
    assert (prepared.in_kind_cap, prepared.cash_cap) == (40_000, 10_000)


def test_the_plans_budget_cannot_exceed_the_cap_and_the_message_says_by_how_much(opened, karin):
    prepared = opened()
    with translation.override("en"), pytest.raises(Refused, match="by 500 kr"):
        update(prepared, karin, plan_budget=40_500)
    assert fresh(prepared).plan_budget == 0
    update(prepared, karin, plan_budget=40_000)


def test_fewer_children_cannot_leave_payments_above_the_new_cap(opened, karin):
    prepared = update(opened(), karin, children=1, plan_budget=49_000)
    with pytest.raises(Refused):
        update(prepared, karin, children=0)


# Payments and the schedule ---------------------------------------------------------------


def test_cash_is_paid_from_the_return_in_kind_after_the_plans_approval(opened, karin):
    prepared = opened()
    today = timezone.localdate()
    with pytest.raises(Refused):
        pay(prepared, karin, "cash", 1_000, today)
    with pytest.raises(Refused):
        pay(prepared, karin, "in_kind", 1_000, today)
    update(prepared, karin, plan_approved_on=today, plan_budget=30_000)
    pay(prepared, karin, "in_kind", 30_000, today)
    with translation.override("en"), pytest.raises(Refused, match=r"by 10\.001 kr"):
        pay(prepared, karin, "in_kind", 20_001, today)
    assert AuditEvent.objects.filter(action="create", object_ref__contains="/HJ/B").count() == 1


def test_cash_payments_stop_at_the_cap(opened, karin):
    prepared = walk_to(opened(), karin, "follow_up")
    for _ in range(5):
        pay(prepared, karin, "cash", 2_000, timezone.localdate())
    with translation.override("en"), pytest.raises(Refused, match="by 1 kr"):
        pay(prepared, karin, "cash", 1, timezone.localdate())


def test_a_payment_on_the_twelve_month_day_is_allowed_the_next_day_refused(opened, karin):
    with time_machine.travel(date(2026, 1, 31), tick=False):
        prepared = walk_to(opened(), karin, "follow_up", departure_on=date(2026, 1, 31))
    with time_machine.travel(date(2027, 2, 1), tick=False):
        pay(prepared, karin, "cash", 1_000, date(2027, 1, 31))
        with translation.override("en"), pytest.raises(Refused, match="31-01-2027"):
            pay(prepared, karin, "cash", 1_000, date(2027, 2, 1))


def test_the_cash_schedule_for_a_return_on_the_31st(opened, karin):
    with time_machine.travel(date(2026, 1, 31), tick=False):
        prepared = walk_to(opened(), karin, "follow_up", departure_on=date(2026, 1, 31))
        update(prepared, karin, children=1)
    schedule = [(d.due_on, d.amount) for d in payment_schedule(fresh(prepared)) if d.kind == "cash"]
    assert schedule == [
        (date(2026, 1, 31), 3_333),
        (date(2026, 2, 28), 3_333),
        (date(2026, 3, 31), 3_333),
        (date(2026, 4, 30), 3_333),
        (date(2026, 5, 31), 3_333),
        (date(2026, 6, 30), 3_335),
    ]
    assert sum(a for _, a in schedule) == 20_000


def test_add_months_clamps_to_the_end_of_short_months():
    assert add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)


def test_the_return_page_shows_progress_with_fixed_queries(opened, karin, login):
    prepared = walk_to(opened(), karin, "follow_up")
    client = login(karin)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("repatriation:detail", args=[prepared.pk])).status_code == 200
    for _ in range(5):
        pay(prepared, karin, "cash", 1_000, timezone.localdate())
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("repatriation:detail", args=[prepared.pk]))
    assert len(many) == len(few)
    assert 'aria-current="step"' in response.content.decode()
    case_page = client.get(reverse("cases:detail", args=[prepared.case_id]))
    assert case_page.context["prepared_return"] == prepared


def test_a_payment_form_with_errors_says_nothing_was_saved_and_keeps_the_page(opened, login, karin):
    prepared = opened()
    url = reverse("repatriation:payment_add", args=[prepared.pk])
    response = login(karin).post(url, {"version": prepared.version, "amount": "not a number"})
    assert response.status_code == 200
    assert "Intet blev gemt. Ret de markerede felter nedenfor." in response.content.decode()
    assert not prepared.payments.exists()
