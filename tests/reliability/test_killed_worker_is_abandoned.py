"""A worker killed with SIGKILL in the middle of a recompute delays the figures by about one lock
timeout (a minute in production, 5 s here), not until the broker redelivers its task (25 minutes):
the run's locks are renewed only while it is alive, so they lapse soon after the kill, the next
sweep on another worker recomputes, and the Jobs page shows the killed run as abandoned instead of
"running" forever.

The run is held mid-way as in test_worker_crash.py: the test locks the snapshot table, so the
worker's first snapshot write waits on PostgreSQL and is killed right there."""

import json
import os
import re
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from django.test import Client
from django.urls import reverse
from django.utils import dateformat, timezone
from psycopg import sql

from accounts.models import User
from compacts.models import Objective
from indicators.models import ProgressSnapshot, RecomputeRun, RunStatus
from indicators.runner import objective_lock_key
from indicators.tasks import recompute_stale_progress_task
from pledges.models import Pledge
from pledges.services import transition_pledge
from tests.indicators.conftest import overall_pledges, wait_until
from tests.reliability import short_lock_worker
from tests.reliability.test_worker_crash import unacked_task_ids, worker_waiting_on_a_lock
from tests.workers import Workers, database_url

pytestmark = pytest.mark.django_db(transaction=True)

LOCK_SECONDS = short_lock_worker.LOCK_SECONDS


@pytest.fixture
def start_short_lock_worker(task_queue: str, tmp_path: Path) -> Iterator[Callable[[str], int]]:
    """A real worker (solo pool: the task runs in the returned PID) with production's
    visibility timeout and a lock timeout of seconds; stopped at teardown by PID."""
    workers = Workers(task_queue, tmp_path)
    yield lambda name: workers.start(
        app="tests.reliability.short_lock_worker", pool=("--pool", "solo"), name=name
    )
    workers.stop_all()


@pytest.fixture
def forget_unacked(redis_client: redis.Redis) -> Iterator[list[str]]:
    """Task ids whose unacknowledged message (left by a killed worker) is removed at teardown,
    so that no later worker of the same Redis database is handed it 25 minutes from now."""
    task_ids: list[str] = []
    yield task_ids
    for tag, raw in redis_client.hgetall("unacked").items():
        if json.loads(raw)[0]["headers"]["id"] in task_ids:
            redis_client.hdel("unacked", tag)
            redis_client.zrem("unacked_index", tag)


def shown_status(client: Client, run: RecomputeRun) -> str:
    """The status badge of `run`'s row on the Jobs page (rows are told apart by start time)."""
    page = client.get(reverse("indicators:jobs")).content.decode()
    started = dateformat.format(timezone.localtime(run.started_at), "c")
    row = re.search(rf'<time datetime="{re.escape(started)}">.*?</tr>', page, flags=re.DOTALL)
    assert row, f"run {run.pk} is not on the Jobs page"
    badge = re.search(r'<span class="badge[^"]*">([^<]*)</span>', row.group(0))
    assert badge
    return badge.group(1)


def test_a_killed_run_is_redone_by_the_next_sweep_and_shown_abandoned(
    start_short_lock_worker: Callable[[str], int],
    submitted_pledge: Callable[..., Pledge],
    secretariat: User,
    redis_client: redis.Redis,
    client: Client,
    settings: Any,
    tmp_path: Path,
    forget_unacked: list[str],
) -> None:
    settings.PROGRESS_LOCK_SECONDS = LOCK_SECONDS  # the page judges with the workers' timeout
    client.force_login(secretariat)
    objective = Objective.objects.get(compact__code="GCR", number=2)
    transition_pledge(pledge=submitted_pledge(), action="publish", by=secretariat)

    blocker = psycopg.connect(database_url())  # a transaction held open by the test
    blocker.execute(
        sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(
            sql.Identifier(ProgressSnapshot._meta.db_table)
        )
    )
    try:
        first = start_short_lock_worker("first")
        killed_task = recompute_stale_progress_task.apply_async(
            kwargs={"triggered_by": "periodic sweep"}
        ).id
        forget_unacked.append(killed_task)
        wait_until(
            worker_waiting_on_a_lock,
            seconds=30,
            message=f"no wait on the snapshot table:\n{(tmp_path / 'first.log').read_text()}",
        )
        killed_run = RecomputeRun.objects.get(task_id=killed_task)
        # Alive, though stuck in one statement for longer than the lock timeout: its heartbeat
        # keeps its lock and shows it running.
        time.sleep(LOCK_SECONDS * 1.6)
        assert 0 < redis_client.pttl(objective_lock_key(objective.pk)) <= LOCK_SECONDS * 1000
        assert shown_status(client, killed_run) == "Running"

        os.kill(first, signal.SIGKILL)
        os.waitpid(first, 0)
        killed_at = time.monotonic()
    finally:
        blocker.rollback()
        blocker.close()

    # Its lock lapses on its own and the page stops calling it running, with no worker at all.
    wait_until(
        lambda: not redis_client.exists(objective_lock_key(objective.pk)),
        seconds=LOCK_SECONDS + 2,
        message="the killed run's lock outlived its timeout",
    )
    wait_until(
        lambda: shown_status(client, killed_run) == "Abandoned",
        seconds=LOCK_SECONDS + 2,
        message="the killed run is still shown running",
    )

    # Beat sweeps every 30 s in production; every second here.
    start_short_lock_worker("second")
    deadline = time.monotonic() + 60
    while Objective.objects.get(pk=objective.pk).progress_stale_since is not None:
        assert time.monotonic() < deadline, (tmp_path / "second.log").read_text()
        recompute_stale_progress_task.apply_async(
            kwargs={"triggered_by": "periodic sweep"}, expires=5
        )
        time.sleep(1)
    recomputed_after = time.monotonic() - killed_at

    assert overall_pledges(objective) == 1
    assert RecomputeRun.objects.filter(status=RunStatus.SUCCEEDED, objectives_done__gte=1).exclude(
        task_id=killed_task
    )
    killed_run.refresh_from_db()
    assert killed_run.status == RunStatus.ABANDONED, "stored so by the sweep, not only shown"
    assert killed_run.finished_at is not None
    assert shown_status(client, killed_run) == "Abandoned"
    # No redelivery was needed: the killed task's message still waits out its visibility timeout.
    assert killed_task in unacked_task_ids(redis_client)
    print(f"recomputed {recomputed_after:.1f} s after the kill")
