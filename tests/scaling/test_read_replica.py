"""Read replicas on a real PostgreSQL streaming replica (issue 23, scale-out item 1).

The machine's test server need not accept replication connections, so the test runs a primary
of its own: `initdb` on a free loopback port, the test database copied into it (`pg_dump`), and
a streaming replica taken from it with `pg_basebackup -R`, started with `pg_ctl`. For the test,
Django's `default` connection points at that primary and `replica_0` at the replica; both servers
and their data directories are removed afterwards.

Pausing the replica's replay (`pg_wal_replay_pause()`) makes what it serves visibly stale: a
pledge published after the pause is missing from a read routed to the replica and present in a
read routed to the primary.
"""

import copy
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connections
from django.test import Client, override_settings
from django.urls import reverse

from config.db_router import RECENT_WRITE_COOKIE, forget_replica_status
from pledges.models import ReviewState
from tests.factories import PledgeFactory, UserFactory

pytestmark = pytest.mark.xdist_group("read-replica")

READY_SECONDS = 30
PASSWORD = "test-pass-2026"


def _pg_bin() -> Path | None:
    """The Debian server binaries of the newest installed PostgreSQL."""
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    found.sort(key=lambda path: int(path.split("/")[4]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user() -> Callable[[], None] | None:
    """PostgreSQL refuses to run as root: as root, the servers run as the `postgres` user."""
    if os.geteuid() != 0:
        return None
    account = pwd.getpwnam("postgres")

    def demote() -> None:
        os.setgid(account.pw_gid)
        os.setuid(account.pw_uid)

    return demote


def _wait_until(predicate: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


class Servers:
    """A primary and its streaming replica, each on a loopback port."""

    def __init__(self, root: Path, pg_bin: Path) -> None:
        self.root = root
        self.bin = pg_bin
        self.primary_port = _free_port()
        self.replica_port = _free_port()
        self.demote = _as_server_user()

    def run(self, *command: str, server: bool = False) -> None:
        subprocess.run(
            command,
            check=True,
            capture_output=True,
            timeout=READY_SECONDS,
            preexec_fn=self.demote if server else None,
            cwd=self.root,
        )

    def pg_ctl(self, data: str, *args: str) -> None:
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.root / data), *args, server=True)

    def start(self, data: str, port: int) -> None:
        options = f"-p {port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off"
        log = str(self.root / f"{data}.log")
        self.pg_ctl(data, "-w", "-l", log, "-o", options, "start")

    def sql(self, port: int, query: str, dbname: str = "postgres") -> Any:
        url = f"postgresql://postgres@127.0.0.1:{port}/{dbname}"
        with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
            cursor = conn.execute(query)
            return cursor.fetchone() if cursor.description else None

    def replayed_everything(self) -> bool:
        (written,) = self.sql(self.primary_port, "SELECT pg_current_wal_lsn()::text")
        (caught_up,) = self.sql(
            self.replica_port, f"SELECT pg_last_wal_replay_lsn() >= '{written}'::pg_lsn"
        )
        return bool(caught_up)

    def received_more_than_replayed(self) -> bool:
        (behind,) = self.sql(
            self.replica_port, "SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()"
        )
        return bool(behind)


@pytest.fixture(scope="module")
def servers(django_db_setup: None, django_db_blocker: Any) -> Iterator[Servers]:
    pg_bin = _pg_bin()
    if pg_bin is None or shutil.which("pg_dump") is None:
        pytest.skip("needs PostgreSQL's server binaries (/usr/lib/postgresql/*/bin) and pg_dump")
    with django_db_blocker.unblock():
        test_db = copy.deepcopy(connections["default"].settings_dict)
    root = Path(tempfile.mkdtemp(prefix="cpt-replica-"))
    servers = Servers(root, pg_bin)
    if servers.demote is not None:
        account = pwd.getpwnam("postgres")
        os.chown(root, account.pw_uid, account.pw_gid)
    try:
        servers.run(
            str(pg_bin / "initdb"),
            *("-D", str(root / "primary"), "-U", "postgres", "-A", "trust", "--no-sync"),
            server=True,
        )
        servers.start("primary", servers.primary_port)
        name = test_db["NAME"]
        servers.sql(servers.primary_port, f'CREATE DATABASE "{name}"')
        source = subprocess.run(
            [
                "pg_dump",
                *("--no-owner", "--no-privileges"),
                *("-h", test_db["HOST"] or "127.0.0.1", "-p", str(test_db["PORT"] or 5432)),
                *("-U", test_db["USER"], name),
            ],
            check=True,
            capture_output=True,
            env={**os.environ, "PGPASSWORD": str(test_db.get("PASSWORD") or "")},
            timeout=READY_SECONDS,
        ).stdout
        subprocess.run(
            [
                "psql",
                *("-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1"),
                *("-p", str(servers.primary_port), "-U", "postgres", name),
            ],
            input=source,
            check=True,
            capture_output=True,
            timeout=READY_SECONDS,
        )
        servers.run(
            str(pg_bin / "pg_basebackup"),
            *("-R", "-D", str(root / "replica"), "-h", "127.0.0.1"),
            *("-p", str(servers.primary_port), "-U", "postgres", "-c", "fast", "--no-sync"),
            server=True,
        )
        servers.start("replica", servers.replica_port)
        # Known before the test's database set-up, which allows only the aliases it is given
        # (the marker below); a mirror of `default`, which tests never flush.
        replica = {**test_db, "HOST": "127.0.0.1", "PORT": str(servers.replica_port)}
        replica.update(USER="postgres", PASSWORD="", TEST={**test_db["TEST"], "MIRROR": "default"})
        connections.settings["replica_0"] = replica
        yield servers
    finally:
        if "replica_0" in connections.settings:
            connections["replica_0"].close()
            del connections.settings["replica_0"]
            if hasattr(connections._connections, "replica_0"):
                delattr(connections._connections, "replica_0")
        for data in ("replica", "primary"):
            if (root / data / "postmaster.pid").exists():
                servers.pg_ctl(data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def replicated(servers: Servers) -> Iterator[Servers]:
    """Django on the test's primary (`default`) and its replica (`replica_0`)."""
    default = connections["default"]
    original = copy.deepcopy(default.settings_dict)
    default.close()
    default.settings_dict.update(HOST="127.0.0.1", PORT=str(servers.primary_port), USER="postgres")
    default.settings_dict["PASSWORD"] = ""
    forget_replica_status()
    try:
        with override_settings(
            DATABASE_REPLICAS=["replica_0"],
            DATABASE_ROUTERS=["config.db_router.ReplicaRouter"],
            DATABASE_REPLICA_CHECK_SECONDS=0,
            DATABASE_REPLICA_MAX_LAG_SECONDS=60,
        ):
            yield servers
    finally:
        if servers.sql(servers.replica_port, "SELECT pg_is_wal_replay_paused()")[0]:
            servers.sql(servers.replica_port, "SELECT pg_wal_replay_resume()")
        connections["replica_0"].close()
        default.close()
        default.settings_dict.clear()
        default.settings_dict.update(original)
        forget_replica_status()


def _detail(client: Client, reference: str) -> int:
    return client.get(f"/api/v1/pledges/{reference}/").status_code


@pytest.mark.django_db(transaction=True, databases=["default", "replica_0"])
def test_reads_go_to_the_replica_writes_and_recent_writers_to_the_primary(
    replicated: Servers,
) -> None:
    servers = replicated
    before = PledgeFactory(review_state=ReviewState.PUBLISHED)
    user = UserFactory(email="reader@example.org")
    _wait_until(servers.replayed_everything, "the replica to replay the first pledge")
    assert _detail(Client(), before.reference) == 200  # replicated

    servers.sql(servers.replica_port, "SELECT pg_wal_replay_pause()")
    after = PledgeFactory(review_state=ReviewState.PUBLISHED, forum=before.forum)
    _wait_until(servers.received_more_than_replayed, "the replica to receive the second pledge")

    # An anonymous reader is served by the replica, which has not replayed it yet.
    reader = Client()
    assert _detail(reader, after.reference) == 404
    # Someone who just wrote (here: logged in) reads from the primary for a few seconds.
    writer = Client()
    writer.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert RECENT_WRITE_COOKIE in writer.cookies
    assert _detail(writer, after.reference) == 200

    # A replica lagging beyond the limit is left out…
    with override_settings(DATABASE_REPLICA_MAX_LAG_SECONDS=0):
        assert _detail(reader, after.reference) == 200
    assert _detail(reader, after.reference) == 404
    # …and so is one that is down.
    servers.pg_ctl("replica", "-m", "immediate", "-w", "stop")
    try:
        assert _detail(reader, after.reference) == 200
        assert reader.get(reverse("pledges:pledge-list")).status_code == 200
    finally:
        servers.start("replica", servers.replica_port)
