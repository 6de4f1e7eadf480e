"""The code lists the system was built with (domain.md), added to every version of the
rules: each code counts under its own statistics category. The only place in the code where
the lists' labels are written as data (rules/mechanisms/denmark.json holds the same)."""

from django.db import migrations

# list -> (code, Danish label, English label), in the order forms offer them
DANISH_CODE_LISTS = {
    "contact_actor": [
        ("police", "Politi", "Police"),
        ("immigration_service", "Udlændingestyrelsen (US)", "Immigration Service (US)"),
        ("return_agency", "Hjemrejsestyrelsen", "Return Agency (Hjemrejsestyrelsen)"),
        ("tax_agency", "Skattestyrelsen", "Tax Agency"),
        ("labour_inspection", "Arbejdstilsynet", "Working Environment Authority"),
        ("food_authority", "Fødevarestyrelsen", "Food Administration"),
        ("siri", "SIRI", "SIRI"),
        ("municipality", "Kommune", "Municipality"),
        ("ngo", "NGO", "NGO"),
        ("red_cross", "Røde Kors", "Red Cross"),
        ("crisis_centre", "Krisecenter", "Crisis centre"),
        ("shelter", "Herberg", "Shelter"),
        ("asylum_centre", "Asylcenter", "Asylum centre"),
        ("prison_custody", "Fængsel eller arrest", "Prison or custody"),
        ("trade_union", "Fagforening", "Trade union"),
        ("lawyer", "Advokat", "Lawyer"),
        ("health_staff", "Sundhedspersonale", "Health staff"),
        ("relative", "Pårørende", "Relative"),
        ("informant", "Informant", "Informant"),
        ("citizen", "Borger", "Citizen"),
        ("self", "Selvhenvender", "The person themself"),
        ("other", "Andet", "Other"),
    ],
    "exploitation_form": [
        ("sexual", "Seksuel udnyttelse", "Sexual exploitation"),
        ("forced_labour", "Tvangsarbejde", "Forced labour"),
        ("criminal", "Tvungen kriminalitet", "Forced criminality"),
        ("slavery_like", "Slaverilignende forhold", "Slavery-like conditions"),
        ("organ_removal", "Organfjernelse", "Organ removal"),
        ("other", "Andet", "Other"),
        ("unresolved", "Uafklaret", "Unresolved"),
    ],
    "industry": [
        ("restaurant", "Restaurant", "Restaurant"),
        ("construction", "Byggeri", "Construction"),
        ("agriculture", "Landbrug", "Agriculture"),
        ("cleaning", "Rengøring", "Cleaning"),
        ("domestic_work", "Husligt arbejde", "Domestic work"),
        ("transport", "Transport", "Transport"),
        ("warehouse", "Lager", "Warehouse"),
        ("export", "Eksport", "Export"),
        ("fishing", "Fiskeri", "Fishing"),
        ("multiple", "Flere brancher", "Several industries"),
        ("other", "Andet", "Other"),
        ("unresolved", "Uafklaret", "Unresolved"),
    ],
    "housing_type": [
        ("specialised_crisis_centre", "Specialiseret krisecenter", "Specialised crisis centre"),
        ("crisis_centre", "Krisecenter", "Crisis centre"),
        ("asylum_centre", "Asylcenter", "Asylum centre"),
        ("shelter", "Herberg", "Shelter"),
        (
            "municipal_offer",
            "Kommunalt tilbud (servicelovens §§ 109-110)",
            "Municipal offer (Service Act §§109-110)",
        ),
        ("private", "Privat", "Private"),
        ("custody", "Arrest", "Custody"),
        ("none", "Ingen indkvartering", "No housing"),
    ],
    "placement_end_reason": [
        ("moved", "Flyttet til anden indkvartering", "Moved to another placement"),
        ("disappeared", "Forsvundet", "Disappeared"),
        ("left", "Forladt på egen hånd", "Left on own initiative"),
        ("course_ended", "Forløbet er afsluttet", "The course ended"),
        ("other", "Andet", "Other"),
    ],
}


def code_lists() -> dict:
    return {
        name: [
            {"code": code, "da": da, "en": en, "category": code, "active": True}
            for code, da, en in codes
        ]
        for name, codes in DANISH_CODE_LISTS.items()
    }


def fill(apps, schema_editor):
    """Every version without code lists gets the built-in ones."""
    RuleVersion = apps.get_model("rules", "RuleVersion")
    for version in RuleVersion.objects.all():
        if "codes" not in version.values:
            version.values = {**version.values, "codes": code_lists()}
            version.save(update_fields=["values"])


def empty(apps, schema_editor):
    RuleVersion = apps.get_model("rules", "RuleVersion")
    for version in RuleVersion.objects.all():
        version.values.pop("codes", None)
        version.save(update_fields=["values"])


class Migration(migrations.Migration):
    dependencies = [("rules", "0002_danish_rules")]

    operations = [migrations.RunPython(fill, empty)]
