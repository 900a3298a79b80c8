"""The import measurement (issue: "Bring in the real data"): `manage.py import_data` on a file of
pledge rows with two co-pledgers and three objectives each, as the secretariat runs it.

It runs on a database of its own (BENCH_DATABASE_URL + "_import": reference data and a secretariat
account only),
so that the pledges it commits never change the data the other measurements read. Each import
is a child process: its wall time and its peak RSS (`children`) are what a user of the command sees.
"""

import csv
import io
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from scripts.bench import children, load
from scripts.bench.measure import Result

ROOT = Path(__file__).resolve().parents[2]
ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "10000"))
LARGE_ROWS = int(os.environ.get("BENCH_IMPORT_LARGE_ROWS", "100000"))
USER = "secretariat@example.org"
HEADERS = [
    "External id",
    "Compact",
    "Forum",
    "Title",
    "Description",
    "Submitting entity",
    "Co-pledgers",
    "Objectives",
    "Beneficiary countries",
    "Support types",
    "Amount",
    "Currency",
    "Announced on",
    "Status",
]
COUNTRIES = ["Kenya", "Uganda", "Colombia", "Jordan", "Chad", "Peru", "Germany", "Canada"]


def pledge_file(rows: int, prefix: str, *, entities: int = 500, seed: int = 7) -> bytes:
    """A CSV of `rows` new GCR pledges: each names its entity, two co-pledgers, three
    objectives and two countries, among `entities` organisations the import creates."""
    rnd = random.Random(seed)  # noqa: S311 — test data, not a secret
    names = [f"Imported Organisation {i:04d}" for i in range(entities)]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for i in range(rows):
        entity, *partners = rnd.sample(names, 3)
        objectives = rnd.sample([1, 2, 3, 4], 3)
        writer.writerow(
            [
                f"{prefix}-{i:06d}",
                "GCR",
                "GRF23",
                f"Imported pledge {i}: schools and jobs for refugees",
                f"Pledge {i} from the source system: enrolment, work permits and documents.",
                entity,
                ";".join(partners),
                ";".join(f"GCR {n}" for n in objectives),
                ";".join(rnd.sample(COUNTRIES, 2)),
                "Financial",
                str(rnd.randint(1, 900) * 1000),
                "USD",
                "2023-12-13",
                "In progress",
            ]
        )
    return out.getvalue().encode()


def _env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.bench",
        "BENCH_DATABASE_URL": url,
    }


def _manage(url: str, *args: str) -> tuple[float, float, int]:
    """Run `manage.py args` in a child process: (seconds, peak RSS in MB, exit status)."""
    started = time.perf_counter()
    child = children.start(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_env(url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    errors = child.process.stderr.read().decode() if child.process.stderr else ""
    status, peak_mb = child.wait()
    seconds = time.perf_counter() - started
    if status:
        sys.stderr.write(errors)
    return seconds, peak_mb, status


def _import(url: str, path: Path, *, dry_run: bool) -> tuple[float, float, int]:
    args = ["import_data", "pledges", str(path), "--verified", "--user", USER, "-v", "0"]
    return _manage(url, *args, *(["--dry-run"] if dry_run else []))


def import_pledges(base_url: str, log: Callable[[str], None]) -> list[Result]:
    try:
        return _import_pledges(base_url, log)
    except Exception as error:  # like iter_results: one broken measurement hides no other
        return [Result("8. Import", f"FAILED: {error}", "—", None, "—", passed=False)]


def _import_pledges(base_url: str, log: Callable[[str], None]) -> list[Result]:
    url = f"{base_url}_import"
    log(f"Import: a database of its own ({url.rsplit('/', 1)[-1]}), reference and demo data…")
    load.recreate_database(url)
    account = (
        "from accounts.models import User; from pledges.roles import ensure_secretariat_group; "
        f"u = User.objects.create_user(email='{USER}', password=None, is_staff=True); "
        "u.groups.add(ensure_secretariat_group()[0])"
    )
    for command in (["migrate", "--noinput"], ["load_reference_data"], ["shell", "-c", account]):
        if _manage(url, *command, "-v", "0")[2]:
            raise SystemExit(f"manage.py {' '.join(command)} failed on {url}")
    results = []
    with tempfile.TemporaryDirectory() as folder:
        small = Path(folder) / "pledges.csv"
        small.write_bytes(pledge_file(ROWS, "SRC"))
        log(f"Import: dry run and commit of {ROWS:,} rows…")
        dry = _import(url, small, dry_run=True)
        commit = _import(url, small, dry_run=False)
        again = _import(url, small, dry_run=True)
        shape = "2 co-pledgers, 3 objectives, 2 countries each; 500 new entities"
        results.append(
            Result(
                f"8a. Import dry run, {ROWS:,} pledge rows",
                f"{dry[0]:.1f} s ({dry[0] / ROWS * 1000:.1f} ms a row), peak RSS {dry[1]:.0f} MB",
                "—",
                None,
                "≤ 30 s at 10,000 rows",
                dry[2] == 0 and dry[0] <= 30 * ROWS / 10_000,
                [shape],
            )
        )
        results.append(
            Result(
                f"8b. Import commit, {ROWS:,} pledge rows",
                f"{commit[0]:.1f} s ({commit[0] / ROWS * 1000:.1f} ms a row), "
                f"peak RSS {commit[1]:.0f} MB",
                "—",
                None,
                "≤ 60 s at 10,000 rows",
                commit[2] == 0 and commit[0] <= 60 * ROWS / 10_000,
                [
                    f"the same file again (dry run, every row unchanged): {again[0]:.1f} s, "
                    f"exit {again[2]}"
                ],
            )
        )
        if LARGE_ROWS:
            large = Path(folder) / "large.csv"
            large.write_bytes(pledge_file(LARGE_ROWS, "BIG"))
            log(f"Import: commit of {LARGE_ROWS:,} rows (peak memory)…")
            big = _import(url, large, dry_run=False)
            results.append(
                Result(
                    f"8c. Import commit, {LARGE_ROWS:,} pledge rows",
                    f"peak RSS {big[1]:.0f} MB; {big[0]:.0f} s "
                    f"({big[0] / LARGE_ROWS * 1000:.1f} ms a row)",
                    "—",
                    None,
                    "completes, peak RSS < 500 MB",
                    big[2] == 0 and big[1] < 500,
                )
            )
    return results
