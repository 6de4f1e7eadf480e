"""Test helpers for the second factor: a confirmed authenticator app per user, and the code
it would show now."""

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def app_device_for(user) -> TOTPDevice:
    """The user's confirmed authenticator app, set up on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=True)
    return device


def code_now(device: TOTPDevice, *, allow_reuse: bool = True) -> str:
    """The code the app shows now.

    django-otp refuses a code from a time step already used, which is right for people but
    would stop a test from logging the same persona in twice within 30 seconds; fixtures
    therefore forget the last used step (and any throttling) first.
    """
    if allow_reuse:
        TOTPDevice.objects.filter(pk=device.pk).update(
            last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
        )
        device.refresh_from_db()
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{value:0{device.digits}d}"
