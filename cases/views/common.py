"""What the case pages share: the case fetched under its permission, and a form
submitted to a service with refusals turned into messages."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cases.models import Case
from cmm.core.access import get_object_for_user, user_may
from cmm.core.submit import submit

PAGE_SIZE = 50


def _get_case(request: HttpRequest, pk: int, perm: str = "cases.view_case") -> Case:
    """The case if the user may see it (404 otherwise); the view is audited."""
    case = get_object_for_user(
        request.user,
        Case.objects.select_related("person", "contact_person", "deputy"),
        pk,
        "cases.view_case",
    )
    if perm != "cases.view_case" and not user_may(request.user, perm, case):
        raise PermissionDenied
    return case


def _act(
    request: HttpRequest,
    case: Case,
    form,
    template: str,
    action: Callable[[dict], str],
    context: dict | None = None,
) -> HttpResponse:
    """Validate `form`, run `action` (a service call returning the success message) and
    turn refusals into messages; on any failure the user's input stays in the form."""
    if case.is_anonymised:
        messages.error(request, _("This course is anonymised and can no longer be changed."))
        return redirect("cases:detail", pk=case.pk)
    done = submit(request, form, action, done=reverse("cases:detail", args=[case.pk]))
    return done or render(request, template, {"case": case, "form": form, **(context or {})})
