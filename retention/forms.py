from django import forms
from django.utils.translation import gettext_lazy as _

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
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example the proceedings or request the course is kept for."),
    )
