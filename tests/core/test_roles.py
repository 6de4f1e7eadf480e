import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from cases import services
from cases.selectors import cases_visible_to
from cmm.core.roles import Role
from tests.factories import case_in

pytestmark = pytest.mark.django_db
OPENING = {"view_case", "work_on_case", "view_person"}


@pytest.mark.parametrize(
    "role", [Role.HOTLINE, Role.CONTACT_PERSON, Role.STATISTICS, Role.ADMINISTRATOR]
)
def test_no_role_but_supervisor_holds_a_permission_that_opens_every_case(role):
    held = set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))
    assert not held & OPENING


def test_a_global_grant_would_widen_access_which_is_why_none_exists(hanne, tove, karin, kasper):
    case = case_in("awaiting_interview", hotline=hanne, supervisor=tove, contact=karin)
    assert list(cases_visible_to(kasper)) == []
    group = Group.objects.get(name=Role.CONTACT_PERSON)
    group.permissions.add(
        Permission.objects.get(codename="view_case", content_type__app_label="cases")
    )
    kasper = type(kasper).objects.get(pk=kasper.pk)  # a fresh permission cache
    assert list(cases_visible_to(kasper)) == [case]


def test_reassignment_takes_effect_on_the_old_contact_persons_next_request(
    login, hanne, tove, karin, kasper
):
    case = case_in("awaiting_interview", hotline=hanne, supervisor=tove, contact=karin)
    client = login(karin)
    url = reverse("cases:detail", args=[case.pk])
    assert client.get(url).status_code == 200
    services.case_assign(actor=tove, case_id=case.pk, version=case.version, contact_person=kasper)
    assert client.get(url).status_code == 404
