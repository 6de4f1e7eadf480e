import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation
from django_fsm import TransitionNotAllowed

from cases.models import Case
from cases.selectors import unassigned_cases
from cases.services import inquiry_link, inquiry_refer
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


# Refer --------------------------------------------------------------------------------


def test_refer_opens_a_case_per_person_in_the_unassigned_queue(hanne, tove):
    inquiry = make_inquiry(hanne, persons=2, state="triaged", urgency="custody")

    cases = inquiry_refer(actor=hanne, inquiry_id=inquiry.pk, version=inquiry.version)

    inquiry.refresh_from_db()
    assert inquiry.state == InquiryState.REFERRED
    assert len(cases) == 2
    assert {c.person.name for c in cases} == {"Testperson 1", "Testperson 2"}
    assert all(c.is_urgent for c in cases)
    assert set(unassigned_cases(tove)) == set(cases)
    assert {p.case for p in inquiry.persons.all()} == set(cases)
    for case in cases:
        assert AuditEvent.objects.for_object(case).filter(action="create", actor=hanne).exists()


def test_refer_is_refused_from_received(hanne, inquiry):
    with pytest.raises(Refused):
        inquiry_refer(actor=hanne, inquiry_id=inquiry.pk, version=inquiry.version)
    assert not Case.objects.exists()


def test_refer_is_refused_without_any_person_concerned(hanne):
    inquiry = make_inquiry(hanne, persons=0, state="triaged")
    with translation.override("en"), pytest.raises(Refused, match="at least one person"):
        inquiry_refer(actor=hanne, inquiry_id=inquiry.pk, version=inquiry.version)
    inquiry.refresh_from_db()
    assert inquiry.state == InquiryState.TRIAGED


def test_refer_is_refused_without_the_permission(hanne, stig):
    inquiry = make_inquiry(hanne, state="triaged")
    with pytest.raises(PermissionDenied):
        inquiry_refer(actor=stig, inquiry_id=inquiry.pk, version=inquiry.version)
    assert not Case.objects.exists()


# Link ---------------------------------------------------------------------------------


def test_link_attaches_the_inquiry_to_an_existing_case(hanne):
    [case] = inquiry_refer(
        actor=hanne,
        inquiry_id=(first := make_inquiry(hanne, state="triaged")).pk,
        version=first.version,
    )
    follow_up = make_inquiry(hanne, state="triaged", subject="existing_case")

    inquiry_link(
        actor=hanne,
        inquiry_id=follow_up.pk,
        version=follow_up.version,
        case_reference=case.reference.lower(),
    )

    follow_up.refresh_from_db()
    assert follow_up.state == InquiryState.LINKED
    assert follow_up.linked_case == case
    [event] = [e for e in transitions_of(follow_up) if e.transition == "link"]
    assert event.changes == {"linked_case": [None, case.pk]}


def test_link_to_an_unknown_case_is_refused_with_the_reference(hanne):
    inquiry = make_inquiry(hanne, state="triaged")
    with translation.override("en"), pytest.raises(Refused, match="C-1999-00001"):
        inquiry_link(
            actor=hanne,
            inquiry_id=inquiry.pk,
            version=inquiry.version,
            case_reference="C-1999-00001",
        )


def test_link_is_refused_from_received(hanne, inquiry):
    [case] = inquiry_refer(
        actor=hanne,
        inquiry_id=(first := make_inquiry(hanne, state="triaged")).pk,
        version=first.version,
    )
    with pytest.raises(Refused):
        inquiry_link(
            actor=hanne,
            inquiry_id=inquiry.pk,
            version=inquiry.version,
            case_reference=case.reference,
        )


def test_link_is_refused_without_the_permission(hanne, karin):
    inquiry = make_inquiry(hanne, state="triaged")
    [case] = inquiry_refer(
        actor=hanne,
        inquiry_id=(first := make_inquiry(hanne, state="triaged")).pk,
        version=first.version,
    )
    with pytest.raises(PermissionDenied):
        inquiry_link(
            actor=karin,
            inquiry_id=inquiry.pk,
            version=inquiry.version,
            case_reference=case.reference,
        )


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
