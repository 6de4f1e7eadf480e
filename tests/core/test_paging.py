"""Counts and pages stop at a cap: past it the exact figure is not read (a million rows)."""

import pytest

from cmm.core.paging import CappedPaginator, capped_count, capped_counts
from referrals.models import Inquiry
from tests.factories import make_inquiry

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
