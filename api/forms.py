from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.clients import client_errors
from api.models import DECIDING_AUTHORITIES, Scope
from cmm.core.forms import DkfdsFormMixin
from rules.codes import CodeField


class ApiClientForm(DkfdsFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("The partner and its system.")
    )
    partner_type = CodeField(
        "contact_actor",
        label=_("Partner type"),
        help_text=_("Referrals from this client are registered with this caller type."),
    )
    authority = forms.ChoiceField(
        label=_("Decides as"),
        choices=[("", _("Does not submit decisions")), *DECIDING_AUTHORITIES],
        required=False,
    )
    contact = forms.CharField(
        label=_("Contact"),
        max_length=200,
        help_text=_("Who at the partner answers for the system (name, e-mail, telephone)."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The key works up to and including this day. At most two years ahead."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("expires_on", timezone.localdate() + timedelta(days=365))

    def clean(self):
        cleaned = super().clean()
        for field, message in client_errors(cleaned).items():
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned


class RotateForm(DkfdsFormMixin, forms.Form):
    understood = forms.BooleanField(
        label=_("I understand that the current key stops working at once"),
        error_messages={"required": _("Confirm that the current key may stop working.")},
    )


class RevokeForm(DkfdsFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the partner's system is retired, or the key leaked."),
    )
    name = forms.CharField(label=_("Type the client's name to confirm"), max_length=100)

    def __init__(self, *args, client_name: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.client_name = client_name

    def clean_name(self) -> str:
        value = self.cleaned_data["name"].strip()
        if value != self.client_name:
            raise forms.ValidationError(_("Type the client's name exactly as shown to confirm."))
        return value
