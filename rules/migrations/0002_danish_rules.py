"""The rules the system was built with, as the first version of the rule set. The only
place in the code where these periods, caps and limits are written (rules/mechanisms/
denmark.json holds the same for `manage.py load_rules`)."""

import datetime

from django.db import migrations

DANISH_RULES = {
    "reflection": {
        "base_days": 30,
        "max_days": 120,
        "extension_reasons": [
            "prepared_return",
            "testimony",
            "pregnancy",
            "treatment",
            "other_special",
        ],
    },
    "grants": {
        "currency": "DKK",
        "in_kind_per_adult": 40000,
        "in_kind_per_child": 9000,
        "cash_without_children": 10000,
        "cash_with_children": 20000,
        "cash_months": 6,
        "last_payment_months": 12,
    },
    "queues": {
        "untriaged_working_days": 1,
        "reflection_warning_days": 7,
        "inactive_days": 30,
        "stalled_return_days": 30,
    },
    "authority": {
        "legal_residence": "cmm",
        "asylum_seeker": "immigration_service",
        "no_legal_residence": "immigration_service",
    },
    "calendar": {"country": "DK", "subdivision": "", "weekend": [6, 7]},
}


def create(apps, schema_editor):
    RuleVersion = apps.get_model("rules", "RuleVersion")
    if RuleVersion.objects.exists():
        return
    RuleVersion.objects.create(
        effective_from=datetime.date(2000, 1, 1),
        values=DANISH_RULES,
        reason="Reglerne som systemet er bygget med: 30 dages refleksionsperiode, højst 120 "
        "dage; støtte til forberedt hjemsendelse efter handlingsplanen.",
        status="approved",
        source="initial data",
    )


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
