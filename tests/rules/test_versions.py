"""Versions of the rules: what a version may hold, which one governs a day, how a change is
proposed and approved, and that a change never moves what earlier dates decided."""

import copy
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

import rules
from cases import queues
from cases import services as case_services
from cases.models import Case, ReflectionPeriod
from cmm.audit.models import AuditEvent
from cmm.core.exceptions import Refused
from repatriation import services as return_services
from repatriation.models import PreparedReturn
from rules.lookup import spans
from rules.models import RuleVersion
from rules.services import in_force, version_approve, version_propose, version_reject
from rules.values import RuleError, parse
from stats.counting import statistics_for
from tests.factories import UserFactory, case_in

pytestmark = pytest.mark.django_db
CPH = ZoneInfo("Europe/Copenhagen")
FIRST = date(2000, 1, 1)  # the initial Danish version's date (rules/migrations/0002)


def at_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=CPH)


@pytest.fixture
def sune(db):
    """A second supervisor, who approves what tove proposes."""
    return UserFactory(username="sune", role="supervisor")


def values_with(**changes):
    """The values in force today, deep-copied, with settings changed ("group__name")."""
    values = copy.deepcopy(in_force().values)
    for key, value in changes.items():
        group, name = key.split("__")
        values[group][name] = value
    return values


def propose(actor, effective_from, reason="Ny lovgivning.", **changes):
    return version_propose(
        actor=actor,
        effective_from=effective_from,
        values=values_with(**changes),
        reason=reason,
    )


def approved(proposer, approver, effective_from, **changes):
    """A new version from `effective_from`, proposed and approved through the services."""
    version = propose(proposer, effective_from, **changes)
    return version_approve(actor=approver, version_id=version.pk, note="Godkendt.")


@pytest.fixture
def make(hanne, tove, karin):
    def _make(state, **kw):
        return case_in(state, hotline=hanne, supervisor=tove, contact=karin, **kw)

    return _make


def fresh(case):
    return Case.objects.get(pk=case.pk)


def start_period(case, karin, starts_on):
    return case_services.reflection_start(
        actor=karin,
        case_id=case.pk,
        version=fresh(case).version,
        starts_on=starts_on,
        granted_by="immigration_service",
    )


def extend(case, karin, days):
    return case_services.reflection_extend(
        actor=karin,
        case_id=case.pk,
        version=fresh(case).version,
        days=days,
        reason="testimony",
        granted_on=timezone.localdate(),
    )


# What a version may hold ----------------------------------------------------------------


def errors_of(values):
    with translation.override("en"), pytest.raises(RuleError) as caught:
        parse(values, date(2030, 1, 1))
    return caught.value.errors


def test_the_values_in_force_parse():
    version = parse(in_force().values, date(2030, 1, 1))
    assert (version.reflection.base_days, version.reflection.max_days) == (30, 120)
    assert version.effective_from == date(2030, 1, 1)


def test_an_unknown_setting_is_named():
    values = values_with()
    values["reflection"]["bonus_days"] = 10
    assert errors_of(values) == {"reflection.bonus_days": ["Unknown setting."]}


def test_a_missing_setting_is_named():
    values = values_with()
    del values["grants"]["currency"]
    assert errors_of(values) == {"grants.currency": ["Missing."]}


def test_a_period_longer_than_its_maximum_is_refused():
    errors = errors_of(values_with(reflection__base_days=150, reflection__max_days=120))
    assert list(errors) == ["reflection.max_days"]
    assert "cannot be shorter" in errors["reflection.max_days"][0]


def test_a_calendar_country_the_holidays_library_does_not_know_is_refused():
    errors = errors_of(values_with(calendar__country="XX"))
    assert list(errors) == ["calendar.country"]
    assert "holidays library" in errors["calendar.country"][0]


def test_an_authority_must_be_a_code():
    errors = errors_of(values_with(authority__asylum_seeker="the police"))
    assert list(errors) == ["authority.asylum_seeker"]
    assert "immigration_service" in errors["authority.asylum_seeker"][0]


def test_every_wrong_setting_is_named_at_once():
    values = values_with(queues__inactive_days=0, grants__cash_months="six")
    del values["calendar"]["weekend"]
    assert set(errors_of(values)) == {
        "queues.inactive_days",
        "grants.cash_months",
        "calendar.weekend",
    }


