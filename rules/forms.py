"""The supervisors' forms: a proposed version (a field per setting, filled with the version
in force), and the second supervisor's decision."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cmm.core.codes import ExtensionReason
from cmm.core.forms import DkfdsFormMixin
from rules.services import check_history
from rules.values import (
    CODE_LISTS,
    DEFAULT_AUTHORITIES,
    INTEGER_KINDS,
    LABEL_LENGTH,
    SETTINGS,
    CodeList,
    RuleError,
    get,
)

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


class CodeRowForm(DkfdsFormMixin, forms.Form):
    """One code of a list: its place, labels and active flag. A code already in the list
    keeps its code and its statistics category; the empty row adds a code, which must name
    the category it counts under."""

    order = forms.IntegerField(label=_("Order"), min_value=1, required=False)
    code = forms.CharField(label=_("Code"), max_length=32, required=False)
    da = forms.CharField(label=_("Danish label"), max_length=LABEL_LENGTH, required=False)
    en = forms.CharField(label=_("English label"), max_length=LABEL_LENGTH, required=False)
    category = forms.ChoiceField(label=_("Counts in the statistics as"), required=False)
    active = forms.BooleanField(label=_("Offered in forms"), required=False, initial=True)

    def __init__(self, *args, spec: CodeList, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "---------"), *spec.categories.choices]
        self.fields["order"].widget.attrs["class"] += " input-width-xxs"
        self.fields["code"].max_length = spec.max_length
        self.held = bool(self.initial.get("code"))
        self.category_label = dict(spec.categories.choices).get(self.initial.get("category"), "")
        if self.held:
            self.fields["code"].disabled = True
            self.fields["category"].disabled = True

    def entry(self) -> dict | None:
        """The row as an entry of the list, None for the empty row left empty."""
        data = self.cleaned_data
        if not self.held and not self.has_changed():
            return None
        return {
            "code": (data.get("code") or "").strip(),
            "da": (data.get("da") or "").strip(),
            "en": (data.get("en") or "").strip(),
            "category": data.get("category") or "",
            "active": bool(data.get("active")),
        }


CodeRowFormSet = forms.formset_factory(CodeRowForm, extra=1)


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
        data = args[0] if args else kwargs.get("data")
        self.lists_in_error: set[str] = set()
        held = current.get("codes") or {}
        self.code_lists = [
            (
                spec,
                CodeRowFormSet(
                    data,
                    prefix=f"codes-{name}",
                    initial=[{**e, "order": i} for i, e in enumerate(held.get(name, []), 1)],
                    form_kwargs={"spec": spec},
                ),
            )
            for name, spec in CODE_LISTS.items()
        ]

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
        values["codes"] = {}
        for spec, formset in self.code_lists:
            # By the place asked for; a code given a place (a new one, or one moved) goes
            # before the code that held the place.
            rows = sorted(
                (
                    form.cleaned_data.get("order") or len(formset.forms) + 1,
                    0 if "order" in form.changed_data or not form.held else 1,
                    i,
                    form.entry(),
                )
                for i, form in enumerate(formset.forms)
                if form.is_valid()
            )
            values["codes"][spec.name] = [row[-1] for row in rows if row[-1]]
        return values

    def clean(self):
        cleaned = super().clean()
        lists_valid = all(formset.is_valid() for _spec, formset in self.code_lists)
        if self.errors or not lists_valid or "effective_from" not in cleaned:
            if not lists_valid:
                self.add_error(None, _("Correct the marked codes."))
            return cleaned
        try:
            check_history(self.values(), cleaned["effective_from"])
        except RuleError as error:
            for key, messages in error.errors.items():
                name = field_name(key)
                spec = CODE_LISTS.get(key.removeprefix("codes."))
                if spec is not None:
                    self.lists_in_error.add(spec.name)
                    messages = [f"{spec.label}: {m}" for m in messages]
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
