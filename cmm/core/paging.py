"""Counting and paging lists that may hold a million rows.

An exact count scans every row of a list (a million inquiries: about a second), on every
page view and for every count in the navigation. Past a thousand rows nobody needs the
exact figure: counts stop at the cap and say "1000+", and the pages go as far as the cap.
"""

from functools import cached_property

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet

COUNT_CAP = 1000


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> int | str:
    """The number of rows, or "1000+" past the cap; reads at most cap + 1 rows."""
    found = queryset.order_by().values("pk")[: cap + 1].count()
    return _capped(found, cap)


def _capped(found: int, cap: int) -> int | str:
    return found if found <= cap else f"{cap}+"


def capped_counts(querysets: list[QuerySet], cap: int = COUNT_CAP) -> list[int | str]:
    """`capped_count` of each queryset, in one query: a page's several counts (the ten
    queues) each cost a round trip and Django's query execution otherwise. Each count is
    its own scalar subquery reading at most cap + 1 rows, as `capped_count` would."""
    if not querysets:
        return []
    parts, params = [], []
    for queryset in querysets:
        if queryset.query.is_empty():
            # .none(): Django would not run it (EmptyResultSet); it counts nothing.
            parts.append("0")
            continue
        limited = queryset.order_by().values("pk")[: cap + 1]
        try:
            sql, part_params = limited.query.get_compiler(using=queryset.db).as_sql()
        except EmptyResultSet:  # e.g. pk__in=[]: nothing can match
            parts.append("0")
            continue
        # Django compiled `sql` with its parameters apart: nothing is interpolated.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped)")  # noqa: S608
        params.extend(part_params)
    with connections[querysets[0].db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return [_capped(found, cap) for found in row]


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
