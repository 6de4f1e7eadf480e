"""Which audited fields identify a person, and how their values are kept out of the trail.

The list follows the field decisions of `retention.services` (its module docstring): every
field that anonymisation erases identifies the person, so the audit trail records only
that it changed, never its value. Coded fields (states, codes, dates of steps, staff)
keep their values. Models are named by label so this module imports no app.
"""

from typing import Any

# Stored in place of a value; English in the data, translated where it is shown.
REDACTED = "[personal data]"

IDENTIFYING_FIELDS: dict[str, frozenset[str]] = {
    "cases.person": frozenset(
        {
            "name",
            "aliases",
            "name_key",
            "birth_date",
            "phone",
            "email",
            "address",
            "languages",
            "source_ref",
        }
    ),
    "cases.case": frozenset({"authority_override_reason", "legal_hold_reason"}),
    "cases.interview": frozenset({"place", "interpreter", "interpreter_language", "notes"}),
    "cases.note": frozenset({"text"}),
    "cases.extension": frozenset({"note"}),
    "cases.placement": frozenset({"place"}),
    "cases.supportservice": frozenset({"note"}),
    "cases.minorcare": frozenset({"representative", "representative_contact", "municipality"}),
    "cases.policereport": frozenset({"note"}),
    "referrals.inquiry": frozenset(
        {"summary", "triage_note", "caller_organisation", "caller_contact"}
    ),
    "referrals.inquiryperson": frozenset({"alias", "alias_key", "whereabouts", "language"}),
    "repatriation.preparedreturn": frozenset(
        {
            "family_relations",
            "health_in_denmark",
            "health_at_home",
            "partner_name",
            "partner_contact",
            "documents",
        }
    ),
    "repatriation.payment": frozenset({"note"}),
}

_EMPTY = (None, "", [], {})


def _mask_value(value: Any) -> Any:
    # Empty stays empty: "was set" or "was cleared" identifies no one and keeps the
    # event readable.
    if isinstance(value, list) and len(value) == 2 and not isinstance(value[0], dict):
        return [v if v in _EMPTY else REDACTED for v in value]
    return value if value in _EMPTY else REDACTED


def mask(label: str, changes: dict[str, Any]) -> dict[str, Any]:
    """`changes` with the values of the identifying fields of model `label` replaced by
    the marker; nested snapshots (such as a removed record's fields) are masked too."""
    fields = IDENTIFYING_FIELDS.get(label, frozenset())
    masked: dict[str, Any] = {}
    for name, value in changes.items():
        if name in fields:
            masked[name] = _mask_value(value)
        elif isinstance(value, dict):
            masked[name] = mask(label, value)
        elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
            masked[name] = [mask(label, v) if isinstance(v, dict) else v for v in value]
        else:
            masked[name] = value
    return masked