def test_values_of_the_wrong_shape_are_refused_not_crashed_on():
    values = values_with()
    values["reflection"] = 30
    assert "reflection" in errors_of(values)
    values = values_with(reflection__extension_reasons=[["testimony"]])
    assert list(errors_of(values)) == ["reflection.extension_reasons"]


def test_a_court_is_not_named_by_residence_status_and_periods_fit_their_column():
    # A court decides on a course only by a caseworker's choice with a reason.
    assert list(errors_of(values_with(authority__asylum_seeker="court"))) == [
        "authority.asylum_seeker"
    ]
    assert list(errors_of(values_with(reflection__max_days=40000))) == ["reflection.max_days"]


# Which version governs a day ------------------------------------------------------------


def test_the_version_in_force_on_a_day(tove, sune):
    new_from = timezone.localdate() + timedelta(days=10)
    approved(tove, sune, new_from, reflection__base_days=45, reflection__max_days=150)
    assert rules.at(new_from - timedelta(days=1)).reflection.base_days == 30
    assert rules.at(new_from).reflection.base_days == 45
    assert rules.at(new_from + timedelta(days=3650)).reflection.base_days == 45
    # A record older than the rule set is governed by the first version.
    assert rules.at(date(1990, 6, 1)).effective_from == FIRST
    assert rules.at(date(1990, 6, 1)).reflection.base_days == 30


def test_spans_bound_each_version_by_the_next(tove, sune):
    new_from = timezone.localdate() + timedelta(days=10)
    approved(tove, sune, new_from, queues__inactive_days=10)
    first, second = spans()
    assert (first.starts, first.ends, first.rules.queues.inactive_days) == (None, new_from, 30)
    assert (second.starts, second.ends, second.rules.queues.inactive_days) == (new_from, None, 10)


def test_a_proposal_changes_nothing_until_approved(tove):
    new_from = timezone.localdate() + timedelta(days=10)
    propose(tove, new_from, reflection__base_days=45)
    assert rules.at(new_from).reflection.base_days == 30
    assert len(spans()) == 1


# Proposing and approving ----------------------------------------------------------------


def test_a_version_takes_effect_from_tomorrow_at_the_earliest(tove):
    today = timezone.localdate()
    for day in (today, today - timedelta(days=1)):
        with pytest.raises(Refused):
            propose(tove, day, reflection__base_days=45)
    assert propose(tove, today + timedelta(days=1), reflection__base_days=45).status == "proposed"


def test_a_proposal_needs_a_reason(tove):
    with pytest.raises(Refused):
        propose(tove, timezone.localdate() + timedelta(days=5), reason="  ")
    assert not RuleVersion.objects.filter(status="proposed").exists()


def test_a_proposal_with_wrong_values_is_refused(tove):
    with pytest.raises(RuleError):
        propose(tove, timezone.localdate() + timedelta(days=5), reflection__max_days=10)


def test_the_proposer_cannot_approve_their_own_a_second_supervisor_can(tove, sune):
    version = propose(tove, timezone.localdate() + timedelta(days=5), reflection__base_days=45)
    with pytest.raises(Refused):
        version_approve(actor=tove, version_id=version.pk)
    assert RuleVersion.objects.get(pk=version.pk).status == "proposed"
    version_approve(actor=sune, version_id=version.pk, note="Enig.")
    version.refresh_from_db()
    assert (version.status, version.decided_by, version.decision_note) == (
        "approved",
        sune,
        "Enig.",
    )


def test_only_supervisors_propose_and_approve(tove, hanne, stig, karin):
    day = timezone.localdate() + timedelta(days=5)
    for outsider in (hanne, stig, karin):
        with pytest.raises(PermissionDenied):
            propose(outsider, day, reflection__base_days=45)
    version = propose(tove, day, reflection__base_days=45)
    for outsider in (hanne, stig, karin):
        with pytest.raises(PermissionDenied):
            version_approve(actor=outsider, version_id=version.pk)
        with pytest.raises(PermissionDenied):
            version_reject(actor=outsider, version_id=version.pk, note="Nej.")
    assert RuleVersion.objects.get(pk=version.pk).status == "proposed"


