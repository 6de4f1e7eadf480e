"""Counting and paging lists that may hold a million rows.

An exact count scans every row of a list (a million inquiries: about a second), on every
page view and for every count in the navigation. Past a thousand rows nobody needs the
exact figure: counts stop at the cap and say "1000+", and the pages go as far as the cap.
"""

from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import QuerySet

COUNT_CAP = 1000


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> int | str:
    """The number of rows, or "1000+" past the cap; reads at most cap + 1 rows."""
    found = queryset.order_by().values("pk")[: cap + 1].count()
    return found if found <= cap else f"{cap}+"


class CappedPaginator(Paginator):
    """A paginator whose count reads at most COUNT_CAP + 1 rows; `capped` tells the
    template that there are more rows than the pages reach."""

    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap
