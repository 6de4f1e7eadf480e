import pytest
from django.core.exceptions import PermissionDenied
from django_fsm import TransitionNotAllowed

from cases.services import inquiry_refer
from cmm.audit.models import AuditEvent
from cmm.core.exceptions import Conflict, Refused
from referrals import services
from referrals.models import Inquiry, InquiryState
from tests.factories import inquiry_data, make_inquiry, person_data

pytestmark = pytest.mark.django_db


def transitions_of(obj):
    return list(AuditEvent.objects.for_object(obj).filter(action="transition"))


def test_create_registers_inquiry_persons_and_their_audit_events(hanne):
    inquiry = services.inquiry_create(
        actor=hanne, data=inquiry_data(), persons=[person_data(), person_data(alias="Anden")]
    )

    assert inquiry.state == InquiryState.RECEIVED
    assert inquiry.reference.startswith("I-")
    assert inquiry.persons.count() == 2
    created = AuditEvent.objects.for_object(inquiry).get(action="create")
    assert created.actor == hanne
    assert created.changes["channel"] == [None, "hotline"]
    assert (
        AuditEvent.objects.filter(
            action="create", object_ref__startswith=inquiry.reference + "/"
        ).count()
        == 2
    )


def test_references_count_up_within_a_year(hanne):
    first = make_inquiry(hanne)
    second = make_inquiry(hanne)
    assert int(second.reference[-5:]) == int(first.reference[-5:]) + 1


def test_create_needs_the_add_permission(karin):
    with pytest.raises(PermissionDenied):
        services.inquiry_create(actor=karin, data=inquiry_data(), persons=[])
    assert not Inquiry.objects.exists()


# Triage -------------------------------------------------------------------------------


def test_triage_moves_received_to_triaged_and_records_who_and_why(hanne, inquiry):
    services.inquiry_triage(
        actor=hanne, inquiry_id=inquiry.pk, version=inquiry.version, note="Ring tilbage"
    )

    inquiry.refresh_from_db()
    assert inquiry.state == InquiryState.TRIAGED
    assert inquiry.triage_note == "Ring tilbage"
    [event] = transitions_of(inquiry)
    assert (event.actor, event.transition, event.from_state, event.to_state, event.reason) == (
        hanne,
        "triage",
        "received",
        "triaged",
        "Ring tilbage",
    )


def test_triage_is_refused_when_already_triaged(hanne):
    inquiry = make_inquiry(hanne, state="triaged")
    with pytest.raises(Refused):
        services.inquiry_triage(actor=hanne, inquiry_id=inquiry.pk, version=inquiry.version)
    assert len(transitions_of(inquiry)) == 1


def test_triage_is_refused_without_the_permission(karin, inquiry):
    with pytest.raises(PermissionDenied):
        services.inquiry_triage(actor=karin, inquiry_id=inquiry.pk, version=inquiry.version)
    inquiry.refresh_from_db()
    assert inquiry.state == InquiryState.RECEIVED
    assert transitions_of(inquiry) == []


# Close --------------------------------------------------------------------------------


def test_close_records_the_reason_code_and_note(hanne):
    inquiry = make_inquiry(hanne, state="triaged")
    services.inquiry_close(
        actor=hanne,
        inquiry_id=inquiry.pk,
        version=inquiry.version,
        reason="referred_elsewhere",
        note="Henvist til 3F",
    )
    inquiry.refresh_from_db()
    assert inquiry.state == InquiryState.CLOSED
    assert inquiry.close_reason == "referred_elsewhere"
    event = transitions_of(inquiry)[0]
    assert event.transition == "close"
    assert event.reason == "Henvist til 3F"
    assert event.changes == {"close_reason": ["", "referred_elsewhere"]}


def test_close_is_refused_from_received(hanne, inquiry):
    with pytest.raises(Refused):
        services.inquiry_close(
            actor=hanne, inquiry_id=inquiry.pk, version=inquiry.version, reason="duplicate"
        )


def test_close_is_refused_without_the_permission(hanne, anna):
    inquiry = make_inquiry(hanne, state="triaged")
    with pytest.raises(PermissionDenied):
        services.inquiry_close(
            actor=anna, inquiry_id=inquiry.pk, version=inquiry.version, reason="duplicate"
        )


# The whole graph ----------------------------------------------------------------------

END_STATES = {InquiryState.REFERRED, InquiryState.LINKED, InquiryState.CLOSED}


def test_the_state_graph_is_exactly_the_documented_one():
    graph = {}
    for t in Inquiry._meta.get_field("state").get_all_transitions(Inquiry):
        graph.setdefault(t.source, set()).add((t.name, t.target))
    assert graph == {
        "received": {("triage", "triaged")},
        "triaged": {("refer", "referred"), ("link", "linked"), ("close", "closed")},
    }


