"""Object permissions are read once per GET request, and never kept past it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from guardian.shortcuts import assign_perm, remove_perm

from cmm.core.request_cache import request_cache
from tests.factories import case_in

pytestmark = pytest.mark.django_db


def test_a_case_page_reads_the_case_permissions_once(login, hanne, kasper, tove):
    case = case_in("awaiting_interview", hotline=hanne, supervisor=tove, contact=kasper)
    client = login(kasper)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    # guardian's checker: the codenames the user holds on one object.
    object_permission_reads = [
        q
        for q in ctx.captured_queries
        if q["sql"].startswith('SELECT "auth_permission"."codename"')
        and "caseuserobjectpermission" in q["sql"]
    ]
    assert len(object_permission_reads) == 1


def test_outside_a_get_request_a_new_grant_is_seen_at_once(hanne, kasper, karin, tove):
    case = case_in("awaiting_interview", hotline=hanne, supervisor=tove, contact=kasper)
    assert request_cache() is None
    assert not karin.has_perm("cases.view_case", case)
    assign_perm("cases.view_case", karin, case)
    assert karin.has_perm("cases.view_case", case)
    remove_perm("cases.view_case", karin, case)
    assert not karin.has_perm("cases.view_case", case)


def test_the_kept_permissions_end_with_the_request(login, hanne, kasper, tove):
    case = case_in("awaiting_interview", hotline=hanne, supervisor=tove, contact=kasper)
    client = login(kasper)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    assert request_cache() is None
    remove_perm("cases.view_case", kasper, case)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
