from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cmm.core.forms import DkfdsFormMixin
from repatriation.models import PaymentKind, PreparedReturn, StopReason
from repatriation.services import EDITABLE_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VersionForm(DkfdsFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReturnForm(DkfdsFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = PreparedReturn
        fields = list(EDITABLE_FIELDS)
        widgets = {
            **{
                name: DATE
                for name in (
                    "offer_accepted_on",
                    "application_sent_on",
                    "application_approved_on",
                    "plan_written_on",
                    "plan_approved_on",
                    "departure_on",
                )
            },
            "family_relations": forms.Textarea(attrs={"rows": 2}),
            "health_in_denmark": forms.Textarea(attrs={"rows": 2}),
            "health_at_home": forms.Textarea(attrs={"rows": 2}),
        }

    # Fields grouped by the step they belong to, for the template.
    GROUPS = [
        (
            _("1. Offer and application"),
            ["offer_accepted_on", "application_sent_on", "application_approved_on", "children"],
        ),
        (
            _("2. Safety and risk assessment"),
            [
                "traffickers_at_home",
                "debt",
                "provider_duties",
                "risk_level",
                "family_relations",
                "health_in_denmark",
                "health_at_home",
            ],
        ),
        (_("3. Reintegration plan"), ["plan_written_on", "plan_approved_on", "plan_budget"]),
        (
            _("4. Cooperation with the home country"),
            ["partner_name", "partner_country", "partner_contact"],
        ),
        (_("5. Travel"), ["departure_on", "destination", "escort", "documents"]),
    ]

    def groups(self):
        return [(title, [self[name] for name in names]) for title, names in self.GROUPS]


class StepForm(VersionForm):
    pass


class StopForm(VersionForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "---------"), *StopReason.choices])
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CompleteForm(VersionForm):
    on = forms.DateField(label=_("Follow-up ended on"), widget=DATE, initial=timezone.localdate)


class PaymentForm(VersionForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "---------"), *PaymentKind.choices])
    amount = forms.IntegerField(label=_("Amount (DKK)"), min_value=1)
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE, initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