@pytest.mark.parametrize("end", ["referred", "closed"])
def test_nothing_leaves_an_end_state(hanne, end):
    inquiry = make_inquiry(hanne, state=end)
    for step in ("triage", "refer", "close"):
        with pytest.raises(Refused):
            {
                "triage": services.inquiry_triage,
                "refer": inquiry_refer,
                "close": services.inquiry_close,
            }[step](
                actor=hanne,
                inquiry_id=inquiry.pk,
                version=inquiry.version,
                **({"reason": "other"} if step == "close" else {}),
            )
    inquiry.refresh_from_db()
    assert inquiry.state == end


def test_the_state_cannot_be_set_directly(inquiry):
    with pytest.raises(AttributeError):
        inquiry.state = InquiryState.CLOSED


def test_calling_a_transition_from_the_wrong_state_raises(inquiry):
    with pytest.raises(TransitionNotAllowed):
        inquiry.close(reason_code="other")


# Edits --------------------------------------------------------------------------------


def test_update_records_field_level_before_and_after(hanne, inquiry):
    person = inquiry.persons.get()
    services.inquiry_update(
        actor=hanne,
        inquiry_id=inquiry.pk,
        version=inquiry.version,
        data={**inquiry_data(), "subject": "advice"},
        persons=[{"id": person.pk, **person_data(alias="Testperson 1", age=31)}],
    )

    inquiry_event = AuditEvent.objects.for_object(inquiry).get(action="update")
    assert inquiry_event.changes["subject"] == ["possible_victim", "advice"]
    assert "channel" not in inquiry_event.changes
    person_event = AuditEvent.objects.for_object(person).get(action="update")
    assert person_event.changes == {"age": [24, 31]}


def test_update_can_add_and_remove_persons(hanne, inquiry):
    person = inquiry.persons.get()
    services.inquiry_update(
        actor=hanne,
        inquiry_id=inquiry.pk,
        version=inquiry.version,
        data=inquiry_data(),
        persons=[{"id": person.pk, "delete": True}, person_data(alias="Ny")],
    )
    assert [p.alias for p in inquiry.persons.all()] == ["Ny"]
    removed = AuditEvent.objects.get(
        action="update", object_ref=f"{inquiry.reference}/P{person.pk}"
    )
    # The removed person's fields are listed, the alias only as personal data.
    assert removed.changes["removed"][0]["alias"] == "[personal data]"
    assert removed.changes["removed"][0]["gender"] == person.gender
    assert "Testperson 1" not in str(removed.changes)


def test_update_with_a_stale_version_is_a_conflict_and_changes_nothing(hanne, tove, inquiry):
    stale_version = inquiry.version
    services.inquiry_update(
        actor=tove,
        inquiry_id=inquiry.pk,
        version=stale_version,
        data={"summary": "Tove"},
        persons=[],
    )
    with pytest.raises(Conflict):
        services.inquiry_update(
            actor=hanne,
            inquiry_id=inquiry.pk,
            version=stale_version,
            data={"summary": "Hanne"},
            persons=[],
        )
    inquiry.refresh_from_db()
    assert inquiry.summary == "Tove"


def test_a_transition_makes_an_open_edit_form_stale(hanne, inquiry):
    stale_version = inquiry.version
    services.inquiry_triage(actor=hanne, inquiry_id=inquiry.pk, version=stale_version)
    with pytest.raises(Conflict):
        services.inquiry_update(
            actor=hanne,
            inquiry_id=inquiry.pk,
            version=stale_version,
            data={"summary": "x"},
            persons=[],
        )


def test_an_ended_inquiry_cannot_be_edited(hanne):
    inquiry = make_inquiry(hanne, state="closed")
    with pytest.raises(Refused):
        services.inquiry_update(
            actor=hanne,
            inquiry_id=inquiry.pk,
            version=inquiry.version,
            data={"summary": "x"},
            persons=[],
        )


def test_update_needs_the_change_permission(karin, inquiry):
    with pytest.raises(PermissionDenied):
        services.inquiry_update(
            actor=karin,
            inquiry_id=inquiry.pk,
            version=inquiry.version,
            data={"summary": "x"},
            persons=[],
        )


def test_a_user_without_the_permission_is_refused_before_any_state_is_revealed(hanne, karin):
    closed = make_inquiry(hanne, state="closed")
    with pytest.raises(PermissionDenied):
        services.inquiry_triage(actor=karin, inquiry_id=closed.pk, version=closed.version)
