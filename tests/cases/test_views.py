import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from guardian.shortcuts import assign_perm

from cases.models import CaseUserObjectPermission
from cases.selectors import cases_visible_to
from referrals import services
from tests.factories import make_inquiry

pytestmark = pytest.mark.django_db


def referred_case(hanne, **fields):
    return make_inquiry(hanne, state="referred", **fields).persons.get().case


def test_the_unassigned_queue_lists_urgent_first_then_oldest(login, hanne, tove):
    older = referred_case(hanne)
    newer = referred_case(hanne)
    urgent = referred_case(hanne, urgency="custody")
    response = login(tove).get(reverse("cases:unassigned"))
    assert list(response.context["page"].object_list) == [urgent, older, newer]


def test_the_unassigned_queue_runs_a_fixed_number_of_queries(login, hanne, tove):
    client = login(tove)
    referred_case(hanne)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("cases:unassigned")).status_code == 200
    for _ in range(12):
        referred_case(hanne)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("cases:unassigned"))
    assert len(many) == len(few)


def test_a_case_opens_for_the_contact_person_it_is_granted_to_and_no_colleague(
    login, hanne, karin, kasper
):
    case = referred_case(hanne)
    assign_perm("cases.view_case", karin, case)

    assert login(karin).get(reverse("cases:detail", args=[case.pk])).status_code == 200
    assert login(kasper).get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert list(cases_visible_to(karin)) == [case]
    assert list(cases_visible_to(kasper)) == []
    # The grant lives in the direct foreign-key table, not guardian's generic one.
    assert CaseUserObjectPermission.objects.filter(user=karin, content_object=case).exists()


def test_a_minor_is_marked_in_the_queue_and_on_the_case(login, hanne, tove):
    inquiry = make_inquiry(hanne, state="triaged")
    person = inquiry.persons.get()
    person.age = 16
    person.save()
    [case] = services.inquiry_refer(actor=hanne, inquiry_id=inquiry.pk, version=inquiry.version)
    client = login(tove)
    client.cookies.load({"django_language": "en"})
    assert "cmm-tag--minor" in client.get(reverse("cases:unassigned")).content.decode()
    assert "cmm-tag--minor" in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
