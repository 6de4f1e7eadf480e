"""What a version of the rules holds, and how its values are checked.

Every setting is listed once in SETTINGS: its place in the values, its label, its unit and
the date it applies at. The form, the side-by-side comparison, the rule file's check and
the documentation's table are all made from this list.
"""

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

import holidays
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cmm.core.codes import AssessingAuthority, ExtensionReason, ResidenceStatus

# The dates the rules apply at (a documented choice per rule, README "The rules as data").
DECISION_DATE = _("the decision date")
OFFER_ACCEPTED = _("the date the return's offer was accepted")
REPORT_SENT = _("the date the interview report is sent")
RECORD_DATE = _("the record's own date (received, last activity, step, end)")


@dataclass(frozen=True)
class Reflection:
    base_days: int
    max_days: int
    extension_reasons: tuple[str, ...]


@dataclass(frozen=True)
class Grants:
    currency: str
    in_kind_per_adult: int
    in_kind_per_child: int
    cash_without_children: int
    cash_with_children: int
    cash_months: int
    last_payment_months: int


@dataclass(frozen=True)
class QueueLimits:
    untriaged_working_days: int
    reflection_warning_days: int
    inactive_days: int
    stalled_return_days: int


@dataclass(frozen=True)
class Calendar:
    # A country (and subdivision) of the maintained holidays library; weekend days as ISO
    # weekday numbers (Monday 1 ... Sunday 7).
    country: str
    subdivision: str
    weekend: tuple[int, ...]


@dataclass(frozen=True)
class Rules:
    """One version's values, read through rules.at(day)."""

    effective_from: date
    reflection: Reflection
    grants: Grants
    queues: QueueLimits
    # residence status -> the authority that assesses (and grants the reflection period)
    authority: dict[str, str]
    calendar: Calendar

    def authority_for(self, residence_status: str) -> str:
        return self.authority.get(residence_status, "")


@dataclass(frozen=True)
class Setting:
    key: str  # "group.name" in the values
    label: Promise
    kind: str  # "days", "months", "amount", "working_days", "text", "codes", "weekdays"
    applies_at: Promise


SETTINGS: list[Setting] = [
    Setting("reflection.base_days", _("Reflection period"), "days", DECISION_DATE),
    Setting("reflection.max_days", _("Reflection period at most"), "days", DECISION_DATE),
    Setting(
        "reflection.extension_reasons",
        _("Reasons an extension may be granted for"),
        "codes",
        DECISION_DATE,
    ),
    Setting("grants.currency", _("Currency of the grants"), "text", OFFER_ACCEPTED),
    Setting("grants.in_kind_per_adult", _("In-kind grant per adult"), "amount", OFFER_ACCEPTED),
    Setting("grants.in_kind_per_child", _("In-kind grant per child"), "amount", OFFER_ACCEPTED),
    Setting(
        "grants.cash_without_children",
        _("Cash grant without children"),
        "amount",
        OFFER_ACCEPTED,
    ),
    Setting(
        "grants.cash_with_children",
        _("Cash grant with children (to the provider)"),
        "amount",
        OFFER_ACCEPTED,
    ),
    Setting("grants.cash_months", _("Cash paid over (months)"), "months", OFFER_ACCEPTED),
    Setting(
        "grants.last_payment_months",
        _("Last payment at most (months after departure)"),
        "months",
        OFFER_ACCEPTED,
    ),
    Setting(
        "queues.untriaged_working_days",
        _("Triage due within (working days)"),
        "working_days",
        RECORD_DATE,
    ),
    Setting(
        "queues.reflection_warning_days",
        _("Reflection periods shown before their end"),
        "days",
        RECORD_DATE,
    ),
    Setting("queues.inactive_days", _("Course inactive after"), "days", RECORD_DATE),
    Setting(
        "queues.stalled_return_days",
        _("Prepared return stalled after"),
        "days",
        RECORD_DATE,
    ),
    *(
        Setting(f"authority.{status}", label, "authority", REPORT_SENT)
        for status, label in ResidenceStatus.choices
    ),
    Setting("calendar.country", _("Working-day calendar: country"), "text", RECORD_DATE),
    Setting("calendar.subdivision", _("Working-day calendar: region"), "text", RECORD_DATE),
    Setting("calendar.weekend", _("Weekend days (1 = Monday)"), "weekdays", RECORD_DATE),
]
INTEGER_KINDS = {"days", "months", "amount", "working_days"}


