"""Object permissions read once per page view.

django-guardian's backend builds a new permission checker for every `has_perm(perm, obj)`:
two queries each time (the user's and the groups' permissions on the object). A case page
asks about the same case four times (view it, work on it, two transitions). While a GET
(or HEAD) request runs, each user's checker is kept for the request
(cmm.core.request_cache), so each object's permissions are read once. Other requests, and
code outside a request (services, tasks, tests), are not cached: a POST may grant or
remove a permission and check it again.
"""

from django.db.models import Model
from guardian.backends import ObjectPermissionBackend, check_support
from guardian.core import ObjectPermissionChecker

from cmm.core.request_cache import request_cache


class RequestCachedObjectPermissionBackend(ObjectPermissionBackend):
    """guardian's backend, with one checker per user for the length of a GET request."""

    def has_perm(self, user_obj, perm: str, obj: Model | None = None) -> bool:
        cache = request_cache()
        # An app label other than the object's is guardian's to check (and refuse).
        foreign = "." in perm and obj is not None and perm.split(".", 1)[0] != obj._meta.app_label
        if cache is None or obj is None or foreign:
            return super().has_perm(user_obj, perm, obj)
        support, user_obj = check_support(user_obj, obj)
        if not support:
            return False
        key = ("object permissions", type(user_obj), user_obj.pk)
        if key not in cache:
            cache[key] = ObjectPermissionChecker(user_obj)
        return cache[key].has_perm(perm, obj)
