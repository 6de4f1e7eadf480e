"""What a version of the rules holds, and how its values are checked.

Every setting is listed once in SETTINGS: its place in the values, its label, its unit and
the date it applies at. The form, the side-by-side comparison, the rule file's check and
the documentation's table are all made from this list.
"""

import re
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

import holidays
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from cmm.core.codes import (
    AssessingAuthority,
    ContactActor,
    ExploitationForm,
    ExtensionReason,
    ForcedLabourIndustry,
    HousingType,
    PlacementEndReason,
    ResidenceStatus,
)

# The dates the rules apply at (a documented choice per rule, README "The rules as data").
DECISION_DATE = _("the decision date")
OFFER_ACCEPTED = _("the date the return's offer was accepted")
REPORT_SENT = _("the date the interview report is sent")
RECORD_DATE = _("the record's own date (received, last activity, step, end)")
ENTERED = _("the day a record is entered (forms offer the active codes)")


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
class CodeList:
    """A code list of the mechanism. Its codes are data (each version of the rules holds
    them); the statistics' categories are the fixed codes of `categories`, and every code
    counts under one of them."""

    name: str
    label: Promise
    categories: type[models.TextChoices]
    # The longest code the records' column holds.
    max_length: int


CODE_LISTS: dict[str, CodeList] = {
    c.name: c
    for c in (
        CodeList("contact_actor", _("Who contacts CMM / contact-creating actor"), ContactActor, 32),
        CodeList("exploitation_form", _("Forms of exploitation"), ExploitationForm, 32),
        CodeList("industry", _("Forced labour industries"), ForcedLabourIndustry, 32),
        CodeList("housing_type", _("Housing types"), HousingType, 32),
        CodeList("placement_end_reason", _("Reasons a placement ended"), PlacementEndReason, 16),
    )
}
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
CODE_FIELDS = ("code", "da", "en", "category", "active")
LABEL_LENGTH = 100


@dataclass(frozen=True)
class Code:
    """One code of a list: its labels in Danish and English, the statistics category it
    counts under, and whether forms offer it (a retired code stays on its records)."""

    code: str
    da: str
    en: str
    category: str
    active: bool

    @property
    def label(self) -> str:
        """The label in the active language (Danish, else English)."""
        return self.da if (get_language() or "").startswith("da") else self.en


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
    # list name -> its codes in the order forms offer them
    codes: dict[str, tuple[Code, ...]]

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
        if group == "codes":
            continue
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
    codes = _parse_codes(values.get("codes"), fail)
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
        codes=codes,
    )


def _parse_codes(lists: Any, fail) -> dict[str, tuple[Code, ...]]:
    """The code lists of a version; each wrong entry is reported under `codes.<list>`."""
    if not isinstance(lists, dict):
        fail("codes", gettext("Missing."))
        return {}
    for name in lists:
        if name not in CODE_LISTS:
            fail(f"codes.{name}", gettext("Unknown code list."))
    parsed: dict[str, tuple[Code, ...]] = {}
    for name, spec in CODE_LISTS.items():
        key, entries = f"codes.{name}", lists.get(name)
        if not isinstance(entries, list) or not entries:
            fail(key, gettext("Missing: a list of codes."))
            continue
        found: list[Code] = []
        for number, entry in enumerate(entries, start=1):
            problem = _code_problem(entry, spec)
            if problem:
                fail(
                    key,
                    gettext("Code no. %(number)s: %(problem)s")
                    % {"number": number, "problem": problem},
                )
                continue
            if any(c.code == entry["code"] for c in found):
                fail(key, gettext("The code %s appears twice.") % entry["code"])
                continue
            found.append(Code(**{f: entry[f] for f in CODE_FIELDS}))
        if found and not any(c.active for c in found):
            fail(key, gettext("At least one code must be active."))
        parsed[name] = tuple(found)
    return parsed


