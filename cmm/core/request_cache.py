"""What a read-only request may remember for its own length.

A GET (or HEAD) request reads; within it the same question has the same answer, and
several parts of a page ask the same ones (the navigation's count of "My cases" is the
list's own count; guardian is asked about the same case four times). While such a request
runs, `request_cache()` is a dict those parts keep their answers in; otherwise (a POST,
which may change what is asked about, and code outside a request: services, tasks, tests)
it is None and nothing is kept.
"""

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

_cache: ContextVar[dict | None] = ContextVar("cmm_request_cache", default=None)
READ_ONLY_METHODS = frozenset({"GET", "HEAD"})


def request_cache() -> dict | None:
    """The running read-only request's cache, or None."""
    return _cache.get()


class ReadOnlyRequestCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in READ_ONLY_METHODS:
            return self.get_response(request)
        token = _cache.set({})
        try:
            return self.get_response(request)
        finally:
            _cache.reset(token)
