"""Fixtures for the progress engine's running machinery: pledges published through the service
layer, a Celery queue of the test's own, and a real Celery worker process consuming it."""

import json
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings

from compacts.models import Objective
from config.celery import app as celery_app
from indicators.models import ProgressSnapshot, SliceKind
from pledges.models import Entity, Pledge
from pledges.services import create_pledge, transition_pledge
from tests.factories import pledge_input
from tests.workers import Workers


@pytest.fixture
def objective(reference_data: None) -> Objective:
    """GCR objective 2, the one the test pledges serve."""
    return Objective.objects.select_related("compact").get(compact__code="GCR", number=2)


@pytest.fixture
def publish_pledge(
    reference_data: None, entity_a: Entity, member_a: Any, secretariat: Any
) -> Callable[..., Pledge]:
    """Create, submit and publish a pledge of entity A through the services (which mark its
    objectives stale, as in real life); `objective_number` picks the GCR objective."""

    def publish(*, objective_number: int = 2, title: str = "Include refugee children") -> Pledge:
        objective = Objective.objects.get(compact__code="GCR", number=objective_number)
        data = pledge_input(entity=entity_a, title=title, objectives=[objective])
        pledge = create_pledge(data=data, by=member_a)
        transition_pledge(pledge=pledge, action="submit", by=member_a)
        return transition_pledge(pledge=pledge, action="publish", by=secretariat)

    return publish


def overall_pledges(objective: Objective) -> int | None:
    """How many pledges today's overall snapshot of the objective counts (None: no snapshot)."""
    snapshot = (
        ProgressSnapshot.objects.filter(
            objective=objective, slice_kind=SliceKind.OVERALL, slice_key=""
        )
        .order_by("-date")
        .first()
    )
    return None if snapshot is None else snapshot.figures["pledges"]


@pytest.fixture
def redis_client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


@pytest.fixture
def task_queue(redis_client: redis.Redis, settings: Any) -> Iterator[str]:
    """A queue of this test's own, which every task sent from this process goes to: the shared
    default queue may hold other runs' messages, and their workers must not take ours. (Celery
    reads its configuration through Django's settings, so the `settings` fixture reaches it.)"""
    name = f"test-progress-{uuid.uuid4().hex[:12]}"
    settings.CELERY_TASK_DEFAULT_QUEUE = name
    assert celery_app.conf.task_default_queue == name
    try:
        yield name
    finally:
        # The queue and the exchange kombu declared for it.
        redis_client.delete(name, f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")


def queued_task_names(redis_client: redis.Redis, queue: str) -> list[str]:
    """The task names of the messages waiting in a queue (Redis keeps them in a list)."""
    return [json.loads(raw)["headers"]["task"] for raw in redis_client.lrange(queue, 0, -1)]


@pytest.fixture
def start_worker(task_queue: str, tmp_path: Path) -> Iterator[Callable[[], int]]:
    """Start a real Celery worker (prefork, one child) on this test's queue; returns its PID.
    Stopped at teardown; the test fails if any process of it is still alive afterwards."""
    workers = Workers(task_queue, tmp_path)
    yield workers.start
    workers.stop_all()


@pytest.fixture
def worker_log(tmp_path: Path) -> Callable[[], str]:
    """The log of the worker started by `start_worker`, for failure messages."""
    return lambda: (tmp_path / "worker.log").read_text(errors="replace")


def wait_until(condition: Callable[[], bool], *, seconds: float, message: str) -> float:
    """Poll until `condition()` holds; returns how long it took, fails after `seconds`."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > seconds:
            raise AssertionError(message)
        time.sleep(0.2)
    return time.monotonic() - start
