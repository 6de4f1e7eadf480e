"""The statistics page's names for the codes in the export's tables.

The files keep the machine codes (they are compared year on year and read by programs);
the page shows what each code means, in the user's language.
"""

from collections.abc import Callable

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import (
    AssessingAuthority,
    CriminalKind,
    EndStatus,
    ForcedLabourIndustry,
    NotFiledReason,
    Provision,
    SexualKind,
)
from cmm.core.codes import ContactActor, ExploitationForm, Gender, nationality_label
from referrals.models import Channel

SUMMARY = {
    "inquiries": gettext_lazy("Inquiries about possible victims"),
    "self_referrals": gettext_lazy("Of these, from the person themself"),
    "hotline_calls": gettext_lazy("Calls to the hotline"),
    "persons_investigated": gettext_lazy("Persons investigated (first interview in the year)"),
    "assessed": gettext_lazy("Persons assessed as trafficked"),
    "minors": gettext_lazy("Of these, minors"),
    "under_25": gettext_lazy("Of these, under 25"),
    "age_min": gettext_lazy("Youngest (age)"),
    "age_max": gettext_lazy("Oldest (age)"),
    "age_mean": gettext_lazy("Average age"),
    "nationalities": gettext_lazy("Nationalities"),
    "prepared_returns": gettext_lazy("Prepared returns (departures in the year)"),
    "prepared_returns_assessed_in_year": gettext_lazy("Of these, assessed in the year"),
    "prepared_returns_assessed_earlier": gettext_lazy("Of these, assessed in an earlier year"),
    "police_reports_filed": gettext_lazy("Police reports filed"),
    "police_reports_not_filed": gettext_lazy("No police report filed"),
    "recurring_persons": gettext_lazy("Persons also assessed as trafficked in an earlier year"),
}
STATUS_AT_YEAR_END = {"continued_support": gettext_lazy("Still in support on 31 December")}


def _choice(choices: type[models.TextChoices], extra: dict | None = None) -> Callable[[str], str]:
    names = {**dict(choices.choices), **(extra or {})}
    # str() at call time: the names are lazy and translated for the current request.
    return lambda code: str(names.get(code, code))


def _criminal_kinds(code: str) -> str:
    kinds = dict(CriminalKind.choices)
    return " + ".join(str(kinds.get(k, k)) for k in code.split("+"))


def _overview(code: str) -> str:
    # "NG/woman/minor/sexual", as exports.tables writes the overview's rows.
    nationality, gender, age, form = [*code.split("/"), "", "", ""][:4]
    return ", ".join(
        [
            nationality_label(nationality) or _("Unknown nationality"),
            _choice(Gender)(gender) or _("Unknown gender"),
            _("minor") if age == "minor" else _("adult"),
            _choice(ExploitationForm)(form) or _("Form not stated"),
        ]
    )


LABELS: dict[str, Callable[[str], str]] = {
    "summary": lambda code: str(SUMMARY.get(code, code)),
    "inquiries_by_channel": _choice(Channel),
    "hotline_calls_by_caller_type": _choice(ContactActor),
    "assessed_by_authority": _choice(AssessingAuthority),
    "assessed_by_contact_actor": _choice(ContactActor),
    "assessed_by_exploitation": _choice(ExploitationForm),
    "assessed_sexual_by_kind": _choice(SexualKind),
    "assessed_forced_labour_by_industry": _choice(ForcedLabourIndustry),
    "assessed_criminal_by_kinds": _criminal_kinds,
    "assessed_by_gender": _choice(Gender),
    "assessed_by_nationality": nationality_label,
    "assessed_under_25_by_exploitation": _choice(ExploitationForm),
    "prepared_returns_by_destination": nationality_label,
    "status_at_year_end": _choice(EndStatus, STATUS_AT_YEAR_END),
    "police_reports_by_provision": _choice(Provision),
    "police_reports_not_filed_by_reason": _choice(NotFiledReason),
    "assessed_overview": _overview,
    "process_times_by_authority": _choice(AssessingAuthority),
    "process_times_by_gender": _choice(Gender),
}


def label(table: str, code: str) -> str:
    """What `code` in the export's table `table` means; the code itself when unknown."""
    name = LABELS.get(table)
    return (name(code) or code) if name else code
