"""An inquiry referred onward opens a course per person, or is linked to a course that
exists: the step is the inquiry's, the service is the course's (cases.services)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from cases.models import Case
from cases.selectors import unassigned_cases
from cases.services import inquiry_link, inquiry_refer
from cmm.audit.models import AuditEvent
from cmm.core.exceptions import Refused
from referrals.models import InquiryState
from tests.factories import make_inquiry

pytestmark = pytest.mark.django_db


def transitions_of(obj):
    return list(AuditEvent.objects.for_object(obj).filter(action="transition"))


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