def test_a_proposal_is_decided_once(tove, sune):
    version = approved(
        tove, sune, timezone.localdate() + timedelta(days=5), queues__inactive_days=10
    )
    with pytest.raises(Refused):
        version_approve(actor=sune, version_id=version.pk)
    with pytest.raises(Refused):
        version_reject(actor=sune, version_id=version.pk, note="For sent.")
    assert RuleVersion.objects.get(pk=version.pk).status == "approved"


def test_a_second_version_for_the_same_date_is_refused(tove, sune):
    day = timezone.localdate() + timedelta(days=5)
    approved(tove, sune, day, queues__inactive_days=10)
    with pytest.raises(Refused):
        propose(tove, day, queues__inactive_days=20)


def test_rejection_needs_a_note(tove, sune):
    version = propose(tove, timezone.localdate() + timedelta(days=5), reflection__base_days=45)
    with pytest.raises(Refused):
        version_reject(actor=sune, version_id=version.pk, note=" ")
    version_reject(actor=sune, version_id=version.pk, note="Ikke hjemmel i loven.")
    version.refresh_from_db()
    assert (version.status, version.decision_note) == ("rejected", "Ikke hjemmel i loven.")
    assert rules.at(version.effective_from).reflection.base_days == 30


def test_the_proposer_may_withdraw_their_own(tove):
    version = propose(tove, timezone.localdate() + timedelta(days=5), reflection__base_days=45)
    version_reject(actor=tove, version_id=version.pk, note="Fejl i datoen.")
    assert RuleVersion.objects.get(pk=version.pk).status == "withdrawn"


def test_every_proposal_and_decision_is_audited(tove, sune):
    day = timezone.localdate() + timedelta(days=5)
    version = approved(tove, sune, day, reflection__base_days=45)
    rejected = propose(tove, day + timedelta(days=1), reflection__base_days=50)
    version_reject(actor=sune, version_id=rejected.pk, note="Nej.")
    events = AuditEvent.objects.filter(object_ref=f"RULES-{version.pk}").order_by("at", "id")
    assert [(e.action, e.actor, e.to_state) for e in events] == [
        ("create", tove, ""),
        ("transition", sune, "approved"),
    ]
    assert events[0].changes["effective_from"][1] == day.isoformat()
    decided = AuditEvent.objects.filter(object_ref=f"RULES-{rejected.pk}").order_by("at", "id")
    assert [(e.action, e.actor, e.to_state, e.reason) for e in decided] == [
        ("create", tove, "", ""),
        ("transition", sune, "rejected", "Nej."),
    ]


# Time travel: a change never moves what earlier dates decided ----------------------------

CHANGE = date(2027, 3, 10)  # the new version's date in the tests below
BEFORE, AFTER = at_noon(CHANGE - timedelta(days=5)), at_noon(CHANGE + timedelta(days=5))


def test_a_return_keeps_the_cap_its_offer_was_accepted_under(make, karin, tove, sune):
    with time_machine.travel(BEFORE, tick=False):
        early, late = (
            return_services.return_start(actor=karin, case_id=c.pk, case_version=c.version)
            for c in (make("in_support"), make("in_support"))
        )
        early = return_services.return_update(
            actor=karin,
            return_id=early.pk,
            version=early.version,
            data={"offer_accepted_on": timezone.localdate()},
        )
        approved(tove, sune, CHANGE, grants__in_kind_per_adult=50_000)
        assert (early.in_kind_cap, late.in_kind_cap) == (40_000, 40_000)
    with time_machine.travel(AFTER, tick=False):
        late = return_services.return_update(
            actor=karin,
            return_id=late.pk,
            version=PreparedReturn.objects.get(pk=late.pk).version,
            data={"offer_accepted_on": timezone.localdate()},
        )
        assert PreparedReturn.objects.get(pk=early.pk).in_kind_cap == 40_000
        assert PreparedReturn.objects.get(pk=late.pk).in_kind_cap == 50_000
        # The other grants did not change.
        assert PreparedReturn.objects.get(pk=late.pk).cash_cap == 10_000


