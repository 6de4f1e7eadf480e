from datetime import timedelta

from django import forms
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cmm.core.forms import DkfdsFormMixin
from referrals.models import CloseReason, Inquiry, InquiryPerson, urgency_errors
from rules.codes import CodeField

# A call registered a few minutes "in the future" is clock skew, not a typo.
FUTURE_TOLERANCE = timedelta(minutes=5)


class InquiryForm(DkfdsFormMixin, forms.ModelForm):
    received_at = forms.DateTimeField(
        label=_("Received at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M"],
    )
    caller_type = CodeField("contact_actor", label=_("Who contacts CMM"))

    class Meta:
        model = Inquiry
        fields = [
            "received_at",
            "channel",
            "caller_type",
            "caller_organisation",
            "caller_contact",
            "subject",
            "urgency",
            "urgent_on",
            "summary",
        ]
        widgets = {
            "urgent_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.instance.pk:
            self.initial.setdefault(
                "received_at", timezone.localtime().replace(second=0, microsecond=0)
            )
            # On the phone the time is already right: typing starts at the channel.
            self.fields["channel"].widget.attrs["autofocus"] = True

    def clean_received_at(self):
        value = self.cleaned_data["received_at"]
        if value > timezone.now() + FUTURE_TOLERANCE:
            raise forms.ValidationError(_("The time received cannot be in the future."))
        return value

    def clean(self):
        cleaned = super().clean()
        if "urgency" in cleaned:
            for field, message in urgency_errors(
                cleaned["urgency"], cleaned.get("urgent_on")
            ).items():
                self.add_error(field, message)
        return cleaned


class InquiryPersonForm(DkfdsFormMixin, forms.ModelForm):
    suspected_exploitation = CodeField(
        "exploitation_form", label=_("Suspected exploitation"), required=False
    )

    class Meta:
        model = InquiryPerson
        fields = [
            "alias",
            "gender",
            "age",
            "age_is_estimate",
            "nationality",
            "language",
            "interpreter_needed",
            "whereabouts",
            "suspected_exploitation",
        ]
        widgets = {"interpreter_needed": forms.NullBooleanSelect}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["age"].widget.attrs.update({"min": 0, "max": 120})

    def clean_age(self):
        age = self.cleaned_data.get("age")
        if age is not None and age > 120:
            raise forms.ValidationError(_("An age must be between 0 and 120."))
        return age


InquiryPersonFormSet = inlineformset_factory(
    Inquiry,
    InquiryPerson,
    form=InquiryPersonForm,
    extra=1,
    can_delete=True,
)


def persons_from_formset(formset) -> list[dict]:
    """The formset's rows as the plain dicts the services take."""
    rows = []
    for form in formset.forms:
        if not form.has_changed() and not form.instance.pk:
            continue
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("id", "inquiry", "DELETE")}
        if form.instance.pk:
            data["id"] = form.instance.pk
            data["delete"] = bool(form.cleaned_data.get("DELETE"))
        elif form.cleaned_data.get("DELETE"):
            continue
        rows.append(data)
    return rows


class VersionForm(DkfdsFormMixin, forms.Form):
    """Carries the version the user saw, so a stale page cannot act."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class TriageForm(VersionForm):
    note = forms.CharField(
        label=_("Triage note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the inquiry needs, in a sentence or two."),
    )


class ReferForm(VersionForm):
    pass


class LinkForm(VersionForm):
    case_reference = forms.CharField(
        label=_("Case reference"),
        max_length=32,
        help_text=_("For example C-2026-00012."),
    )


class CloseForm(VersionForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "---------"), *CloseReason.choices])
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == CloseReason.OTHER and not cleaned.get("note", "").strip():
            self.add_error("note", _("Say why when the reason is 'Other'."))
        return cleaned
