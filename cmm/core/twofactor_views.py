"""The second-factor pages: verify a code after the password, enrol an authenticator app,
and replace the recovery codes."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from cmm.core.forms import EnrolmentForm, SecondFactorForm
from cmm.core.twofactor import (
    RECOVERY_CODE_COUNT,
    app_device,
    complete_second_factor,
    is_verified,
    new_recovery_codes,
    pending_app_device,
    qr_svg,
    record_failed_code,
    recovery_device,
    secret_for_manual_entry,
)


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("home")


def _with_next(name: str, request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next")
    url = reverse(name)
    return f"{url}?{urlencode({'next': wanted})}" if wanted else url


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of every login."""
    user = request.user
    if is_verified(user):
        return redirect(_next_url(request))
    if app_device(user) is None:
        return redirect(_with_next("two_factor_enrol", request))
    form = SecondFactorForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        complete_second_factor(request, form.device)
        if form.device == recovery_device(user):
            left = form.device.token_set.count()
            messages.warning(
                request,
                ngettext(
                    "You logged in with a recovery code. You have %(left)d code left.",
                    "You logged in with a recovery code. You have %(left)d codes left.",
                    left,
                )
                % {"left": left},
            )
        return redirect(_next_url(request))
    if request.method == "POST":
        record_failed_code(request)
    return render(
        request, "registration/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: a QR code (or the key typed by hand), confirmed with
    the first code; then the ten recovery codes, shown this once."""
    user = request.user
    if app_device(user) is not None:
        # A confirmed app is changed only after an administrator's reset: someone holding
        # just the password must not be able to add their own device.
        return redirect(_with_next("two_factor_verify", request))
    device = pending_app_device(user)
    form = EnrolmentForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        device.refresh_from_db()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = new_recovery_codes(user)
        complete_second_factor(request, device)
        return render(
            request,
            "registration/two_factor_recovery_codes.html",
            {"codes": codes, "next": _next_url(request), "first_time": True},
        )
    if request.method == "POST":
        record_failed_code(request)
    return render(
        request,
        "registration/two_factor_enrol.html",
        {
            "form": form,
            "qr": qr_svg(device),
            "secret": secret_for_manual_entry(device),
            "next": _next_url(request),
        },
    )


@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Replace the recovery codes, after a fresh code from the app (the old ones stop
    working)."""
    user = request.user
    form = SecondFactorForm(user, request.POST or None, allow_recovery=False)
    if request.method == "POST" and form.is_valid():
        codes = new_recovery_codes(user)
        return render(
            request,
            "registration/two_factor_recovery_codes.html",
            {"codes": codes, "next": reverse("home"), "first_time": False},
        )
    if request.method == "POST":
        record_failed_code(request)
    device = recovery_device(user)
    return render(
        request,
        "registration/two_factor_regenerate.html",
        {
            "form": form,
            "left": device.token_set.count() if device else 0,
            "total": RECOVERY_CODE_COUNT,
        },
    )
