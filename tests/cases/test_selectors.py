from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from cases import services
from cases.models import Case, CaseState
from cases.selectors import cases_by_id, cases_visible_to, my_cases
from tests.factories import case_in, referred_case

pytestmark = pytest.mark.django_db


def test_a_case_granted_to_a_group_is_visible_to_its_members_only(hanne, karin, kasper):
    case = referred_case(hanne)
    team = Group.objects.create(name="Team Nord")
    karin.groups.add(team)
    assign_perm("cases.view_case", team, case)

    assert list(cases_visible_to(karin)) == [case]
    assert list(cases_visible_to(kasper)) == []


def test_my_cases_are_those_as_contact_person_or_deputy_once_each_longest_waiting_first(
    hanne, tove, karin, kasper
):
    own, second, third = (
        case_in("awaiting_interview", hotline=hanne, supervisor=tove, contact=karin)
        for _ in range(3)
    )
    as_deputy = case_in("awaiting_interview", hotline=hanne, supervisor=tove, contact=kasper)
    services.case_assign(
        actor=tove,
        case_id=as_deputy.pk,
        version=as_deputy.version,
        contact_person=kasper,
        deputy=karin,
    )
    colleagues = case_in("awaiting_interview", hotline=hanne, supervisor=tove, contact=kasper)
    now = timezone.now()
    for case, days in ((own, 3), (second, 1), (third, 2), (as_deputy, 4), (colleagues, 9)):
        Case.objects.filter(pk=case.pk).update(state_changed_at=now - timedelta(days=days))
    # Contact person and deputy at once (as an old assignment may have it): listed once.
    Case.objects.filter(pk=third.pk).update(deputy=karin)
    # Not hers any more to see: not listed, though she is still named on it.
    remove_perm("cases.view_case", karin, second)
    # A closed course is not on the list.
    closed = case_in("awaiting_interview", hotline=hanne, supervisor=tove, contact=karin)
    Case.objects.filter(pk=closed.pk).update(state=CaseState.ASSESSED_NOT_TRAFFICKED)

    ids = [pk for pk, _ in my_cases(karin)]

    assert ids == [as_deputy.pk, own.pk, third.pk]
    assert [case.reference for case in cases_by_id(ids)] == [
        as_deputy.reference,
        own.reference,
        third.reference,
    ]
