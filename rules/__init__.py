"""The rules of the referral mechanism as dated data: `rules.at(day)` is the version in
force on that day (rules/lookup.py)."""

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rules.values import Rules


def at(day: date) -> "Rules":
    # Imported here: the app's package is imported before its models are ready.
    from rules.lookup import at as version_at

    return version_at(day)


def today() -> "Rules":
    from rules.lookup import today as version_today

    return version_today()
