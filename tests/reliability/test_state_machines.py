"""Random users take random steps on random records; the state machines hold (the case,
the inquiry and the prepared return).

A hypothesis rule-based state machine fires every transition declared on the django-fsm
field (read from the field, not listed here) through `apply_transition` under the row lock
and version check the services use, plus the services that open the way (assigning a
contact person, recording an interview). After every step:

- every record's state is one the field declares, and an accepted step moved along a
  declared edge;
- a refused step (Refused, Conflict, PermissionDenied) left no trace: the row is exactly as
  before and no audit event was written;
- an accepted step wrote exactly one audit event of action 'transition', naming the step,
  its from and to states and the record.
"""

import inspect
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from cases import services as case_services
from cases.models import AssessingAuthority, Case, EndStatus, Interview, Outcome
from cases.models.case import CaseUserObjectPermission
from cmm.audit.models import AuditEvent
from cmm.core.exceptions import Refused
from cmm.core.locking import lock_version
from cmm.core.transitions import apply_transition
from referrals.models import CloseReason, Inquiry
from repatriation import services as return_services
from repatriation.models import PreparedReturn, StopReason
from tests.factories import case_in, interview_data, make_inquiry
from tests.repatriation.test_returns import update, walk_to

# Sensible for CI (a few seconds each) and the same examples on every run: a failure is
# reproducible and the suite is not flaky.
MACHINE_SETTINGS = settings(
    max_examples=10,
    stateful_step_count=20,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
REFUSALS = (Refused, PermissionDenied)


def declared_graph(model: type[models.Model]) -> tuple[set[str], dict[str, set[tuple]]]:
    """The states of the model's FSM field and, by transition name, its (from, to) edges."""
    field = model._meta.get_field("state")
    states = {value for value, _label in field.choices}
    edges: dict[str, set[tuple]] = {}
    for t in field.get_all_transitions(model):
        targets = getattr(t.target, "allowed_states", None) or [t.target]
        sources = states if t.source in ("*", "+") else [t.source]
        edges.setdefault(t.name, set()).update((s, target) for s in sources for target in targets)
    return states, edges


def arguments(model: type[models.Model], name: str) -> list[str]:
    """The parameters a transition method takes (besides self)."""
    return [p for p in inspect.signature(getattr(model, name)).parameters if p != "self"]


def days_ago() -> st.SearchStrategy:
    # Mostly the past, sometimes tomorrow: apply_transition itself does not judge dates.
    return st.integers(min_value=-1, max_value=60).map(
        lambda n: timezone.localdate() - timedelta(days=n)
    )


def row(obj: models.Model) -> dict[str, Any]:
    return type(obj).objects.filter(pk=obj.pk).values().get()


def machine_for(
    model: type[models.Model], personas: dict, records, argument_strategies, footprint_models
):
    """A state machine over `records` of `model`. They are made once, before the examples;
    each example runs in a savepoint rolled back at its end, so every example starts from
    the same records."""
    states, edges = declared_graph(model)
    transition_names = sorted(edges)
    users = sorted(personas.values(), key=lambda u: u.username)

    class Machine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
            self.records = records
            self.extra = {"cases": list(Case.objects.order_by("pk")[:3])}
            self.users = users

        def teardown(self) -> None:
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

        def step(self, actor, record, action, *, stale: bool = False):
            """Run `action` as a view would; check a refusal left no trace. Returns the
            row before and after and the audit events written (None when refused)."""
            before = row(record)
            footprint = self.footprint()
            last_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
            version = before["version"] - 1 if stale else before["version"]
            try:
                with transaction.atomic():
                    action(version)
            except REFUSALS:
                assert row(record) == before, "a refused step changed the record"
                assert self.footprint() == footprint, "a refused step left rows behind"
                assert not AuditEvent.objects.filter(id__gt=last_event or 0).exists(), (
                    "a refused step wrote an audit event"
                )
                return before, before, None
            after = row(record)
            events = list(AuditEvent.objects.filter(id__gt=last_event or 0).order_by("id"))
            moves = [e for e in events if e.action == AuditEvent.Action.TRANSITION]
            if after["state"] != before["state"]:
                assert len(moves) == 1, f"{len(moves)} transition events for one step"
                [event] = moves
                assert (event.from_state, event.to_state) == (before["state"], after["state"])
                assert (before["state"], after["state"]) in edges[event.transition]
                assert event.object_id == str(record.pk)
                assert event.actor_id == actor.pk
                assert after["version"] == before["version"] + 1
            return before, after, moves

        def footprint(self) -> tuple[int, ...]:
            return tuple(m.objects.count() for m in footprint_models)

        def someone(self, data, record):
            """Anyone at all, or (as often) someone involved: the record's contact person,
            a supervisor or the hotline. Random users would almost always be refused."""
            fields = row(record)
            contact = fields.get("contact_person_id")
            if "case_id" in fields:  # a return: its case's contact person handles it
                contact = Case.objects.values_list("contact_person_id", flat=True).get(
                    pk=fields["case_id"]
                )
            involved = [u for u in users if u.pk == contact] + [
                personas["tove"],
                personas["hanne"],
            ]
            return data.draw(st.sampled_from(users) | st.sampled_from(involved), label="actor")

        @rule(
            data=st.data(),
            # One step in ten comes from a form someone else has since changed.
            stale=st.integers(min_value=0, max_value=9).map(lambda n: n == 0),
        )
        def take_transition(self, data, stale):
            record = data.draw(st.sampled_from(self.records), label="record")
            actor = self.someone(data, record)
            # Any transition, or (as often) one the graph declares from the current state.
            state = model.objects.values_list("state", flat=True).get(pk=record.pk)
            possible = sorted(n for n in transition_names if state in dict(edges[n]))
            name = data.draw(
                st.sampled_from(transition_names) | st.sampled_from(possible or transition_names),
                label="transition",
            )
            kwargs = {
                param: data.draw(argument_strategies[param](self), label=param)
                for param in arguments(model, name)
            }

            def action(version):
                locked = lock_version(model.objects.all(), record.pk, version, "stale")
                apply_transition(actor, locked, name, reason="stateful test", **kwargs)

            before, after, moves = self.step(actor, record, action, stale=stale)
            if moves is not None:
                # Accepted: exactly one transition event, for this step, along its edge.
                assert [e.transition for e in moves] == [name]
                assert (before["state"], after["state"]) in edges[name]

        @invariant()
        def states_stay_in_the_declared_graph(self):
            pks = [r.pk for r in self.records]
            assert set(model.objects.filter(pk__in=pks).values_list("state", flat=True)) <= states

    if model is Case:

        class CaseMachine(Machine):
            """The services that open the way: assignment (which grants the per-case
            permissions) and interviews (the condition of the identification steps)."""

            @rule(data=st.data(), contact=st.sampled_from(users))
            def assign_contact_person(self, data, contact):
                record = data.draw(st.sampled_from(self.records), label="record")
                actor = self.someone(data, record)
                before, _after, moves = self.step(
                    actor,
                    record,
                    lambda version: case_services.case_assign(
                        actor=actor, case_id=record.pk, version=version, contact_person=contact
                    ),
                )
                if moves is not None:
                    # The first assignment is the transition; later ones only reassign.
                    expected = ["assign"] if before["state"] == "awaiting_assignment" else []
                    assert [e.transition for e in moves] == expected

            @rule(data=st.data())
            def record_interview(self, data):
                record = data.draw(st.sampled_from(self.records), label="record")
                actor = self.someone(data, record)
                before, _after, moves = self.step(
                    actor,
                    record,
                    lambda version: case_services.interview_record(
                        actor=actor,
                        case_id=record.pk,
                        version=version,
                        data=interview_data(),
                        interviewers=[actor],
                    ),
                )
                if moves is not None:
                    # The first interview starts the identification; later ones do not.
                    first = before["state"] == "awaiting_interview"
                    assert [e.transition for e in moves] == (
                        ["start_identification"] if first else []
                    )

        return CaseMachine
    return Machine


CASE_ARGUMENTS = {
    "contact_person": lambda m: st.sampled_from(m.users),
    "deputy": lambda m: st.none(),
    "authority": lambda m: st.sampled_from(AssessingAuthority.values),
    "override_reason": lambda m: st.sampled_from(["", "Syntetisk begrundelse."]),
    "sent_on": lambda m: days_ago(),
    "outcome": lambda m: st.sampled_from(Outcome.values),
    "on": lambda m: days_ago(),
    "status": lambda m: st.sampled_from(EndStatus.values),
}
RETURN_ARGUMENTS = {
    "on": lambda m: days_ago(),
    "reason_code": lambda m: st.sampled_from(StopReason.values),
}
INQUIRY_ARGUMENTS = {
    "note": lambda m: st.sampled_from(["", "Syntetisk visitation."]),
    "case": lambda m: st.sampled_from(m.extra["cases"]),
    "reason_code": lambda m: st.sampled_from(CloseReason.values),
}


@pytest.fixture
def personas(hanne, karin, kasper, tove, stig, anna, nobody):
    return {u.username: u for u in (hanne, karin, kasper, tove, stig, anna, nobody)}


def some_cases(personas):
    people = {"hotline": personas["hanne"], "supervisor": personas["tove"]}
    return [
        case_in("awaiting_assignment", contact=None, **people),
        case_in("awaiting_interview", contact=personas["karin"], **people),
        case_in("interviewing", contact=personas["kasper"], **people),
        case_in("report_sent_to_immigration_service", contact=personas["karin"], **people),
        case_in("assessed_trafficked", contact=personas["karin"], **people),
    ]


def some_returns(personas):
    """Returns at several steps, each with the facts its next step needs."""
    karin, today = personas["karin"], timezone.localdate()
    people = {"hotline": personas["hanne"], "supervisor": personas["tove"], "contact": karin}

    def opened():
        case = case_in("assessed_trafficked", **people)
        case_services.case_answer_offer(
            actor=karin, case_id=case.pk, version=case.version, accepted=True, on=today
        )
        case.refresh_from_db()
        return return_services.return_start(actor=karin, case_id=case.pk, case_version=case.version)

    ready_to_apply = opened()
    update(ready_to_apply, karin, offer_accepted_on=today, application_sent_on=today)
    ready_to_travel = walk_to(opened(), karin, "travel")
    update(
        ready_to_travel, karin, application_approved_on=today, departure_on=today, destination="GH"
    )
    return [
        opened(),
        ready_to_apply,
        walk_to(opened(), karin, "plan"),
        ready_to_travel,
        walk_to(opened(), karin, "follow_up"),
    ]


def some_inquiries(personas):
    hanne = personas["hanne"]
    return [
        make_inquiry(hanne),
        make_inquiry(hanne, persons=0),
        make_inquiry(hanne, state="triaged"),
        make_inquiry(hanne, persons=2, state="triaged"),
    ]


@pytest.mark.django_db
def test_the_case_machine_holds_for_any_user_and_any_step(personas):
    machine = machine_for(
        Case,
        personas,
        some_cases(personas),
        CASE_ARGUMENTS,
        (Interview, CaseUserObjectPermission),
    )
    run_state_machine_as_test(machine, settings=MACHINE_SETTINGS)


@pytest.mark.django_db
def test_the_inquiry_machine_holds_for_any_user_and_any_step(personas):
    hanne = personas["hanne"]
    case_in("awaiting_assignment", hotline=hanne, supervisor=personas["tove"], contact=None)
    machine = machine_for(Inquiry, personas, some_inquiries(personas), INQUIRY_ARGUMENTS, (Case,))
    run_state_machine_as_test(machine, settings=MACHINE_SETTINGS)


@pytest.mark.django_db
def test_the_return_machine_holds_for_any_user_and_any_step(personas):
    machine = machine_for(
        PreparedReturn, personas, some_returns(personas), RETURN_ARGUMENTS, (Case,)
    )
    run_state_machine_as_test(machine, settings=MACHINE_SETTINGS)


def test_the_graph_is_read_from_the_field():
    states, edges = declared_graph(Case)
    assert "ended" in states and ("ended", "in_support") in edges["reopen"]
    assert ("interviewing", "pending_in_court") in edges["send_for_assessment"]
