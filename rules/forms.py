"""The supervisors' forms: a proposed version (a field per setting, filled with the version
in force), and the second supervisor's decision."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cmm.core.codes import ExtensionReason
from cmm.core.forms import DkfdsFormMixin
from rules.values import DEFAULT_AUTHORITIES, INTEGER_KINDS, SETTINGS, RuleError, get, parse

WEEKDAYS = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
]


def field_name(key: str) -> str:
    return key.replace(".", "__")


def _field(setting) -> forms.Field:
    label = setting.label
    if setting.kind in INTEGER_KINDS:
        return forms.IntegerField(label=label, min_value=1)
    if setting.kind == "codes":
        return forms.MultipleChoiceField(
            label=label,
            choices=ExtensionReason.choices,
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )
    if setting.kind == "weekdays":
        return forms.TypedMultipleChoiceField(
            label=label,
            choices=WEEKDAYS,
            coerce=int,
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )
    if setting.kind == "authority":
        return forms.ChoiceField(
            label=_("Who assesses: %(status)s") % {"status": label},
            choices=[(a.value, a.label) for a in DEFAULT_AUTHORITIES],
        )
    return forms.CharField(
        label=label, max_length=16, required=setting.key != "calendar.subdivision"
    )


class ProposalForm(DkfdsFormMixin, forms.Form):
    effective_from = forms.DateField(
        label=_("In force from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Tomorrow at the earliest. Records dated before it keep the rules they have."),
    )
    reason = forms.CharField(
        label=_("Why the rules change"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example the law or budget that changes them."),
    )

    def __init__(self, *args, current: dict, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("effective_from", timezone.localdate() + timedelta(days=1))
        for setting in SETTINGS:
            name = field_name(setting.key)
            self.fields[name] = _field(setting)
            self.fields[name].help_text = _("Applies by %(date)s.") % {"date": setting.applies_at}
            self.initial.setdefault(name, get(current, setting.key))
        # The mixin styled the fields it saw; style the ones added here too.
        self.style_fields()

    def values(self) -> dict:
        """The proposal's values in the rule file's shape."""
        values: dict = {}
        for setting in SETTINGS:
            group, name = setting.key.split(".")
            value = self.cleaned_data.get(field_name(setting.key))
            if setting.kind in ("codes", "weekdays"):
                value = list(value or [])
            elif setting.kind == "text":
                value = (value or "").strip()
            values.setdefault(group, {})[name] = value
        return values

    def clean(self):
        cleaned = super().clean()
        if self.errors or "effective_from" not in cleaned:
            return cleaned
        try:
            parse(self.values(), cleaned["effective_from"])
        except RuleError as error:
            for key, messages in error.errors.items():
                name = field_name(key)
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        return cleaned


class DecisionForm(DkfdsFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you turn the proposal down."),
    )
    compared = forms.BooleanField(
        label=_("I have compared the proposal with the rules in force"),
        required=False,
    )
