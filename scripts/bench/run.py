#!/usr/bin/env python
"""`make bench`: load BENCH_PLEDGES pledges into a database of the benchmark's own, measure, and
print a table (docs/performance.md explains the method and keeps the figures).

Environment:
  BENCH_PLEDGES        scale (default 100000; 1000000 is the target scale)
  BENCH_DATABASE_URL   the benchmark database, dropped and re-created (default
                       postgres://postgres@127.0.0.1:5432/cpt_benchdata; its name must start
                       with cpt_bench)
  BENCH_REDIS_URL / BENCH_CACHE_URL   Redis for Celery / the cache (default DB 6 / DB 7)
  BENCH_REUSE=1        keep the database if it already holds BENCH_PLEDGES pledges (no load)
  BENCH_DURATION       seconds of load per wrk measurement (default 15; the API list and its
                       baseline take turns, each getting this much in all)
  BENCH_JSON           also write the results to this file as JSON
  BENCH_ONLY           run only these measurements (comma-separated): loader, recompute,
                       api_list, deep_pagination, dashboard, csv_export, plans,
                       duplicates, combined_filters, import, data_package, detail_pages,
                       change_feed, relevance_search, secretariat_xlsx
  BENCH_IMPORT_ROWS    rows of the import measurement's file (default 10000)
  BENCH_IMPORT_LARGE_ROWS  rows of its peak-memory file (default 100000; 0 skips it)
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cpt_benchdata")

from scripts.bench import imports, load, measure  # noqa: E402

PLEDGES = int(os.environ.get("BENCH_PLEDGES", "100000"))
DURATION = int(os.environ.get("BENCH_DURATION", "15"))
URL = os.environ["BENCH_DATABASE_URL"]
ONLY = {name.strip() for name in os.environ.get("BENCH_ONLY", "").split(",") if name.strip()}
# Tables above this many rows must never be scanned sequentially on a hot path.
BIG_TABLE_ROWS = 10_000


def log(line: str) -> None:
    print(line, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int) -> subprocess.Popen:
    """2 sync workers (the best setting measured on 2 cores,
    docs/performance.md), long timeout so that the
    full CSV export at 1,000,000 pledges is not killed half-way."""
    process = subprocess.Popen(  # noqa: S603 — our own venv's gunicorn, fixed arguments
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "1800",
            "--log-level",
            "warning",
        ],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.bench"},
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                pass
            if len(measure._worker_pids(process.pid)) >= 2:
                return process
        except OSError:
            pass
        time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def big_tables() -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples > %s",
            [BIG_TABLE_ROWS],
        )
        return {row[0] for row in cursor.fetchall()}


def unusable_indexes() -> tuple[list[str], list[str]]:
    """Indexes that queries cannot use yet, and the transactions that keep them so.

    An index built in the same transaction as updates of its table's rows (the loader builds
    them after writing, and some rows were updated before) is marked `indcheckxmin`: no query
    uses it while any snapshot of the whole cluster, whatever its database, is older than the
    index. A measurement taken while another database's load is still running then plans
    without the loaded table's indexes (at 100,000 pledges the forum page read the whole table,
    633 ms of SQL instead of ~1 ms)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indcheckxmin "
            "AND age(i.xmin) <= age(pg_snapshot_xmin(pg_current_snapshot())::text::xid) "
            "ORDER BY 1"
        )
        indexes = [row[0] for row in cursor.fetchall()]
        if not indexes:
            return [], []
        cursor.execute(
            "SELECT format('%s pid %s since %s', datname, pid, xact_start) "
            "FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
            "AND age(coalesce(backend_xid, backend_xmin)) >= (SELECT min(age(i.xmin)) "
            "FROM pg_index i WHERE i.indcheckxmin) ORDER BY xact_start"
        )
        return indexes, [row[0] for row in cursor.fetchall()]


def warn_unusable_indexes() -> None:
    indexes, holders = unusable_indexes()
    if indexes:
        log(
            f"WARNING: {len(indexes)} indexes are not usable yet ({', '.join(indexes[:5])}, …): "
            "older transactions of the cluster still run "
            f"({'; '.join(holders) or 'unknown'}). Figures of this run read tables without "
            "them; measure again when those end (or REINDEX the table after VACUUM)."
        )


