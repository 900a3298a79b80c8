"""Fixtures for failure drills: a database or a Redis that does not answer.

Nothing of the project is mocked: the real connection is pointed at a port where nothing
listens, which is what a stopped or unreachable server looks like to Django, psycopg and redis-py.
"""

import socket
from collections.abc import Iterator

import pytest
from django.db import connection


def dead_port() -> int:
    """A local TCP port with nothing listening on it (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class DatabaseOutage:
    """Points the default connection at a dead port (`start`) and back (`end`)."""

    def __init__(self) -> None:
        self.port = connection.settings_dict["PORT"]

    def start(self) -> None:
        connection.close()
        connection.settings_dict["PORT"] = str(dead_port())

    def end(self) -> None:
        connection.close()
        connection.settings_dict["PORT"] = self.port


@pytest.fixture
def outage(transactional_db: None) -> Iterator[DatabaseOutage]:
    """A database outage the test starts and ends itself; always ended at teardown.

    A transactional test is needed: the usual per-test transaction cannot survive its
    connection being closed."""
    drill = DatabaseOutage()
    try:
        yield drill
    finally:
        drill.end()


@pytest.fixture
def database_down(outage: DatabaseOutage) -> DatabaseOutage:
    """The database is down for the whole test body."""
    outage.start()
    return outage


@pytest.fixture
def dead_redis_url() -> str:
    return f"redis://127.0.0.1:{dead_port()}/0"
