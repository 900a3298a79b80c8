"""Fixtures for failure drills: a database or a Redis that does not answer.

Nothing of the project is mocked: the real connection is pointed at a port where nothing
listens, which is what a stopped or unreachable server looks like to Django, psycopg and redis-py.
"""

import functools
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections

from accounts.models import User
from config.celery import app as celery_app
from core.audit import entries_for
from pledges.models import Entity, Pledge
from pledges.roles import ensure_secretariat_group
from pledges.services import PledgeInput, create_pledge, transition_pledge
from tests.factories import UserFactory, pledge_input
from tests.indicators.conftest import (  # noqa: F401 (fixtures re-exported for these tests)
    redis_client,
    task_queue,
)
from tests.workers import Workers


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


def run_at_once(*calls: Callable[[], Any], timeout: float = 30) -> list[Any]:
    """Run each call in its own thread (so on its own database connection), released together
    by a barrier; returns each call's result or the exception it raised, in order."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=timeout)
            outcomes[index] = call()
        except Exception as error:  # the outcome under test
            outcomes[index] = error
        finally:
            connections.close_all()  # this thread's connections, not the test's

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), "a concurrent call never finished (deadlock?)"
    return outcomes


@pytest.fixture
def second_secretariat(db: None) -> User:
    """Another secretariat reviewer, to race the first."""
    user = UserFactory(email="secretariat-2@example.org", is_staff=True)
    group, _ = ensure_secretariat_group()
    user.groups.add(group)
    return user


@pytest.fixture
def make_pledge_input(reference_data: None, entity_a: Entity) -> Callable[..., PledgeInput]:
    """A complete, valid GCR pledge of entity A at GRF 2023; keyword arguments override."""
    return functools.partial(pledge_input, entity=entity_a)


@pytest.fixture
def submitted_pledge(
    make_pledge_input: Callable[..., PledgeInput], member_a: User
) -> Callable[..., Pledge]:
    """Create and submit a pledge of entity A through the services."""

    def build(**overrides: Any) -> Pledge:
        pledge = create_pledge(data=make_pledge_input(**overrides), by=member_a)
        return transition_pledge(pledge=pledge, action="submit", by=member_a)

    return build


def audit_actions(pledge: Pledge) -> list[str]:
    """The audit trail of a pledge, oldest first."""
    return list(entries_for(pledge).order_by("created_at", "id").values_list("action", flat=True))


def forget_broker_connections() -> None:
    """Make the Celery app connect afresh to whatever broker URL the settings now name, as it
    does after a fork: its connection and producer pools were made for the previous one."""
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


class RedisOutage:
    """Redis unreachable for everything the web process uses it for: the cache (throttles,
    nudge debounce, dashboard cache), the Celery broker (the recompute nudge) and the progress
    locks. `end()` brings it back."""

    def __init__(self, settings: Any, dead_url: str) -> None:
        self.settings = settings
        self.dead_url = dead_url
        self.live = {
            "CACHES": settings.CACHES,
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        }

    def start(self) -> None:
        self.settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": self.dead_url,
            }
        }
        self.settings.REDIS_URL = self.dead_url
        self.settings.CELERY_BROKER_URL = self.dead_url
        forget_broker_connections()

    def end(self) -> None:
        for name, value in self.live.items():
            setattr(self.settings, name, value)
        forget_broker_connections()


@pytest.fixture
def redis_down(settings: Any, dead_redis_url: str) -> Iterator[RedisOutage]:
    """Redis is down from the start of the test. The after-commit nudge is on, as in
    production, so its failure path really runs."""
    settings.PROGRESS_NUDGE_ENABLED = True
    settings.PROGRESS_RECOMPUTE_DELAY_SECONDS = 1
    outage = RedisOutage(settings, dead_redis_url)
    outage.start()
    try:
        yield outage
    finally:
        outage.end()


@pytest.fixture
def start_crash_worker(task_queue: str, tmp_path: Path) -> Iterator[Callable[[str], int]]:  # noqa: F811
    """Start a real Celery worker (`tests.reliability.crash_worker`, solo pool so that the task
    runs in the process whose PID is returned) on this test's queue; `name` tells the logs
    apart. Stopped at teardown by PID; the test fails if a process of it survives."""
    workers = Workers(task_queue, tmp_path)
    yield lambda name: workers.start(
        app="tests.reliability.crash_worker", pool=("--pool", "solo"), name=name
    )
    workers.stop_all()