def print_table(results: list[measure.Result]) -> None:
    headers = ("measurement", "figure", "baseline (same run)", "ratio", "target", "result")
    rows = [
        (
            r.name,
            r.figure,
            r.baseline,
            "—" if r.ratio is None else f"{r.ratio:.2f}×",
            r.target,
            {True: "PASS", False: "FAIL", None: "—"}[r.passed],
        )
        for r in results
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    line = "+".join("-" * (w + 2) for w in widths)
    print("\n" + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print(line)
    for row in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    print()
    for r in results:
        for note in r.notes:
            print(f"  {r.name.split(' ')[0]} {note}")


# Issue 23's speed targets at 1,000,000 pledges, in its order: (measurement number, row, target).
# Each row of the issue is printed after the results with the figure of the measurement that
# checks it; a row this run did not measure (BENCH_ONLY) says so, and a row no measurement
# checks yet (a number not in MEASURED) is a FAIL: a target is met only by a figure.
ISSUE_23 = (
    ("1", "API pledge list, 2 filters, 100 rows, under wrk", "≥ 1.0×"),
    ("5", "CSV export of every published pledge", "≤ 3× \\copy, < 200 MB"),
    ("12", "secretariat report XLSX of a whole compact", "≤ 4 s at 100,000, flat memory"),
    ("13", "relevance search matching ~4,000 pledges, p50", "≤ 50 ms, same top 50"),
    ("3", "full progress recompute", "≤ 1.5×"),
    ("7", "loader, 1,000,000 pledges with related rows", "≤ 120 s"),
    ("10", "entity / objective / forum pages (exact COUNT)", "≤ 30 ms SQL"),
    ("11", "change feed page", "≤ 20 ms"),
    ("9", "combined dashboard filters", "≤ 300 ms"),
    ("5b", "bulk data package", "≤ 10 min, flat memory"),
)
MEASURED = {"1", "3", "5", "5b", "7", "9", "10", "11", "12", "13"}


def print_targets(results: list[measure.Result]) -> None:
    by_number = {r.name.split(".")[0]: r for r in results if r.name[0].isdigit()}
    headers = ("issue 23 row", "measured", "baseline (same run)", "ratio", "target", "result")
    rows = []
    for number, label, target in ISSUE_23:
        r = by_number.get(number)
        if r is None:
            missing = number not in MEASURED
            rows.append(
                (
                    f"{number}. {label}",
                    "no measurement yet" if missing else "not measured in this run",
                    "—",
                    "—",
                    target,
                    "FAIL" if missing else "—",
                )
            )
            continue
        ratio = "—" if r.ratio is None else f"{r.ratio:.2f}×"
        verdict = {True: "PASS", False: "FAIL", None: "—"}[r.passed]
        rows.append((f"{number}. {label}", r.figure, r.baseline, ratio, r.target, verdict))
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    print("\nIssue 23's speed targets")
    print(" | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("+".join("-" * (w + 2) for w in widths))
    for row in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    print()


def measurement_order(result: measure.Result) -> tuple[int, str]:
    """By number ("5b" after "5", "10" after "9"); the unnumbered checks last."""
    number = result.name.split(".")[0]
    digits = "".join(c for c in number if c.isdigit())
    return (int(digits), number) if digits and number[0].isdigit() else (10_000, result.name)


def wanted(name: str) -> bool:
    return not ONLY or name in ONLY


def in_process_measurements() -> list[measure.Result]:
    """The measurements that call the code directly, without the HTTP server."""
    results: list[measure.Result] = []
    if wanted("recompute"):
        log("Full progress recompute…")
        results += measure.iter_results(measure.full_recompute, measure.incremental_recompute)

    if wanted("duplicates"):
        log("Duplicate warning…")
        results += measure.iter_results(measure.duplicate_warning)

    if wanted("combined_filters"):
        log("Combined dashboard filters…")
        results += measure.iter_results(measure.combined_filters)

    if wanted("detail_pages"):
        log("Entity, objective and forum pages…")
        results += measure.iter_results(measure.detail_pages)

    if wanted("relevance_search"):
        log("Relevance search…")
        results += measure.iter_results(measure.relevance_search)

    if wanted("data_package"):
        log("Bulk data package of every public table…")
        results += measure.iter_results(measure.data_package)

    if wanted("secretariat_xlsx"):
        log("Secretariat report XLSX of a whole compact…")
        results += measure.iter_results(measure.secretariat_xlsx)

    return results


def main() -> int:
    log(f"Benchmark at {PLEDGES:,} pledges on {URL.rsplit('/', 1)[-1]}")
    reuse = os.environ.get("BENCH_REUSE") == "1" and load.database_pledges(URL) == PLEDGES
    if not reuse:
        log("Creating the database and loading (PostgreSQL COPY)…")
        load.recreate_database(URL)

    import django

    django.setup()
    if reuse:
        from django.core.management import call_command

        log("Reusing the existing database (BENCH_REUSE=1); bringing its schema up to date.")
        call_command("migrate", verbosity=0, interactive=False)
        loaded = load.LoadResult(PLEDGES, None, load.row_counts())
    else:
        loaded = load.load(PLEDGES, log)
        log(f"Loaded in {loaded.seconds:.0f} s, vacuumed in {loaded.vacuum_seconds:.0f} s")

    warn_unusable_indexes()
    results = (
        [measure.loader(loaded.seconds, PLEDGES, loaded.rows, loaded.vacuum_seconds)]
        if wanted("loader")
        else []
    )
    results += in_process_measurements()
    port = free_port()
    log(f"Starting gunicorn (2 sync workers) on port {port}…")
    server = start_gunicorn(port)
    try:
        if wanted("api_list"):
            log(f"API list vs baseline under load, in turns ({DURATION} s each in all)…")
            results += measure.iter_results(lambda: measure.api_list(port, DURATION))
        if wanted("deep_pagination"):
            results += measure.iter_results(lambda: measure.deep_pagination(port))
        if wanted("dashboard"):
            results += measure.iter_results(lambda: measure.dashboard(port))
        if wanted("change_feed"):
            log("Change feed page…")
            results += measure.iter_results(lambda: measure.change_feed(port))
        if wanted("csv_export"):
            log("CSV export of every published pledge…")
            results += measure.iter_results(lambda: measure.csv_export(port, server.pid))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    if wanted("plans"):
        log("EXPLAIN ANALYZE of the hot paths…")
        plans = Path(tempfile.gettempdir()) / f"bench-plans-{PLEDGES}.txt"
        results += measure.iter_results(lambda: measure.hot_path_plans(plans, big_tables()))

    if wanted("import"):
        results += imports.import_pledges(URL, log)

    results.sort(key=measurement_order)
    log(
        f"\nResults at {PLEDGES:,} pledges ({os.cpu_count()} cores; other processes may share "
        "the machine, so figures are noisy: compare ratios, not absolutes)"
    )
    print_table(results)
    print_targets(results)
    if os.environ.get("BENCH_JSON"):
        Path(os.environ["BENCH_JSON"]).write_text(
            json.dumps({"pledges": PLEDGES, "results": [asdict(r) for r in results]}, indent=2)
        )
    return 0 if all(r.passed is not False for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
