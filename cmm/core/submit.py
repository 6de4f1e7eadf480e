"""The one way a view runs a service with a submitted form."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from cmm.core.exceptions import Conflict, Refused


def submit(
    request: HttpRequest,
    form: forms.BaseForm,
    action: Callable[[dict], str | None],
    *,
    done: str,
) -> HttpResponse | None:
    """Run `action` (a service call returning the success message, or None when it has
    said its own) with a POSTed form's data, and go to `done` after it.

    A Conflict (someone else changed the record meanwhile) also goes to `done`, where the
    user sees the record as it is now; a refusal keeps the page with what the user typed
    and says why; an invalid form says nothing was saved. None: show the form (again)."""
    if request.method != "POST":
        return None
    if not form.is_valid():
        messages.error(request, _("Nothing was saved. Correct the fields marked below."))
        return None
    try:
        message = action(form.cleaned_data)
    except Conflict as refusal:
        messages.error(request, refusal.message)
        return redirect(done)
    except Refused as refusal:
        messages.error(request, refusal.message)
        return None
    if message:
        messages.success(request, message)
    return redirect(done)
