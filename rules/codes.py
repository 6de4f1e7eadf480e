"""The code lists at run time: what a form offers, how a record's code reads, and the
statistics category each code counts under (rules.values.CODE_LISTS names the lists).

Forms offer the active codes of the version in force today, in its order. A code is never
dropped from a list, only retired: the records that have it keep it, read it with its
label and count it under its category in every statistic.

The records' fields carry a CodeValidator rather than Django `choices`: a field's choices
are read by the system checks, before any database exists, while the lists are data.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cmm.core.exceptions import Refused
from rules import lookup
from rules.values import CODE_LISTS, Code

EMPTY = ("", "---------")


def in_force(name: str) -> tuple[Code, ...]:
    """The list's codes in the version in force today, active and retired, in order."""
    return lookup.today().codes[name]


def known(name: str) -> dict[str, Code]:
    """Every code the list has had in an approved version, as the latest version that has
    it says (today's first: a code of a version not yet in force is not known yet)."""
    found: dict[str, Code] = {}
    today = lookup.today()
    for version in reversed(lookup.versions()):
        if version.effective_from > today.effective_from:
            continue
        for code in version.codes.get(name, ()):
            found.setdefault(code.code, code)
    return found


def choices(name: str, keep: str = "") -> list[tuple[str, str]]:
    """The active codes for a form; `keep` (the record's own code) too if it is retired."""
    offered = [(c.code, c.label) for c in in_force(name) if c.active]
    if keep and all(code != keep for code, _label in offered):
        offered.append((keep, gettext("%s (retired)") % label(name, keep)))
    return offered


def label(name: str, code: str) -> str:
    """A code's label in the active language; an unknown code reads as itself."""
    found = known(name).get(code)
    return found.label if found else code


def categories(name: str) -> dict[str, str]:
    """Code -> the statistics category it counts under, for every code the list has had."""
    return {code: c.category for code, c in known(name).items()}


def category(name: str, code: str) -> str:
    return categories(name).get(code, code)


def codes_in(name: str, category: str) -> list[str]:
    """The codes that count under a category (a filter by category finds them all)."""
    return [code for code, c in known(name).items() if c.category == category]


def display(field: str, name: str) -> Callable[[models.Model], str]:
    """`get_<field>_display` for a field holding a code of the list `name`."""

    def get_display(self: models.Model) -> str:
        value = getattr(self, field)
        return label(name, value) if value else ""

    get_display.__name__ = f"get_{field}_display"
    return get_display


@deconstructible
class CodeValidator:
    """A model field's check that its value is a code of the list (active or retired)."""

    def __init__(self, name: str) -> None:
        if name not in CODE_LISTS:
            raise ValueError(f"Unknown code list {name!r}")
        self.name = name

    def __call__(self, value: Any) -> None:
        if value and value not in known(self.name):
            raise ValidationError(
                _("%(value)s is not a code of the list “%(list)s”."),
                code="invalid_choice",
                params={"value": value, "list": CODE_LISTS[self.name].label},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CodeValidator) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)


class CodeField(forms.ChoiceField):
    """A form's choice of a code: the active codes in force, read when the form is shown
    and when it is checked, and the record's own code (the form's initial value) even if
    it has been retired since."""

    def __init__(self, name: str, **kwargs: Any) -> None:
        self.list_name = name
        self.kept = ""
        super().__init__(**kwargs)
        self.choices = self._codes

    def _codes(self) -> list[tuple[str, str]]:
        return [EMPTY, *choices(self.list_name, keep=self.kept)]

    def __deepcopy__(self, memo: dict) -> "CodeField":
        copy = super().__deepcopy__(memo)
        # Each form's copy reads the codes for itself, keeping its own record's code.
        copy.choices = copy._codes
        return copy

    def get_bound_field(self, form: forms.BaseForm, field_name: str) -> forms.BoundField:
        self.kept = form.initial.get(field_name) or self.initial or ""
        return super().get_bound_field(form, field_name)


def check_codes(model: type[models.Model], values: Mapping[str, Any]) -> None:
    """Refused if a value meant for a code field of `model` is not a code of its list: a
    service's own check, whichever form, file or interface the values came from."""
    for field in model._meta.concrete_fields:
        value = values.get(field.name)
        for validator in field.validators:
            if value and isinstance(validator, CodeValidator):
                try:
                    validator(value)
                except ValidationError as error:
                    raise Refused(error.messages[0]) from error
