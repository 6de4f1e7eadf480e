from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import LegalHoldGround
from cmm.core.forms import DkfdsFormMixin


class AnonymiseForm(DkfdsFormMixin, forms.Form):
    """The second confirmation before an irreversible anonymisation."""

    reference = forms.CharField(
        label=_("Type the case reference to confirm"), max_length=32, strip=True
    )
    understood = forms.BooleanField(
        label=_("I understand that the erased data cannot be restored"),
        error_messages={"required": _("Confirm that you understand this cannot be undone.")},
    )

    def __init__(self, *args, case_reference: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.case_reference = case_reference

    def clean_reference(self) -> str:
        value = self.cleaned_data["reference"]
        if value != self.case_reference:
            raise forms.ValidationError(_("Type the case reference exactly as shown to confirm."))
        return value


class LegalHoldForm(DkfdsFormMixin, forms.Form):
    ground = forms.ChoiceField(
        label=_("Ground"),
        choices=LegalHoldGround.choices,
        initial=LegalHoldGround.OTHER,
        required=False,
        help_text=_(
            "Only a criminal investigation or proceedings also restricts the person's right "
            "to a copy of their data."
        ),
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example the proceedings or request the course is kept for."),
    )


class SubjectAccessForm(DkfdsFormMixin, forms.Form):
    """What a subject access file needs before it is produced."""

    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the person's request of 3 March, received by letter."),
        error_messages={"required": _("Give the reason for producing the file.")},
    )
    identity_verified = forms.BooleanField(
        label=_("I have verified the identity of the person asking"),
        error_messages={
            "required": _(
                "The file may only be produced once the requester's identity is verified."
            )
        },
    )
