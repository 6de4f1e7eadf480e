"""Two-factor login (ASVS 6.3.3, 6.5): a TOTP app for every account, with ten single-use
recovery codes. Built on django-otp's own models (TOTPDevice, StaticDevice).

After the password step a user is "half logged in": `TwoFactorRequiredMiddleware` lets them
reach only the second-factor pages, logout and the language switch until a code is verified.
"""

from collections.abc import Callable
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cmm.audit.services import Action, record
from cmm.core.sessions import end_all_sessions, remember_session

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "authenticator app"
RECOVERY_DEVICE_NAME = "recovery codes"

# What a half-logged-in user may reach (url names), besides static files.
OPEN_BEFORE_SECOND_FACTOR = frozenset(
    {"two_factor_verify", "two_factor_enrol", "logout", "set_language"}
)


def is_verified(user: AbstractBaseUser) -> bool:
    """True when the user has passed the second factor in this session."""
    check = getattr(user, "is_verified", None)
    return bool(user.is_authenticated and callable(check) and check())


class TwoFactorRequiredMiddleware:
    """Sends a user who has only passed the password step to the second factor.

    Must come after django-otp's OTPMiddleware (which sets `user.is_verified`) and after
    LoginRequiredMiddleware (anonymous visitors go to the login page first).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or is_verified(user):
            return None
        if request.resolver_match.view_name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        if request.path_info.startswith(settings.STATIC_URL):
            return None
        target = reverse("two_factor_verify")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


def app_device(user: AbstractBaseUser, confirmed: bool | None = True) -> TOTPDevice | None:
    devices = TOTPDevice.objects.devices_for_user(user, confirmed=confirmed)
    return devices.order_by("-confirmed", "pk").first()


def recovery_device(user: AbstractBaseUser) -> StaticDevice | None:
    return StaticDevice.objects.devices_for_user(user, confirmed=True).first()


def pending_app_device(user: AbstractBaseUser) -> TOTPDevice:
    """The unconfirmed device being enrolled (the same key until it is confirmed)."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> SafeString:
    """The enrolment QR code as inline SVG, drawn on the server.

    One path with presentation attributes only (no style attribute), so the strict CSP
    (style-src 'self') holds; no XML declaration, so it can sit inside the page.
    """
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage)
    buffer = BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    if svg.startswith("<?xml"):
        svg = svg[svg.index("?>") + 2 :].lstrip()
    # qrcode writes markup it generated from a URL it escaped itself: nothing of the user's.
    return mark_safe(svg)  # noqa: S308  # nosec B308 B703


def secret_for_manual_entry(device: TOTPDevice) -> str:
    """The key in base32, as authenticator apps expect it, grouped by four for reading."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def new_recovery_codes(user: AbstractBaseUser) -> list[str]:
    """Replace the user's recovery codes with ten fresh ones; the caller shows them once."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
        )
        StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
        if not device.confirmed:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
    return codes


def record_failed_code(request: HttpRequest) -> None:
    """A wrong second-factor code, in the audit trail with the failed passwords (never the
    code itself)."""
    from cmm.audit.models import AuditEvent

    AuditEvent.objects.create(
        actor=request.user,
        action=AuditEvent.Action.LOGIN_FAILED,
        changes={
            "username": request.user.get_username(),
            "address": request.META.get("REMOTE_ADDR", ""),
            "step": "second factor",
        },
    )


def complete_second_factor(request: HttpRequest, device: Device) -> None:
    """Mark the session verified by `device`, with a new session id (the privilege rose)."""
    otp_login(request, device)
    request.session.cycle_key()
    remember_session(request)


def reset_two_factor(*, actor: AbstractBaseUser, user: AbstractBaseUser) -> int:
    """Remove all of `user`'s second-factor devices and end their sessions, audited.

    The next login sends them to enrolment again. Returns how many devices went.
    """
    with transaction.atomic():
        removed = 0
        for model in (TOTPDevice, StaticDevice):
            devices = model.objects.select_for_update().filter(user=user)
            removed += len(devices)
            devices.delete()
        record(actor, Action.UPDATE, user, changes={"two_factor_devices": [removed, 0]})
        transaction.on_commit(lambda: end_all_sessions(user))
    return removed
