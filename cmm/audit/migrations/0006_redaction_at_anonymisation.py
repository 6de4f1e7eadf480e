from django.db import migrations, models

# The trigger function of 0004 refused every UPDATE; now one is let through: a first
# redaction, which sets redacted_at and may rewrite changes while every other column stays
# as written. Comparing the rows as jsonb without those two keys covers every other
# column, including any added later. DELETE stays refused.
REDACTABLE = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.redacted_at IS NULL
       AND NEW.redacted_at IS NOT NULL
       AND (to_jsonb(NEW) - 'changes' - 'redacted_at')
           = (to_jsonb(OLD) - 'changes' - 'redacted_at') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
"""
APPEND_ONLY = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REDACTABLE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_failed_logins")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="redacted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="redacted"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
