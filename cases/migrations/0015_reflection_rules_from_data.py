"""The reflection period's length and maximum come from the rules of the decision date; each
period keeps the maximum it began under, and the database still refuses a total above it."""

from django.db import migrations, models
from django.db.models import F, Q


def keep_maximum(apps, schema_editor):
    # The periods recorded before the rules were data began under the first version.
    RuleVersion = apps.get_model("rules", "RuleVersion")
    ReflectionPeriod = apps.get_model("cases", "ReflectionPeriod")
    first = RuleVersion.objects.filter(status="approved").order_by("effective_from").first()
    if first is not None:
        ReflectionPeriod.objects.update(max_days=first.values["reflection"]["max_days"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0014_assessment_received_via"),
        ("rules", "0002_danish_rules"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="reflectionperiod", name="reflection_period_at_most_120_days"
        ),
        migrations.AlterField(
            model_name="reflectionperiod",
            name="total_days",
            field=models.PositiveSmallIntegerField(verbose_name="days in all"),
        ),
        migrations.AddField(
            model_name="reflectionperiod",
            name="max_days",
            field=models.PositiveSmallIntegerField(null=True, verbose_name="days at most"),
        ),
        migrations.RunPython(keep_maximum, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="reflectionperiod",
            name="max_days",
            field=models.PositiveSmallIntegerField(verbose_name="days at most"),
        ),
        migrations.AddConstraint(
            model_name="reflectionperiod",
            constraint=models.CheckConstraint(
                condition=Q(total_days__gte=1, total_days__lte=F("max_days")),
                name="reflection_period_within_its_maximum",
            ),
        ),
    ]