class RuleError(ValueError):
    """The values are not a valid version of the rules; `errors` maps a setting to its
    messages (in the user's language)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def get(values: dict, key: str) -> Any:
    group, name = key.split(".")
    inner = values.get(group)
    return inner.get(name) if isinstance(inner, dict) else None


# Who may be named to assess by residence status: the authorities that also grant the
# reflection period (a court is chosen per course, with a reason).
DEFAULT_AUTHORITIES = (AssessingAuthority.CMM, AssessingAuthority.IMMIGRATION_SERVICE)
# Days and months are stored in small integer columns (a period's days, for one).
LARGEST = {"days": 32767, "months": 32767, "working_days": 32767, "amount": 2**31 - 1}


def _scalars(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(v, str | int) and not isinstance(v, bool) for v in value
    )


def parse(values: Any, effective_from: date) -> Rules:
    """The values as Rules, or RuleError naming every setting that is wrong."""
    errors: dict[str, list[str]] = {}

    def fail(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    if not isinstance(values, dict):
        raise RuleError({"values": [gettext("The values must be an object of groups.")]})
    known = {s.key for s in SETTINGS}
    for group, inner in values.items():
        if not isinstance(inner, dict):
            fail(group, gettext("Unknown group of settings."))
            continue
        for name in inner:
            if f"{group}.{name}" not in known:
                fail(f"{group}.{name}", gettext("Unknown setting."))
    for setting in SETTINGS:
        value = get(values, setting.key)
        if value is None:
            fail(setting.key, gettext("Missing."))
        elif setting.kind in INTEGER_KINDS:
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                fail(setting.key, gettext("Must be a whole number of at least 1."))
            elif value > LARGEST[setting.kind]:
                fail(setting.key, gettext("At most %s.") % LARGEST[setting.kind])
        elif setting.kind == "text":
            if not isinstance(value, str) or len(value) > 16:
                fail(setting.key, gettext("Must be a text of at most 16 characters."))
        elif setting.kind == "codes":
            allowed = set(ExtensionReason.values)
            if not _scalars(value) or not set(value) <= allowed:
                fail(
                    setting.key, gettext("Must be a list of these codes: %s.") % ", ".join(allowed)
                )
        elif setting.kind == "weekdays":
            if not _scalars(value) or not set(value) <= set(range(1, 8)) or len(value) > 6:
                fail(setting.key, gettext("Must be a list of weekday numbers from 1 to 7."))
        elif setting.kind == "authority" and value not in DEFAULT_AUTHORITIES:
            fail(setting.key, gettext("Must be one of: %s.") % ", ".join(DEFAULT_AUTHORITIES))
    if errors:
        raise RuleError(errors)

    reflection, grants = values["reflection"], values["grants"]
    if reflection["base_days"] > reflection["max_days"]:
        fail(
            "reflection.max_days", gettext("The period at most cannot be shorter than the period.")
        )
    calendar = values["calendar"]
    supported = holidays.list_supported_countries()
    if calendar["country"] not in supported:
        fail("calendar.country", gettext("Not a country of the holidays library."))
    elif calendar["subdivision"] and calendar["subdivision"] not in supported[calendar["country"]]:
        fail(
            "calendar.subdivision",
            gettext("Not a region of this country: %s.")
            % ", ".join(supported[calendar["country"]]),
        )
    if errors:
        raise RuleError(errors)
    return Rules(
        effective_from=effective_from,
        reflection=Reflection(
            base_days=reflection["base_days"],
            max_days=reflection["max_days"],
            extension_reasons=tuple(reflection["extension_reasons"]),
        ),
        grants=Grants(**{f.name: grants[f.name] for f in fields(Grants)}),
        queues=QueueLimits(**{f.name: values["queues"][f.name] for f in fields(QueueLimits)}),
        authority=dict(values["authority"]),
        calendar=Calendar(
            country=calendar["country"],
            subdivision=calendar["subdivision"],
            weekend=tuple(calendar["weekend"]),
        ),
    )


def display(setting: Setting, value: Any) -> str:
    """A value as the comparison page shows it."""
    if value is None:
        return "–"
    if setting.kind == "codes":
        labels = dict(ExtensionReason.choices)
        return ", ".join(str(labels.get(v, v)) for v in value) or "–"
    if setting.kind == "authority":
        return str(dict(AssessingAuthority.choices).get(value, value))
    if setting.kind == "weekdays":
        return ", ".join(str(v) for v in value)
    if setting.kind == "amount":
        return f"{value:,}".replace(",", ".")
    return str(value)


def differences(before: dict | None, after: dict) -> list[dict]:
    """Every setting side by side: its label, the value in force, the proposed one, and
    whether it changes."""
    rows = []
    for setting in SETTINGS:
        old = get(before, setting.key) if before is not None else None
        new = get(after, setting.key)
        rows.append(
            {
                "key": setting.key,
                "label": setting.label,
                "applies_at": setting.applies_at,
                "before": display(setting, old),
                "after": display(setting, new),
                "changed": before is not None and old != new,
            }
        )
    return rows