def _code_problem(entry: Any, spec: CodeList) -> str:
    if not isinstance(entry, dict) or set(entry) != set(CODE_FIELDS):
        return gettext("Must have exactly these fields: %s.") % ", ".join(CODE_FIELDS)
    code = entry["code"]
    if not isinstance(code, str) or not CODE_PATTERN.match(code) or len(code) > spec.max_length:
        return (
            gettext("The code must be lower-case letters, digits and _ (at most %s characters).")
            % spec.max_length
        )
    for language in ("da", "en"):
        label = entry[language]
        if not isinstance(label, str) or not label.strip() or len(label) > LABEL_LENGTH:
            return gettext("The labels must be texts of 1 to %s characters.") % LABEL_LENGTH
    if entry["category"] not in spec.categories.values:
        return gettext("Name the statistics category it counts under: one of %s.") % ", ".join(
            spec.categories.values
        )
    if not isinstance(entry["active"], bool):
        return gettext("Active must be true or false.")
    return ""


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
    return rows + code_differences(before, after)


def history_problems(version: Rules, others: list[Rules]) -> dict[str, list[str]]:
    """What a version may not do to the code lists of the other approved versions: drop a
    code the version before it has (retire it instead: records keep it), or count a code
    under another statistics category than the other versions do (an earlier year's table
    would change)."""
    errors: dict[str, list[str]] = {}
    before = [o for o in others if o.effective_from < version.effective_from]
    predecessor = before[-1] if before else None
    for name in CODE_LISTS:
        mine = {c.code: c for c in version.codes.get(name, ())}
        key = f"codes.{name}"
        if predecessor is not None:
            for code in predecessor.codes.get(name, ()):
                if code.code not in mine:
                    errors.setdefault(key, []).append(
                        gettext("The code %s cannot be removed: retire it instead.") % code.code
                    )
        for other in others:
            for code in other.codes.get(name, ()):
                if code.code in mine and mine[code.code].category != code.category:
                    errors.setdefault(key, []).append(
                        gettext(
                            "The code %(code)s counts under %(category)s in other versions: "
                            "its category cannot change."
                        )
                        % {"code": code.code, "category": code.category}
                    )
    return {k: sorted(set(v)) for k, v in errors.items()}


def display_code(spec: CodeList, entry: dict, order: int) -> str:
    """A code as the comparison page shows it: place, labels, category and whether active."""
    category = dict(spec.categories.choices).get(entry.get("category"), entry.get("category"))
    return gettext("%(order)s. %(da)s / %(en)s · counts as %(category)s · %(state)s") % {
        "order": order,
        "da": entry.get("da"),
        "en": entry.get("en"),
        "category": category,
        "state": gettext("active") if entry.get("active") else gettext("retired"),
    }


def code_differences(before: dict | None, after: dict) -> list[dict]:
    """Each code list side by side: a row for every code that is added or changed (its
    labels, category or active flag), a row for a new order of the codes held, and one row
    for a list that does not change."""
    rows = []
    for name, spec in CODE_LISTS.items():
        old = (before or {}).get("codes", {}).get(name) or []
        new = (after.get("codes") or {}).get(name) or []
        old_at = {e.get("code"): (i, e) for i, e in enumerate(old, start=1)}
        changed = []
        for i, entry in enumerate(new, start=1):
            was = old_at.get(entry.get("code"))
            if before is not None and (was is None or was[1] != entry):
                changed.append(
                    {
                        "key": f"codes.{name}.{entry.get('code')}",
                        "label": f"{spec.label}: {entry.get('code')}",
                        "applies_at": ENTERED,
                        "before": display_code(spec, was[1], was[0]) if was else "–",
                        "after": display_code(spec, entry, i),
                        "changed": True,
                    }
                )
        held = [e.get("code") for e in new if e.get("code") in old_at]
        if before is not None and held != [e.get("code") for e in old if e.get("code") in held]:
            changed.append(
                {
                    "key": f"codes.{name}.order",
                    "label": gettext("%s: order") % spec.label,
                    "applies_at": ENTERED,
                    "before": ", ".join(e.get("code") for e in old),
                    "after": ", ".join(e.get("code") for e in new),
                    "changed": True,
                }
            )
        rows.extend(changed)
        if not changed:
            rows.append(
                {
                    "key": f"codes.{name}",
                    "label": spec.label,
                    "applies_at": ENTERED,
                    "before": gettext("%s codes") % len(old) if before is not None else "–",
                    "after": gettext("%s codes") % len(new),
                    "changed": False,
                }
            )
    return rows
