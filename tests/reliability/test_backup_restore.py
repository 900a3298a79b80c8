"""`make backup` / `make restore` for real: seed pledges, progress updates and audit entries,
dump the test database with scripts/backup.sh, restore it into a fresh database with
scripts/restore.sh, and find every row again. Also: restore refuses a non-empty database
unless FORCE=1."""

import datetime as dt
import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from accounts.models import User
from core.models import AuditEntry
from pledges.models import Pledge, PledgeUpdate
from pledges.services import UpdateInput, review_update, submit_update, transition_pledge

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def url_of(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or "5432"
    return f"postgres://{db['USER']}{password}@{host}:{port}/{name}"


def run(script: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / "scripts" / script)],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """The name of a database that does not exist yet (restore.sh creates it); dropped after."""
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    yield name
    with psycopg.connect(url_of("postgres"), autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {name} WITH (FORCE)").format(name=sql.Identifier(name))
        )


@pytest.fixture
def seeded(
    submitted_pledge: Callable[..., Pledge], member_a: User, secretariat: User
) -> dict[str, Any]:
    """Six pledges in several states, progress updates (approved and pending) and the audit
    trail that all of this writes."""
    pledges = [submitted_pledge(title=f"Pledge number {n} — «ünïcode» ✓") for n in range(6)]
    for pledge in pledges[:4]:
        transition_pledge(pledge=pledge, action="publish", by=secretariat)
    transition_pledge(pledge=pledges[4], action="reject", by=secretariat, reason="Duplicate")
    for n, pledge in enumerate(pledges[:3]):
        update = submit_update(
            pledge=Pledge.objects.get(pk=pledge.pk),
            data=UpdateInput(
                status="in_progress",
                narrative=f"Report {n}: 40 % of the places are open.",
                reported_on=dt.date(2026, 3, n + 1),
            ),
            by=member_a,
        )
        if n < 2:
            review_update(update=update, action="approve", by=secretariat)
    return {
        "pledges": Pledge.objects.count(),
        "updates": PledgeUpdate.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def rows(database: str, query: str, table: str = "") -> list[tuple[Any, ...]]:
    """Run `query` on `database`, with `{table}` quoted as an identifier."""
    statement = sql.SQL(query).format(table=sql.Identifier(table)) if table else sql.SQL(query)
    with psycopg.connect(url_of(database)) as restored:
        return restored.execute(statement).fetchall()


def count(database: str, table: str) -> int:
    return rows(database, "SELECT count(*) FROM {table}", table)[0][0]


def test_a_backup_restored_into_a_fresh_database_holds_every_pledge_update_and_audit_entry(
    seeded: dict[str, Any], fresh_database: str, tmp_path: Path
) -> None:
    dump = tmp_path / "nightly.dump"
    source = connection.settings_dict["NAME"]

    backed_up = run("backup.sh", DATABASE_URL=url_of(source), BACKUP=str(dump))
    assert backed_up.returncode == 0, backed_up.stderr
    assert backed_up.stdout.strip() == str(dump)
    assert dump.stat().st_mode & 0o077 == 0, "the dump is readable by its owner only"

    restored = run("restore.sh", RESTORE_DATABASE_URL=url_of(fresh_database), BACKUP=str(dump))
    assert restored.returncode == 0, restored.stderr

    tables = {
        "pledges": Pledge._meta.db_table,
        "updates": PledgeUpdate._meta.db_table,
        "audit": AuditEntry._meta.db_table,
    }
    assert {k: count(fresh_database, t) for k, t in tables.items()} == seeded
    assert (seeded["pledges"], seeded["updates"]) == (6, 3)
    assert seeded["audit"] >= 20

    expected_pledges = list(
        Pledge.objects.order_by("id").values_list(
            "id", "reference", "title", "review_state", "version", "implementation_status"
        )
    )
    assert (
        rows(
            fresh_database,
            "SELECT id, reference, title, review_state, version, implementation_status "
            "FROM {table} ORDER BY id",
            tables["pledges"],
        )
        == expected_pledges
    )
    expected_updates = list(
        PledgeUpdate.objects.order_by("id").values_list("id", "narrative", "review_state")
    )
    assert (
        rows(
            fresh_database,
            "SELECT id, narrative, review_state FROM {table} ORDER BY id",
            tables["updates"],
        )
        == expected_updates
    )
    expected_audit = list(
        AuditEntry.objects.order_by("id").values_list("id", "action", "reason", "actor_id")
    )
    assert (
        rows(
            fresh_database,
            "SELECT id, action, reason, actor_id FROM {table} ORDER BY id",
            tables["audit"],
        )
        == expected_audit
    )
    # The schema came along too: the migrations table says the same as the source.
    assert rows(fresh_database, "SELECT count(*) FROM django_migrations") == rows(
        source, "SELECT count(*) FROM django_migrations"
    )


def test_restore_refuses_a_database_with_tables_unless_forced(
    seeded: dict[str, Any], fresh_database: str, tmp_path: Path
) -> None:
    dump = tmp_path / "backup.dump"
    assert (
        run(
            "backup.sh", DATABASE_URL=url_of(connection.settings_dict["NAME"]), BACKUP=str(dump)
        ).returncode
        == 0
    )
    target = url_of(fresh_database)
    assert run("restore.sh", RESTORE_DATABASE_URL=target, BACKUP=str(dump)).returncode == 0
    with psycopg.connect(target, autocommit=True) as restored:
        restored.execute(
            sql.SQL("DELETE FROM {table}").format(table=sql.Identifier(AuditEntry._meta.db_table))
        )

    refused = run("restore.sh", RESTORE_DATABASE_URL=target, BACKUP=str(dump))

    assert refused.returncode == 3
    assert "Refusing to restore" in refused.stderr
    assert count(fresh_database, AuditEntry._meta.db_table) == 0

    forced = run("restore.sh", RESTORE_DATABASE_URL=target, BACKUP=str(dump), FORCE="1")

    assert forced.returncode == 0, forced.stderr
    assert count(fresh_database, AuditEntry._meta.db_table) == seeded["audit"]


def test_backup_refuses_without_a_postgresql_url(tmp_path: Path) -> None:
    result = run("backup.sh", DATABASE_URL="mysql://db/x", BACKUP=str(tmp_path / "x"))

    assert result.returncode == 2
    assert "not a PostgreSQL URL" in result.stderr
    assert not (tmp_path / "x").exists()
