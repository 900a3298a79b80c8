"""A worker killed with SIGKILL in the middle of a recompute: the task is not lost. Its message
was never acknowledged (acks_late), so once the broker's visibility timeout has passed a new
worker receives the same task again, and the snapshot ends correct with the stale mark cleared.

The recompute is held mid-way without any hook in the code: the test locks the snapshot table,
so the worker's first snapshot write waits on PostgreSQL — visibly, in pg_stat_activity — and
is killed right there, holding its objective lock and an open transaction."""

import json
import os
import signal
import time
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
import redis
from django.db import connection
from psycopg import sql

from accounts.models import User
from compacts.models import Objective
from indicators.models import ProgressSnapshot, RecomputeRun, RunStatus
from indicators.tasks import recompute_stale_progress_task
from pledges.models import Pledge
from pledges.services import transition_pledge
from tests.indicators.conftest import overall_pledges, wait_until
from tests.workers import database_url

pytestmark = pytest.mark.django_db(transaction=True)


def worker_waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = "
            "'Lock' AND query ILIKE %s",
            [connection.settings_dict["NAME"], f"%{ProgressSnapshot._meta.db_table}%"],
        )
        return cursor.fetchone()[0] > 0


def unacked_task_ids(client: redis.Redis) -> set[str]:
    """Ids of the tasks that a worker took but never acknowledged (kombu's `unacked` hash)."""
    ids = set()
    for raw in client.hvals("unacked"):
        message = json.loads(raw)[0]
        ids.add(message["headers"]["id"])
    return ids


def test_a_recompute_killed_mid_way_is_redelivered_and_ends_correct(
    start_crash_worker: Callable[[str], int],
    submitted_pledge: Callable[..., Pledge],
    secretariat: User,
    redis_client: redis.Redis,
    tmp_path: Any,
) -> None:
    objective = Objective.objects.get(compact__code="GCR", number=2)
    transition_pledge(pledge=submitted_pledge(), action="publish", by=secretariat)
    assert Objective.objects.get(pk=objective.pk).progress_stale_since is not None

    blocker = psycopg.connect(database_url())  # a transaction held open by the test
    blocker.execute(
        sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(
            sql.Identifier(ProgressSnapshot._meta.db_table)
        )
    )
    try:
        first = start_crash_worker("first")
        task_id = recompute_stale_progress_task.apply_async(
            kwargs={"triggered_by": "crash drill"}
        ).id
        wait_until(
            worker_waiting_on_a_lock,
            seconds=30,
            message=f"no wait on the snapshot table:\n{(tmp_path / 'first.log').read_text()}",
        )
        killed_at = time.monotonic()
        os.kill(first, signal.SIGKILL)
        os.waitpid(first, 0)
    finally:
        blocker.rollback()
        blocker.close()

    # Killed before it could acknowledge: the message waits in the broker, not lost.
    assert task_id in unacked_task_ids(redis_client)
    assert overall_pledges(objective) is None
    assert Objective.objects.get(pk=objective.pk).progress_stale_since is not None

    start_crash_worker("second")
    wait_until(
        lambda: RecomputeRun.objects.filter(
            task_id=task_id, status=RunStatus.SUCCEEDED, objectives_done__gte=1
        ).exists(),
        seconds=60,
        message=f"the task was never redelivered:\n{(tmp_path / 'second.log').read_text()}",
    )
    redelivered_after = time.monotonic() - killed_at

    assert overall_pledges(objective) == 1
    assert Objective.objects.get(pk=objective.pk).progress_stale_since is None
    assert not Objective.objects.filter(progress_stale_since__isnull=False).exists()
    assert task_id not in unacked_task_ids(redis_client), "acknowledged this time"
    assert ProgressSnapshot.objects.filter(objective=objective).count() == (
        ProgressSnapshot.objects.filter(objective=objective)
        .values("slice_kind", "slice_key", "date")
        .distinct()
        .count()
    ), "the interrupted attempt left no duplicate snapshot rows"
    print(f"redelivered and recomputed {redelivered_after:.1f} s after the kill")
