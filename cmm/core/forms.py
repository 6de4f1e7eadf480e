import math

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class DkfdsFormMixin:
    """Gives widgets the design system's classes, so templates render fields uniformly, and
    after a failed submit marks the invalid fields and puts the keyboard focus on the first
    one, so a keyboard or screen-reader user lands where the problem is."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()

    def style_fields(self) -> None:
        """Give the fields their classes; a form that adds fields after __init__ calls it
        again (a field styled already is left as it is)."""
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput) or getattr(widget, "_styled", False):
                continue
            widget._styled = True
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                css = "form-checkbox"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-input"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()
        focused = False
        for name, field in self.fields.items():
            if name in (self._errors or {}):
                field.widget.attrs["aria-invalid"] = "true"
                if not focused and not isinstance(field.widget, forms.HiddenInput):
                    field.widget.attrs["autofocus"] = True
                    focused = True


class LoginForm(DkfdsFormMixin, AuthenticationForm):
    """Django's login form, with the design system's fields like every other form."""


class SecondFactorForm(DkfdsFormMixin, forms.Form):
    """A code from the authenticator app (six digits) or a recovery code (eight letters and
    digits). Checked against the user's own devices, with django-otp's throttling: after each
    wrong code the next attempt must wait twice as long (1, 2, 4, 8 … seconds)."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def __init__(self, user, *args, allow_recovery: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.allow_recovery = allow_recovery
        self.device = None
        if allow_recovery:
            self.fields["code"].help_text = _(
                "The six digits your authenticator app shows now, or one of your recovery codes."
            )
        else:
            self.fields["code"].help_text = _("The six digits your authenticator app shows now.")

    def clean_code(self) -> str:
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        code = "".join(self.cleaned_data["code"].split()).lower()
        is_app_code = code.isdigit() and len(code) == 6
        if not is_app_code and not self.allow_recovery:
            raise forms.ValidationError(_("Enter the six digits your authenticator app shows."))
        model = TOTPDevice if is_app_code else StaticDevice
        # Locked, so two simultaneous tries cannot both use one code or dodge the throttle.
        # The refusal is raised after the commit: a rollback would undo the failure count.
        refusal = None
        with transaction.atomic():
            device = (
                model.objects.devices_for_user(self.user, confirmed=self.confirmed_devices)
                .select_for_update()
                .first()
            )
            if device is None:
                refusal = _("The code is wrong. Try again.")
            else:
                allowed, info = device.verify_is_allowed()
                if not allowed:
                    refusal = _throttled_message(info)
                elif not device.verify_token(code):
                    refusal = (
                        _(
                            "The code is wrong. Check that the clock on your phone is right "
                            "and type the code the app shows now."
                        )
                        if is_app_code
                        else _("The recovery code is wrong or has been used already.")
                    )
        if refusal is not None:
            raise forms.ValidationError(refusal)
        self.device = device
        return code

    # Login checks confirmed devices; enrolment checks the one being confirmed.
    confirmed_devices = True


class EnrolmentForm(SecondFactorForm):
    """Confirms a new authenticator app with the first code it shows."""

    confirmed_devices = False

    def __init__(self, user, *args, **kwargs) -> None:
        super().__init__(user, *args, allow_recovery=False, **kwargs)


def _throttled_message(info: dict | None) -> str:
    from django.utils import timezone

    locked_until = (info or {}).get("locked_until")
    seconds = 1
    if locked_until is not None:
        seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
    return ngettext(
        "Too many wrong codes. Wait %(seconds)d second and try again.",
        "Too many wrong codes. Wait %(seconds)d seconds and try again.",
        seconds,
    ) % {"seconds": seconds}
