"""`make run`'s embedded PostgreSQL (scripts/embedded_db.py): it serves a data directory, keeps the
data between runs, stops with its command, and recovers the directory a killed run left behind."""

import contextlib
import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "embedded_db.py"
# A script, not a module of the `config` package: importing that package sets up Celery and
# DJANGO_SETTINGS_MODULE, which the commands the script runs must not inherit.
_spec = importlib.util.spec_from_file_location("embedded_db", SCRIPT)
assert _spec is not None
assert _spec.loader is not None
embedded_db = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(embedded_db)
EmbeddedPostgres = embedded_db.EmbeddedPostgres
_postmaster_of = embedded_db._postmaster_of


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One cluster for the module: initdb is the slow part (about 2 s).
    return tmp_path_factory.mktemp("embedded") / "pgdata"


def through_script(data_dir: Path) -> list[str]:
    return [sys.executable, str(SCRIPT), "--data-dir", str(data_dir), "--"]


def without(*names: str) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in names}


def query(url: str, statement: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(statement)
        return cursor.fetchall() if cursor.description else []


def test_serves_a_database_keeps_its_data_and_stops(data_dir: Path) -> None:
    with EmbeddedPostgres(data_dir) as server:
        url = server.start(database="demo")
        query(url, "create table kept (n int); insert into kept values (42)")
        postmaster = _postmaster_of(server.data_dir)
        assert postmaster is not None

    postmaster.wait(timeout=10)  # stopped with the command
    with EmbeddedPostgres(data_dir) as server:
        url = server.start(database="demo")
        assert query(url, "select n, current_setting('server_version_num') from kept") == [
            (42, "180004")
        ]


def test_the_command_runs_on_the_embedded_database_with_the_callers_environment(
    data_dir: Path,
) -> None:
    probe = (
        "import os, psycopg; print(psycopg.connect(os.environ['DATABASE_URL'])"
        ".execute('select current_database()').fetchone()[0]);"
        "print(os.environ.get('DJANGO_SETTINGS_MODULE'))"
    )
    result = subprocess.run(
        [*through_script(data_dir), sys.executable, "-c", probe],
        cwd=ROOT,
        env=without("DATABASE_URL", "DJANGO_SETTINGS_MODULE"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    # manage.py picks its settings: nothing of this script's imports leaks into the command.
    assert result.stdout.splitlines()[1:3] == ["compact_pledge_tracker", "None"]
    assert _postmaster_of(data_dir.resolve()) is None  # stopped when the command ended


def test_the_server_refuses_a_login_without_the_run_password(data_dir: Path) -> None:
    with EmbeddedPostgres(data_dir) as server:
        server.start()
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(host="127.0.0.1", port=server.port, user="postgres", password="guess")


def test_a_second_command_cannot_use_a_data_directory_in_use(data_dir: Path) -> None:
    with EmbeddedPostgres(data_dir) as server:
        server.start()
        # fcntl locks are per process: the second user must be another process.
        second = subprocess.run(
            [*through_script(data_dir), "true"],
            cwd=ROOT,
            env=without("DATABASE_URL"),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert second.returncode == 1
        assert "in use by another command" in second.stderr
        assert query(server.url(), "select 1") == [(1,)]  # the first server is untouched


def test_recovers_the_data_directory_of_a_run_killed_with_its_server(data_dir: Path) -> None:
    # kill -9 of everything: the server dies without removing its postmaster.pid, which now names
    # a pid that is dead, or (reused) another process's: this one's.
    with EmbeddedPostgres(data_dir) as server:
        server.start()
        postmaster = _postmaster_of(server.data_dir)
        assert postmaster is not None
        # Children listed first; one may exit on its own before its signal (a race, not an
        # error: it is gone either way).
        for process in [postmaster, *postmaster.children()]:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.send_signal(signal.SIGKILL)
        psutil.wait_procs([postmaster], timeout=10)
        pid_file = server.data_dir / "postmaster.pid"
        lines = pid_file.read_text().split("\n")
        pid_file.write_text("\n".join([str(os.getpid()), *lines[1:]]))

    with EmbeddedPostgres(data_dir) as server:
        url = server.start()
        assert query(url, "select 1") == [(1,)]


def test_recovers_a_server_orphaned_by_a_killed_command(data_dir: Path) -> None:
    # `make run` killed with -9: its server keeps running on a port nobody knows.
    holder = subprocess.Popen(
        [*through_script(data_dir), "sleep", "60"],
        cwd=ROOT,
        env=without("DATABASE_URL"),
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while _postmaster_of(data_dir.resolve()) is None and time.monotonic() < deadline:
            time.sleep(0.2)
        orphan = _postmaster_of(data_dir.resolve())
        assert orphan is not None
    finally:
        for process in [*psutil.Process(holder.pid).children(), holder]:
            process.kill()
        holder.wait()

    with EmbeddedPostgres(data_dir) as server:
        url = server.start()
        assert query(url, "select 1") == [(1,)]
        assert not orphan.is_running() or orphan.status() == psutil.STATUS_ZOMBIE