def test_a_longer_period_applies_to_courses_decided_from_its_date(make, karin, tove, sune):
    with time_machine.travel(BEFORE, tick=False):
        existing = make("in_support")
        period = start_period(existing, karin, timezone.localdate())
        ends_before = period.ends_on
        decided_before = make("in_support")
        approved(tove, sune, CHANGE, reflection__base_days=45, reflection__max_days=150)
    with time_machine.travel(AFTER, tick=False):
        # Decided before the date, started after it: the old rules.
        old = start_period(decided_before, karin, timezone.localdate())
        assert (old.total_days, old.max_days) == (30, 120)
        assert old.ends_on == timezone.localdate() + timedelta(days=29)
        with pytest.raises(Refused):
            extend(decided_before, karin, 91)
        extend(decided_before, karin, 90)
        # Decided after the date: the new ones.
        decided_after = make("in_support")
        new = start_period(decided_after, karin, timezone.localdate())
        assert (new.total_days, new.max_days) == (45, 150)
        assert new.ends_on == timezone.localdate() + timedelta(days=44)
        extend(decided_after, karin, 105)
        # A period already running keeps its end.
        period = ReflectionPeriod.objects.get(pk=period.pk)
        assert (period.total_days, period.max_days, period.ends_on) == (30, 120, ends_before)


def test_inactivity_before_the_new_limit_is_judged_by_the_old(make, tove, sune):
    with time_machine.travel(BEFORE, tick=False):
        quiet_before = make("awaiting_interview")
        approved(tove, sune, CHANGE, queues__inactive_days=10)
    with time_machine.travel(at_noon(CHANGE + timedelta(days=1)), tick=False):
        quiet_after = make("awaiting_interview")

    def inactive(now):
        with time_machine.travel(now, tick=False):
            return set(queues.queue_records(queues.BY_SLUG["inactive"], tove))

    # 17 days without activity: out by the old limit of 30 (the new limit of 10 would put
    # it in); the course quiet since after the date is in by the new limit (11 days).
    assert inactive(at_noon(CHANGE + timedelta(days=12))) == {quiet_after}
    # 31 days: in by the old limit.
    assert inactive(at_noon(CHANGE + timedelta(days=26))) == {quiet_before, quiet_after}


def test_an_earlier_years_statistics_are_unchanged_by_an_approved_change(make, karin, tove, sune):
    with time_machine.travel(at_noon(date(2027, 3, 2)), tick=False):
        first = make("in_support")
        start_period(first, karin, timezone.localdate())
        make("assessed_not_trafficked")
    with time_machine.travel(at_noon(date(2027, 9, 14)), tick=False):
        second = make("in_support", residence="legal_residence")
        case_services.reflection_start(
            actor=karin,
            case_id=second.pk,
            version=second.version,
            starts_on=timezone.localdate(),
            granted_by="cmm",
        )
        prepared = return_services.return_start(
            actor=karin, case_id=second.pk, case_version=fresh(second).version
        )
        return_services.return_update(
            actor=karin,
            return_id=prepared.pk,
            version=prepared.version,
            data={"offer_accepted_on": timezone.localdate()},
        )
    with time_machine.travel(at_noon(date(2028, 1, 5)), tick=False):
        before = statistics_for(2027)
        approved(
            tove,
            sune,
            date(2028, 1, 10),
            reflection__base_days=45,
            reflection__max_days=150,
            grants__in_kind_per_adult=50_000,
            queues__inactive_days=10,
            authority__legal_residence="immigration_service",
        )
    with time_machine.travel(at_noon(date(2028, 1, 20)), tick=False):
        make("in_support")  # a course of the new year, under the new rules
        after = statistics_for(2027)
    assert before["assessed"] and before == after


def test_a_childs_caps_are_fixed_on_the_day_the_offer_was_accepted(make, karin):
    case = make("in_support")
    # Seventeen on the day the offer is accepted, eighteen a month later.
    eighteenth = timezone.localdate() + timedelta(days=30)
    case.person.birth_date = eighteenth.replace(year=eighteenth.year - 18)
    case.person.save(update_fields=["birth_date"])
    prepared = return_services.return_start(actor=karin, case_id=case.pk, case_version=case.version)
    prepared = return_services.return_update(
        actor=karin,
        return_id=prepared.pk,
        version=prepared.version,
        data={"offer_accepted_on": timezone.localdate()},
    )
    child = rules.today().grants
    assert (prepared.in_kind_cap, prepared.cash_cap) == (child.in_kind_per_child, 0)
    with time_machine.travel(timezone.now() + timedelta(days=60)):
        later = PreparedReturn.objects.get(pk=prepared.pk)
        assert later.case.person.is_minor is False
        assert (later.in_kind_cap, later.cash_cap) == (child.in_kind_per_child, 0)
