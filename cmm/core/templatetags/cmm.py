from collections.abc import Iterable
from functools import cache

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@cache
def _state_labels() -> dict:
    from cases.models import CaseState
    from referrals.models import InquiryState
    from repatriation.models import ReturnState

    # Case states win where a code is shared: they are the ones most timelines show.
    return {**dict(ReturnState.choices), **dict(InquiryState.choices), **dict(CaseState.choices)}


@register.filter
def state_label(code: str) -> str:
    """The translated label of a state code from any of the state machines."""
    return _state_labels().get(code, code)


@register.filter
def user_name(user) -> str:
    """A user's full name, else the username; empty for no user."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@register.simple_tag
def options(choices: Iterable[tuple], selected: str = "") -> SafeString:
    """The <option> elements of a long select (200 contact persons, 250 countries), the
    `selected` value marked; written in one pass in Python, where a template loop with an
    `if` per option took a noticeable part of a page's time. Labels are escaped."""
    selected = str(selected or "")
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if str(value) == selected else "", label) for value, label in choices),
    )
