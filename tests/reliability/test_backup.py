"""bin/backup and bin/restore: a restore drill against the real PostgreSQL."""

import os
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from cases import services as case_services
from cmm.audit.models import AuditEvent
from tests.factories import case_in, make_inquiry
from tests.race import postgresql_only

ROOT = Path(__file__).resolve().parents[2]


def url_for(database: str) -> str:
    """DATABASE_URL with another database name on the same server."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{database}"))


@pytest.fixture
def scratch_database():
    """An empty database on the test server, dropped afterwards."""
    name = f"cmm_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield url_for(name)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def records(hanne, tove, karin):
    """Some cases in several states, a note and an inquiry: a trail of audit events."""
    case = case_in("interviewing", hotline=hanne, supervisor=tove, contact=karin)
    case_in("assessed_trafficked", hotline=hanne, supervisor=tove, contact=karin)
    case_services.note_add(actor=karin, case_id=case.pk, text="Syntetisk journalnotat.")
    make_inquiry(hanne, state="closed")
    return case


def run(*args: str, env_url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        args,
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": env_url},
        capture_output=True,
        text=True,
        timeout=120,
    )


def row_counts(conn, tables: list[str]) -> dict[str, int]:
    count = sql.SQL("SELECT count(*) FROM {}")
    return {t: conn.execute(count.format(sql.Identifier(t))).fetchone()[0] for t in tables}


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_every_row_and_the_audit_trail_stays_append_only(
    records, scratch_database, tmp_path
):
    source_url = url_for(connection.settings_dict["NAME"])
    backup = run("bin/backup", str(tmp_path), env_url=source_url)
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip())
    assert dump.parent == tmp_path and dump.stat().st_size > 0
    assert Path(f"{dump}.sha256").read_text().split()[0]
    assert dump.stat().st_mode & 0o077 == 0, "the dump must be readable by its owner only"

    restore = run("bin/restore", str(dump), scratch_database, env_url=source_url)
    assert restore.returncode == 0, restore.stderr

    tables = connection.introspection.table_names()
    audit_ids = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    last = AuditEvent.objects.order_by("-id").values("id", "action", "object_ref").first()
    with psycopg.connect(source_url) as source:
        expected = row_counts(source, tables)
    with psycopg.connect(scratch_database, autocommit=True) as restored:
        assert row_counts(restored, tables) == expected
        assert expected["audit_auditevent"] > 10 and expected["cases_case"] == 2
        # Audit continuity: the same events under the same ids, the newest one included.
        restored_ids = [
            r[0] for r in restored.execute("SELECT id FROM audit_auditevent ORDER BY id")
        ]
        assert restored_ids == audit_ids
        assert restored.execute(
            "SELECT id, action, object_ref FROM audit_auditevent ORDER BY id DESC LIMIT 1"
        ).fetchone() == (last["id"], last["action"], last["object_ref"])
        # The database itself still refuses to change or remove an audit event.
        for statement in (
            "UPDATE audit_auditevent SET reason = 'tampered'",
            "DELETE FROM audit_auditevent",
        ):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                restored.execute(statement)
        # New ids continue after the restored ones, so the trail stays in order.
        next_id = restored.execute(
            "SELECT nextval(pg_get_serial_sequence('audit_auditevent', 'id'))"
        ).fetchone()[0]
        assert next_id > audit_ids[-1]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_restore_refuses_a_damaged_dump_and_a_database_with_data(
    records, scratch_database, tmp_path
):
    source_url = url_for(connection.settings_dict["NAME"])
    dump = Path(run("bin/backup", str(tmp_path), env_url=source_url).stdout.strip())

    # Into the live database: refused, nothing written over.
    into_live = run("bin/restore", str(dump), source_url, env_url=source_url)
    assert into_live.returncode != 0
    assert "already has" in into_live.stderr

    # A dump changed after the backup: refused before anything is restored.
    with dump.open("r+b") as f:
        f.seek(100)
        f.write(b"\x00damaged\x00")
    damaged = run("bin/restore", str(dump), scratch_database, env_url=source_url)
    assert damaged.returncode != 0
    assert "checksum" in damaged.stderr
    with psycopg.connect(scratch_database) as restored:
        assert (
            restored.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            ).fetchone()[0]
            == 0
        )
