"""Object permissions read once per page view.

django-guardian's backend builds a new permission checker for every `has_perm(perm, obj)`:
two queries each time (the user's and the groups' permissions on the object). A case page
asks about the same case four times (view it, work on it, two transitions). While a GET
(or HEAD) request runs, the checker of each user is kept for the request, so each object's
permissions are read once. Other requests, and code outside a request (services, tasks,
tests), are not cached: a POST may grant or remove a permission and check it again.
"""

from collections.abc import Callable
from contextvars import ContextVar

from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from guardian.backends import ObjectPermissionBackend, check_support
from guardian.core import ObjectPermissionChecker

_checkers: ContextVar[dict | None] = ContextVar("cmm_permission_checkers", default=None)
READ_ONLY_METHODS = frozenset({"GET", "HEAD"})


class RequestCachedObjectPermissionBackend(ObjectPermissionBackend):
    """guardian's backend, with one checker per user for the length of a GET request."""

    def has_perm(self, user_obj, perm: str, obj: Model | None = None) -> bool:
        checkers = _checkers.get()
        # An app label other than the object's is guardian's to check (and refuse).
        foreign = "." in perm and obj is not None and perm.split(".", 1)[0] != obj._meta.app_label
        if checkers is None or obj is None or foreign:
            return super().has_perm(user_obj, perm, obj)
        support, user_obj = check_support(user_obj, obj)
        if not support:
            return False
        return _checker(checkers, user_obj).has_perm(perm, obj)


def _checker(checkers: dict, user_obj) -> ObjectPermissionChecker:
    key = (type(user_obj), user_obj.pk)
    if key not in checkers:
        checkers[key] = ObjectPermissionChecker(user_obj)
    return checkers[key]


class PermissionCacheMiddleware:
    """Keeps object permissions for the length of a read-only request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in READ_ONLY_METHODS:
            return self.get_response(request)
        token = _checkers.set({})
        try:
            return self.get_response(request)
        finally:
            _checkers.reset(token)
