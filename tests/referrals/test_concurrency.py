"""Two people acting on one inquiry at the same moment, on PostgreSQL with two connections."""

import pytest
from django.db import transaction
from django_fsm import ConcurrentTransition

from cases.services import inquiry_refer
from cmm.audit.models import AuditEvent
from referrals import services
from referrals.models import Inquiry, InquiryState
from tests.factories import make_inquiry
from tests.race import postgresql_only, race


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_transitions_at_once_one_wins_the_other_is_told(hanne, tove):
    inquiry = make_inquiry(hanne, state="triaged")
    version = inquiry.version

    outcomes = race(
        lambda: inquiry_refer(actor=hanne, inquiry_id=inquiry.pk, version=version),
        lambda: services.inquiry_close(
            actor=tove, inquiry_id=inquiry.pk, version=version, reason="duplicate"
        ),
    )

    assert sorted(outcomes) == ["conflict", "done"]
    inquiry.refresh_from_db()
    won = "referred" if outcomes[0] == "done" else "closed"
    assert inquiry.state == won
    # Exactly one transition event: the loser left no trace.
    events = AuditEvent.objects.for_object(inquiry).filter(action="transition")
    assert [e.to_state for e in events] == [won, "triaged"]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_edits_at_once_one_saves_the_other_gets_a_conflict(hanne, tove):
    inquiry = make_inquiry(hanne)
    version = inquiry.version

    outcomes = race(
        lambda: services.inquiry_update(
            actor=hanne, inquiry_id=inquiry.pk, version=version, data={"summary": "A"}, persons=[]
        ),
        lambda: services.inquiry_update(
            actor=tove, inquiry_id=inquiry.pk, version=version, data={"summary": "B"}, persons=[]
        ),
    )

    assert sorted(outcomes) == ["conflict", "done"]
    inquiry.refresh_from_db()
    assert inquiry.summary == ("A" if outcomes[0] == "done" else "B")
    assert inquiry.version == version + 1


@pytest.mark.django_db
def test_saving_a_stale_copy_after_another_transition_is_refused(hanne):
    """The model-level guard (ConcurrentTransitionMixin) below the services' version check."""
    inquiry = make_inquiry(hanne)
    first = Inquiry.objects.get(pk=inquiry.pk)
    second = Inquiry.objects.get(pk=inquiry.pk)

    first.triage(note="first")
    first.save()
    second.triage(note="second")
    with pytest.raises(ConcurrentTransition), transaction.atomic():
        second.save()

    inquiry.refresh_from_db()
    assert (inquiry.state, inquiry.triage_note) == (InquiryState.TRIAGED, "first")
