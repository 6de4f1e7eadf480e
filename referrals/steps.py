"""The steps an inquiry is taken through on its own page, each with its form, its title and
what it does. Triage and closing are the inquiry's own; referring and linking hand the
inquiry on to a course, so the cases app, one floor up, registers those two
(cases/plugins.py): referrals never imports cases."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib.auth.models import AbstractBaseUser

# The order the inquiry's page offers its steps in (the main step first).
ORDER = ("triage", "refer", "link", "close")


@dataclass(frozen=True)
class Step:
    form: type[forms.Form]
    title: str
    # (actor, the inquiry's id and version, the form's data) -> the message shown on success
    run: Callable[[AbstractBaseUser, dict, dict], str]


STEPS: dict[str, Step] = {}


def register_step(name: str, step: Step) -> None:
    """Offer `name` (one of the inquiry's transitions) on the inquiry's page."""
    if name not in ORDER:
        raise ValueError(f"not an inquiry step: {name}")
    STEPS[name] = step
    ordered = sorted(STEPS.items(), key=lambda item: ORDER.index(item[0]))
    STEPS.clear()
    STEPS.update(ordered)
