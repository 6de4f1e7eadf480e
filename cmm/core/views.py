from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from cmm.core.roles import Role, user_roles


def home(request: HttpRequest) -> HttpResponse:
    """Send each role to where its work starts."""
    roles = user_roles(request.user)
    if Role.SUPERVISOR in roles:
        return redirect("cases:unassigned")
    if Role.CONTACT_PERSON in roles:
        return redirect("cases:mine")
    if Role.HOTLINE in roles:
        return redirect("referrals:list")
    if Role.STATISTICS in roles:
        return redirect("statistics")
    return render(request, "core/home.html", {"roles": roles})
