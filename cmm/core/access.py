"""The one way a view fetches a record for a user.

Anything the user may not see is a 404, never a 403 or a redirect: an id that exists and
one that does not look the same from outside.
"""

from typing import TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.http import Http404

from cmm.audit import services as audit

M = TypeVar("M", bound=models.Model)


def user_may(user: AbstractBaseUser, perm: str, obj: models.Model) -> bool:
    """A role-wide permission or an object permission on this very record."""
    return user.has_perm(perm) or user.has_perm(perm, obj)


def get_object_for_user(
    user: AbstractBaseUser,
    queryset: models.QuerySet[M],
    pk: int,
    perm: str,
    *,
    audit_view: bool = True,
) -> M:
    """Fetch `pk` from `queryset` if `user` holds `perm` on it, and log the view."""
    obj = queryset.filter(pk=pk).first()
    if obj is None or not user_may(user, perm, obj):
        raise Http404
    if audit_view:
        audit.record_view(user, obj)
    return obj
