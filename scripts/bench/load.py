"""Create the benchmark database and fill it with `BENCH_PLEDGES` pledges.

The rows come from the demo seeder (`bootstrap.demo.seed_demo`): PostgreSQL COPY from a
generator thread, foreign keys and secondary indexes dropped during the load and rebuilt once
afterwards. The benchmark asks it for exactly three progress updates per published pledge, so
that the data shape is known at every scale. Runs inside the benchmark process, with Django set
up on `config.settings.bench`.
"""

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import psycopg

UPDATES_PER_PLEDGE = 3
# A fixed "today", so that the same scale gives the same rows on every run.
AS_OF = dt.date(2026, 11, 1)


@dataclass
class LoadResult:
    pledges: int
    seconds: float | None  # None when an existing database was reused
    rows: dict[str, int]
    vacuum_seconds: float | None = None


def _admin_connection(url: str) -> psycopg.Connection:
    u = urlsplit(url)
    return psycopg.connect(
        host=u.hostname or "127.0.0.1",
        port=u.port or 5432,
        user=u.username or "postgres",
        password=u.password,
        dbname="postgres",
        autocommit=True,
    )


def database_pledges(url: str) -> int | None:
    """How many pledges the benchmark database holds (None if it does not exist or is empty of
    tables)."""
    name = urlsplit(url).path.lstrip("/")
    with _admin_connection(url) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return None
    u = urlsplit(url)
    with psycopg.connect(
        host=u.hostname, port=u.port or 5432, user=u.username or "postgres", dbname=name
    ) as conn:
        try:
            return conn.execute("SELECT count(*) FROM pledges_pledge").fetchone()[0]
        except psycopg.errors.UndefinedTable:
            return None


def recreate_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    if not (name.startswith("cpt_bench") or (name.startswith("cpt_") and name.endswith("_bench"))):
        # The benchmark drops its database: never let a typo point it at a real one.
        raise SystemExit(
            f"Refusing to drop {name!r}: benchmark databases are named cpt_bench* or cpt_*_bench."
        )
    with _admin_connection(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def load(pledges: int, log: Callable[[str], None]) -> LoadResult:
    """Migrate, load the reference data and seed `pledges` pledges; time the seeding (the
    loader) and the ANALYZE that makes the planner's statistics current."""
    from django.core.management import call_command

    from bootstrap.demo import seed_demo

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_reference_data", verbosity=0)
    started = time.perf_counter()
    seed_demo(
        pledges=pledges,
        seed=2026,
        as_of=AS_OF,
        log=log,
        updates_per_pledge=UPDATES_PER_PLEDGE,
    )
    analyze(connections=2)
    seconds = time.perf_counter() - started
    return LoadResult(pledges=pledges, seconds=seconds, rows=row_counts(), vacuum_seconds=vacuum())


def analyze(*, connections: int) -> None:
    """`ANALYZE` every table, as the plain statement does, over `connections` connections at
    once (largest tables first): one backend samples one table at a time on one core, ~20 s
    at 1,000,000 pledges."""
    from django.db import connection

    from bootstrap.demo.writer import run_apart

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT oid::regclass::text FROM pg_class "
            "WHERE relkind IN ('r', 'm', 'p') AND relpersistence <> 't' "
            "ORDER BY pg_relation_size(oid) DESC, 1"
        )
        tables = [table for (table,) in cursor.fetchall()]
    run_apart([(table, (f"ANALYZE {table}",)) for table in tables], connections)


def vacuum() -> float:
    """VACUUM the fresh database and return how long it took. Autovacuum does the same soon
    after any bulk insert (PostgreSQL ≥ 13 counts inserts too); doing it here means measurements
    never run before it or during it. It sets the visibility map, without which no read is an
    index-only scan (the browser's capped facet reads are: docs/performance.md). Maintenance,
    not loading: reported beside the loader's time, not in it."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM")
    return time.perf_counter() - started


def row_counts() -> dict[str, int]:
    from django.db import connection

    tables = {
        "pledges": "pledges_pledge",
        "objective links": "pledges_pledge_objectives",
        "co-pledgers": "pledges_pledgeparticipant",
        "targets": "pledges_pledgetarget",
        "updates": "pledges_pledgeupdate",
        "actual values": "pledges_pledgeupdateactual",
    }
    with connection.cursor() as cursor:
        out = {}
        for label, table in tables.items():
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 — fixed names
            out[label] = cursor.fetchone()[0]
    return out
