"""End to end with a real Celery worker process on Redis and the test PostgreSQL database: a
pledge published through the services reaches its objective's snapshot, a burst of a thousand
changes is recomputed by one task, and the "Recompute now" button queues a full run.

Each test has a queue of its own (`task_queue`), so neither other test runs' workers nor ours
take each other's messages."""

import time
from collections.abc import Callable
from typing import Any

import pytest
import redis
from django.test import Client
from django.urls import reverse

from compacts.models import Objective
from compacts.progress_marks import mark_objectives_stale
from indicators.models import ProgressSnapshot, RecomputeRun, RunKind, RunStatus
from pledges.models import Pledge

from .conftest import overall_pledges, queued_task_names, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
BURST = 1000


@pytest.fixture
def nudging(settings: Any) -> Any:
    """Turn on the after-commit nudge that test settings keep off."""
    settings.PROGRESS_NUDGE_ENABLED = True
    return settings


def test_a_published_pledge_reaches_its_snapshot_through_a_real_worker(
    start_worker: Callable[[], int],
    worker_log: Callable[[], str],
    publish_pledge: Callable[..., Pledge],
    objective: Objective,
    nudging: Any,
) -> None:
    nudging.PROGRESS_RECOMPUTE_DELAY_SECONDS = 1
    began = time.monotonic()
    start_worker()
    assert overall_pledges(objective) is None

    publish_pledge()

    took = wait_until(
        lambda: overall_pledges(objective) == 1,
        seconds=30,
        message=f"the snapshot never showed the pledge; worker log:\n{worker_log()}",
    )
    # The snapshot commits first; the compact totals and the run's record follow.
    wait_until(
        lambda: RecomputeRun.objects.exclude(status=RunStatus.RUNNING).exists(),
        seconds=10,
        message=f"the run never finished; worker log:\n{worker_log()}",
    )
    run = RecomputeRun.objects.get()
    assert (run.kind, run.status, run.objectives_done) == (
        RunKind.INCREMENTAL,
        RunStatus.SUCCEEDED,
        1,
    )
    assert run.task_id, "the worker recorded its task id"
    assert Objective.objects.get(pk=objective.pk).progress_stale_since is None
    assert "indicators.recompute_stale_progress" in worker_log()
    print(
        f"snapshot updated {took:.1f} s after publishing; {time.monotonic() - began:.1f} s in all"
    )


def test_a_burst_of_changes_queues_one_recompute_that_covers_them_all(
    start_worker: Callable[[], int],
    worker_log: Callable[[], str],
    task_queue: str,
    redis_client: redis.Redis,
    reference_data: None,
    nudging: Any,
) -> None:
    ids = list(Objective.objects.values_list("pk", flat=True))
    window = nudging.PROGRESS_RECOMPUTE_DELAY_SECONDS

    began = time.monotonic()
    for change in range(BURST):  # each in its own committed transaction, as in real life
        mark_objectives_stale([ids[change % len(ids)]])
    elapsed = time.monotonic() - began

    queued = queued_task_names(redis_client, task_queue)
    assert queued == ["indicators.recompute_stale_progress"] * len(queued)
    # One nudge per window at most, whatever the number of changes in it.
    assert 1 <= len(queued) <= 1 + int(elapsed // window), (
        f"{len(queued)} tasks queued for {BURST} changes in {elapsed:.1f} s"
    )

    start_worker()
    wait_until(
        lambda: (
            not Objective.objects.filter(progress_stale_since__isnull=False).exists()
            and not RecomputeRun.objects.filter(status=RunStatus.RUNNING).exists()
            and redis_client.llen(task_queue) == 0
        ),
        seconds=30,
        message=f"the marks were never cleared; worker log:\n{worker_log()}",
    )
    runs = list(RecomputeRun.objects.order_by("started_at"))
    assert 1 <= len(runs) <= len(queued)
    assert runs[0].objectives_done == len(ids), "the first recompute covered every objective"
    assert ProgressSnapshot.objects.values("objective").distinct().count() == len(ids)
    print(f"{BURST} changes in {elapsed:.1f} s queued {len(queued)} task(s), {len(runs)} run(s)")


@pytest.mark.urls("tests.indicators.urls")
def test_the_recompute_now_button_queues_a_full_run_that_a_worker_performs(
    start_worker: Callable[[], int],
    worker_log: Callable[[], str],
    task_queue: str,
    redis_client: redis.Redis,
    client: Client,
    secretariat: Any,
    reference_data: None,
) -> None:
    client.force_login(secretariat)

    response = client.post(reverse("indicators:recompute-now"), follow=True)

    assert "A full recompute is queued" in response.content.decode()
    assert queued_task_names(redis_client, task_queue) == ["indicators.recompute_all_progress"]
    start_worker()
    wait_until(
        lambda: RecomputeRun.objects.filter(status=RunStatus.SUCCEEDED).exists(),
        seconds=30,
        message=f"the full run never finished; worker log:\n{worker_log()}",
    )
    run = RecomputeRun.objects.get()
    assert (run.kind, run.triggered_by) == (RunKind.FULL, secretariat.email)
    assert run.objectives_done == Objective.objects.count()
