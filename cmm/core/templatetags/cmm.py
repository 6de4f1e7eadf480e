from functools import cache

from django import template

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
