from django.db import migrations

# A first redaction may now also replace an event's reason (free text typed with a
# transition or a legal hold) with the marker, and with nothing else; every other column
# stays as written, and a second redaction is still refused.
REDACTABLE = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.redacted_at IS NULL
       AND NEW.redacted_at IS NOT NULL
       AND (NEW.reason = OLD.reason OR NEW.reason = '[personal data]')
       AND (to_jsonb(NEW) - 'changes' - 'reason' - 'redacted_at')
           = (to_jsonb(OLD) - 'changes' - 'reason' - 'redacted_at') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
"""
# 0006's function: changes and redacted_at only.
CHANGES_ONLY = """
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


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REDACTABLE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CHANGES_ONLY)


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_redaction_at_anonymisation")]

    operations = [migrations.RunPython(forwards, backwards)]
