"""Reading the rules: the version in force at a date, remembered for a request's length.

Each request (and each block under `remembered()`: a task, a command going through many
records) reads the approved versions once; outside those every call reads them again, so
a version approved a moment ago is never missed.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from rules.models import RuleVersion
from rules.values import Rules, parse

_versions: ContextVar[list[Rules] | None] = ContextVar("cmm_rules", default=None)
# True while a request runs: the first read keeps the versions for the rest of it.
_in_request: ContextVar[bool] = ContextVar("cmm_rules_in_request", default=False)


def _load() -> list[Rules]:
    rows = (
        RuleVersion.objects.filter(status=RuleVersion.Status.APPROVED)
        .order_by("effective_from")
        .values_list("effective_from", "values")
    )
    versions = [parse(values, day) for day, values in rows]
    if not versions:
        raise ImproperlyConfigured("No rules are in force: run migrate, or manage.py load_rules.")
    return versions


def versions() -> list[Rules]:
    """The approved versions, oldest first."""
    known = _versions.get()
    if known is None:
        known = _load()
        if _in_request.get():
            _versions.set(known)
    return known


def at(day: date) -> Rules:
    """The version in force on `day`. The first version also governs anything dated before
    it (records older than the rule set)."""
    found = None
    for version in versions():
        if found is not None and version.effective_from > day:
            break
        found = version
    return found


def today() -> Rules:
    return at(timezone.localdate())


@dataclass(frozen=True)
class Span:
    """A version and the dates it governs: [starts, ends), None for open."""

    starts: date | None
    ends: date | None
    rules: Rules


def spans() -> list[Span]:
    """Every version with the dates it governs, so a query can give each record the rule of
    its own date (a condition per version: there are few)."""
    known = versions()
    return [
        Span(
            starts=None if i == 0 else version.effective_from,
            ends=known[i + 1].effective_from if i + 1 < len(known) else None,
            rules=version,
        )
        for i, version in enumerate(known)
    ]


@contextmanager
def remembered() -> Iterator[None]:
    """Read the versions once for the block."""
    if _versions.get() is not None:
        yield
        return
    token = _versions.set(_load())
    try:
        yield
    finally:
        _versions.reset(token)


class RulesPerRequestMiddleware:
    """The rules are read at most once per request, whatever asks for them. Read lazily:
    a request that needs none (a static file, the login page) reads none."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token, inside = _versions.set(None), _in_request.set(True)
        try:
            return self.get_response(request)
        finally:
            _in_request.reset(inside)
            _versions.reset(token)
