"""Counts and pages stop at a cap: past it the exact figure is not read (a million rows)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cmm.core.paging import CappedPaginator, capped_count, capped_counts
from referrals.models import Inquiry
from tests.factories import case_in, make_inquiry

pytestmark = pytest.mark.django_db


def test_a_count_past_the_cap_says_so(hanne):
    for _ in range(3):
        make_inquiry(hanne)
    assert capped_count(Inquiry.objects.all(), cap=3) == 3
    assert capped_count(Inquiry.objects.all(), cap=2) == "2+"


def test_pages_reach_as_far_as_the_cap_and_say_there_are_more(hanne):
    for _ in range(5):
        make_inquiry(hanne)
    paginator = CappedPaginator(Inquiry.objects.order_by("id"), 2)
    paginator.cap = 3
    assert paginator.capped
    assert paginator.num_pages == 2
    last = paginator.get_page(99)
    assert len(last.object_list) == 2
    whole = CappedPaginator(Inquiry.objects.order_by("id"), 2)
    assert not whole.capped
    assert whole.num_pages == 3


def test_several_counts_in_one_query_are_each_capped(hanne, django_assert_num_queries):
    for _ in range(3):
        make_inquiry(hanne)
    every = Inquiry.objects.all()
    with django_assert_num_queries(1):
        counts = capped_counts([every, every.none(), every.filter(pk__in=[]), every], cap=2)
    assert counts == ["2+", 0, 0, "2+"]
    assert capped_counts([every.order_by("-id"), every.filter(pk=every.first().pk)]) == [3, 1]
    assert capped_counts([]) == []


def test_a_list_and_the_navigation_count_its_rows_once(login, hanne, karin, tove):
    for _ in range(2):
        case_in("awaiting_interview", hotline=hanne, supervisor=tove, contact=karin)
    client = login(karin)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("cases:mine"))
    counts = [q for q in ctx.captured_queries if q["sql"].startswith("SELECT (SELECT COUNT(*)")]
    assert len(counts) == 1
    assert response.context["nav"]["my_cases"] == 2
    assert response.context["page"].paginator.count == 2


def test_counts_outside_a_request_are_not_remembered(hanne):
    make_inquiry(hanne)
    assert capped_count(Inquiry.objects.all()) == 1
    make_inquiry(hanne)
    assert capped_count(Inquiry.objects.all()) == 2
