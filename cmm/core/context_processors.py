from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import HttpRequest

from cmm.core.roles import Role, user_roles
from cmm.core.twofactor import is_verified

# What the apps above count in the navigation, each as (user, roles) -> {name: queryset}
# (cases and referrals register theirs in their AppConfig.ready()).
NavigationCount = Callable[[AbstractBaseUser, set], dict[str, QuerySet]]
NAVIGATION_COUNTS: list[NavigationCount] = []


def register_navigation_count(count: NavigationCount) -> NavigationCount:
    """Add an app's counts to the navigation (in INSTALLED_APPS order)."""
    NAVIGATION_COUNTS.append(count)
    return count


def navigation_counts(user: AbstractBaseUser) -> dict[str, QuerySet]:
    """What the navigation counts for `user`. A page with counts of its own (the queues)
    counts these in the same query; the navigation then finds them made
    (cmm.core.request_cache)."""
    roles = user_roles(user)
    counts: dict[str, QuerySet] = {}
    for count in NAVIGATION_COUNTS:
        counts.update(count(user, roles))
    return counts


def navigation(request: HttpRequest) -> dict:
    """The navigation's links and counts, by role (a fixed number of queries per page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not is_verified(user):
        # Half logged in (password only): no links, no counts, until the second factor.
        return {}
    from cmm.core.paging import capped_counts

    roles = user_roles(user)
    nav = {"roles": roles}
    counts = navigation_counts(user)
    # All of the navigation's counts in one query (none, when the page made them already).
    nav.update(zip(counts, capped_counts(list(counts.values())), strict=True))
    case_role = Role.SUPERVISOR in roles or Role.CONTACT_PERSON in roles
    nav["queues"] = case_role or Role.HOTLINE in roles
    nav["workload"] = Role.SUPERVISOR in roles
    nav["statistics"] = user.has_perm("cases.view_statistics")
    nav["retention"] = user.has_perm("cases.anonymise_case")
    nav["search"] = case_role or Role.HOTLINE in roles
    nav["is_account_admin"] = user.is_staff and user.has_perm("auth.view_user")
    nav["api_clients"] = user.has_perm("api.manage_apiclient")
    nav["rules"] = user.has_perm("rules.view_ruleversion")
    return {"nav": nav}
