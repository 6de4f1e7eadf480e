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

from cmm.core.request_cache import request_cache

COUNT_CAP = 1000


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> int | str:
    """The number of rows, or "1000+" past the cap; reads at most cap + 1 rows."""
    return capped_counts([queryset], cap)[0]


def capped_counts(querysets: list[QuerySet], cap: int = COUNT_CAP) -> list[int | str]:
    """`capped_count` of each queryset, in one query: a page's several counts (the ten
    queues) each cost a round trip and Django's query execution otherwise."""
    return [found if found <= cap else f"{cap}+" for found in _counts(querysets, cap)]


def _counts(querysets: list[QuerySet], cap: int) -> list[int]:
    """The rows of each queryset, up to cap + 1, in one query; each count is its own
    scalar subquery reading at most cap + 1 rows.

    Within a read-only request a count already made (the same SQL and parameters) is not
    made again: the navigation's count of "My cases" is the list's own."""
    known = request_cache()
    found: list[int | None] = []
    parts, params, missing = [], [], []
    for queryset in querysets:
        limited = queryset.order_by().values("pk")[: cap + 1]
        if queryset.query.is_empty():
            # .none(): Django would not run it (EmptyResultSet); it counts nothing.
            found.append(0)
            continue
        try:
            sql, part_params = limited.query.get_compiler(using=queryset.db).as_sql()
        except EmptyResultSet:  # e.g. pk__in=[]: nothing can match
            found.append(0)
            continue
        key = ("capped count", queryset.db, sql, tuple(part_params))
        try:
            hash(key)
        except TypeError:  # a list among the parameters: not remembered
            key = None
        if known is not None and key in known:
            found.append(known[key])
            continue
        found.append(None)
        missing.append((len(found) - 1, key))
        # Django compiled `sql` with its parameters apart: nothing is interpolated.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped)")  # noqa: S608  # nosec B608
        params.extend(part_params)
    if parts:
        with connections[querysets[0].db].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(parts), params)
            row = cursor.fetchone()
        for (index, key), count in zip(missing, row, strict=True):
            found[index] = count
            if known is not None and key is not None:
                known[key] = count
    return found


class CappedPaginator(Paginator):
    """A paginator whose count reads at most COUNT_CAP + 1 rows; `capped` tells the
    template that there are more rows than the pages reach."""

    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        return _counts([self.object_list], self.cap)[0]

    @property
    def capped(self) -> bool:
        return self.count > self.cap
