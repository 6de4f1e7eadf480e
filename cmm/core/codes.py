"""Code lists shared by several apps (domain.md). Machine codes in lower_snake_case."""

from collections.abc import Callable

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries import countries

STATELESS = "stateless"


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    TRANS = "trans", _("Trans")


class ContactActor(models.TextChoices):
    """Who contacts CMM, and (at assessment) who first made contact with the person."""

    POLICE = "police", _("Police")
    IMMIGRATION_SERVICE = "immigration_service", _("Immigration Service (US)")
    RETURN_AGENCY = "return_agency", _("Return Agency (Hjemrejsestyrelsen)")
    TAX_AGENCY = "tax_agency", _("Tax Agency")
    LABOUR_INSPECTION = "labour_inspection", _("Working Environment Authority")
    FOOD_AUTHORITY = "food_authority", _("Food Administration")
    SIRI = "siri", _("SIRI")
    MUNICIPALITY = "municipality", _("Municipality")
    NGO = "ngo", _("NGO")
    RED_CROSS = "red_cross", _("Red Cross")
    CRISIS_CENTRE = "crisis_centre", _("Crisis centre")
    SHELTER = "shelter", _("Shelter")
    ASYLUM_CENTRE = "asylum_centre", _("Asylum centre")
    PRISON_CUSTODY = "prison_custody", _("Prison or custody")
    TRADE_UNION = "trade_union", _("Trade union")
    LAWYER = "lawyer", _("Lawyer")
    HEALTH_STAFF = "health_staff", _("Health staff")
    RELATIVE = "relative", _("Relative")
    INFORMANT = "informant", _("Informant")
    CITIZEN = "citizen", _("Citizen")
    SELF = "self", _("The person themself")
    OTHER = "other", _("Other")


class ExploitationForm(models.TextChoices):
    SEXUAL = "sexual", _("Sexual exploitation")
    FORCED_LABOUR = "forced_labour", _("Forced labour")
    CRIMINAL = "criminal", _("Forced criminality")
    SLAVERY_LIKE = "slavery_like", _("Slavery-like conditions")
    ORGAN_REMOVAL = "organ_removal", _("Organ removal")
    OTHER = "other", _("Other")
    UNRESOLVED = "unresolved", _("Unresolved")


class ForcedLabourIndustry(models.TextChoices):
    RESTAURANT = "restaurant", _("Restaurant")
    CONSTRUCTION = "construction", _("Construction")
    AGRICULTURE = "agriculture", _("Agriculture")
    CLEANING = "cleaning", _("Cleaning")
    DOMESTIC_WORK = "domestic_work", _("Domestic work")
    TRANSPORT = "transport", _("Transport")
    WAREHOUSE = "warehouse", _("Warehouse")
    EXPORT = "export", _("Export")
    FISHING = "fishing", _("Fishing")
    MULTIPLE = "multiple", _("Several industries")
    OTHER = "other", _("Other")
    UNRESOLVED = "unresolved", _("Unresolved")


class HousingType(models.TextChoices):
    SPECIALISED_CRISIS_CENTRE = "specialised_crisis_centre", _("Specialised crisis centre")
    CRISIS_CENTRE = "crisis_centre", _("Crisis centre")
    ASYLUM_CENTRE = "asylum_centre", _("Asylum centre")
    SHELTER = "shelter", _("Shelter")
    MUNICIPAL_OFFER = "municipal_offer", _("Municipal offer (Service Act §§109-110)")
    PRIVATE = "private", _("Private")
    CUSTODY = "custody", _("Custody")
    NONE = "none", _("No housing")


class PlacementEndReason(models.TextChoices):
    MOVED = "moved", _("Moved to another placement")
    DISAPPEARED = "disappeared", _("Disappeared")
    LEFT = "left", _("Left on own initiative")
    COURSE_ENDED = "course_ended", _("The course ended")
    OTHER = "other", _("Other")


class ResidenceStatus(models.TextChoices):
    LEGAL_RESIDENCE = "legal_residence", _("Legal residence")
    ASYLUM_SEEKER = "asylum_seeker", _("Asylum seeker")
    NO_LEGAL_RESIDENCE = "no_legal_residence", _("No legal residence")


class AssessingAuthority(models.TextChoices):
    CMM = "cmm", _("CMM")
    IMMIGRATION_SERVICE = "immigration_service", _("Immigration Service (US)")
    COURT = "court", _("Court")


class ExtensionReason(models.TextChoices):
    PREPARED_RETURN = "prepared_return", _("Cooperation on a prepared return")
    TESTIMONY = "testimony", _("Needed as a witness")
    PREGNANCY = "pregnancy", _("Imminent birth")
    TREATMENT = "treatment", _("Clarifying treatment options at home")
    OTHER_SPECIAL = "other_special", _("Other special reasons")


def nationality_choices() -> list[tuple[str, str]]:
    """ISO 3166 countries (plus Kosovo, XK) in the active language, and stateless."""
    return [(STATELESS, _("Stateless")), *((c.code, c.name) for c in countries)]


def country_display(field: str) -> Callable[[models.Model], str]:
    """`get_<field>_display` for a country code field.

    Django's own rebuilds and flattens the field's 250 choices on every call (they are a
    callable, translated per request): 1-2 ms a row, most of a 50-row list's time. This
    looks the one code up instead, with the same result.
    """

    def display(self: models.Model) -> str:
        return nationality_label(getattr(self, field))

    display.__name__ = f"get_{field}_display"
    return display


def choice_display(field: str, choices: type[models.Choices]) -> Callable[[models.Model], str]:
    """`get_<field>_display` for a field with a short list of choices.

    Django's own hashes every label of the field's choices on each call, which translates
    each of them: a list of 50 cases translated 500 state labels to show 50. This looks
    the one value up instead, with the same result."""
    labels = dict(choices.choices)

    def display(self: models.Model) -> str:
        value = getattr(self, field)
        label = labels.get(value)
        return value if label is None else str(label)

    display.__name__ = f"get_{field}_display"
    return display


def nationality_label(code: str) -> str:
    if not code:
        return ""
    if code == STATELESS:
        return str(_("Stateless"))
    return str(countries.name(code)) or code
