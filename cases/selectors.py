"""Reading cases: every list a user sees is filtered by what they may see."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from guardian.shortcuts import get_objects_for_user

from cases.models import Case, CaseState


def cases_visible_to(user: AbstractBaseUser) -> QuerySet[Case]:
    """Supervisors see every case by role; anyone else only the cases granted to them."""
    if user.has_perm("cases.view_case"):
        return Case.objects.all()
    return get_objects_for_user(
        user, "cases.view_case", klass=Case, accept_global_perms=False, with_superuser=False
    )


def unassigned_cases(user: AbstractBaseUser) -> QuerySet[Case]:
    """Referred persons waiting for a contact person, urgent first, oldest first."""
    return (
        cases_visible_to(user)
        .filter(state=CaseState.AWAITING_ASSIGNMENT)
        .select_related("person")
        .order_by("-is_urgent", "opened_at", "id")
    )
