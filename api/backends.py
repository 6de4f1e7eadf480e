"""The permissions of an API client's account, read from the client's scopes.

Listed in AUTHENTICATION_BACKENDS, so the services' own checks (`actor.has_perm(...)`)
answer for a client exactly as for a person: a client is let through the same doors, and
only those its scopes name. It authenticates nobody (keys are checked by
api.authentication) and answers only for inactive accounts that belong to a client, so an
account someone reactivated in the admin holds nothing.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import models

from api.models import ApiClient, Scope
from cases.models import Case
from cases.models.case import STATE_FOR_AUTHORITY

# Model permissions each scope opens, for any record.
SCOPE_PERMISSIONS = {
    Scope.INQUIRIES_SUBMIT: {"referrals.add_inquiry"},
}


def client_of(user: AbstractBaseUser) -> ApiClient | None:
    """The usable client whose account `user` is, or None."""
    if user.is_active or not user.is_authenticated:
        return None
    cached = getattr(user, "_api_client", None)
    if cached is None:
        cached = ApiClient.objects.filter(account_id=user.pk).first() or False
        user._api_client = cached
    return cached if cached and cached.is_usable else None


def _may_decide(client: ApiClient, case: Case) -> bool:
    """A deciding authority works on a case only to record its decision, and only on a
    case sent to it and awaiting that decision."""
    return (
        client.has_scope(Scope.DECISIONS_SUBMIT)
        and bool(client.authority)
        and case.assessing_authority == client.authority
        and case.state == STATE_FOR_AUTHORITY.get(client.authority)
    )


class ApiClientPermissionBackend:
    def authenticate(self, request, **credentials) -> None:
        return None

    def get_user(self, user_id: int) -> None:
        return None

    def has_perm(
        self, user_obj: AbstractBaseUser, perm: str, obj: models.Model | None = None
    ) -> bool:
        client = client_of(user_obj)
        if client is None:
            return False
        if obj is None:
            return any(perm in SCOPE_PERMISSIONS.get(scope, ()) for scope in client.scopes)
        if perm == "cases.work_on_case" and isinstance(obj, Case):
            return _may_decide(client, obj)
        return False

    def has_module_perms(self, user_obj: AbstractBaseUser, app_label: str) -> bool:
        return False
