"""A run's locks are short and renewed by its heartbeat while it is alive; a run whose worker
stopped beating is abandoned on the Jobs page, and stored so by the next sweep. (The same with a
real worker killed by SIGKILL: tests/reliability/test_killed_worker_is_abandoned.py.)"""

import datetime as dt
import time
from typing import Any

import pytest
import redis
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from compacts.models import Objective
from compacts.progress_marks import mark_objectives_stale
from indicators import runner
from indicators.models import RecomputeRun, RunKind, RunStatus

pytestmark = pytest.mark.urls("tests.indicators.urls")


def running_run(*, started_ago: dt.timedelta, beat_ago: dt.timedelta | None) -> RecomputeRun:
    now = timezone.now()
    return RecomputeRun.objects.create(
        kind=RunKind.INCREMENTAL,
        status=RunStatus.RUNNING,
        started_at=now - started_ago,
        heartbeat_at=None if beat_ago is None else now - beat_ago,
    )


@pytest.mark.django_db
def test_the_jobs_page_shows_a_run_that_stopped_beating_as_abandoned(
    client: Client, secretariat: Any, reference_data: None
) -> None:
    dead = running_run(started_ago=dt.timedelta(minutes=3), beat_ago=dt.timedelta(minutes=2))
    alive = running_run(started_ago=dt.timedelta(minutes=30), beat_ago=dt.timedelta(seconds=5))
    client.force_login(secretariat)

    response = client.get(reverse("indicators:jobs"))

    html = response.content.decode()
    shown = {run.pk: run.get_shown_status_display() for run in response.context["runs"]}
    assert shown == {dead.pk: "Abandoned", alive.pk: "Running"}
    assert "Abandoned" in html
    assert "Its worker stopped before it finished" in html
    assert html.count("still running") == 1, "only the live run is still running"


@pytest.mark.django_db
def test_a_sweep_with_nothing_to_do_stores_the_abandoned_runs_and_spares_live_ones(
    objective: Objective,
) -> None:
    dead = running_run(started_ago=dt.timedelta(minutes=3), beat_ago=dt.timedelta(minutes=2))
    never_beat = running_run(started_ago=dt.timedelta(minutes=5), beat_ago=None)
    # Longer than the task time limit, yet beating: slow, not dead.
    slow = running_run(started_ago=dt.timedelta(minutes=30), beat_ago=dt.timedelta(seconds=5))

    outcome = runner.recompute_stale(triggered_by="periodic sweep")

    assert outcome.run is None, "nothing was stale"
    for run in (dead, never_beat, slow):
        run.refresh_from_db()
    assert dead.status == never_beat.status == RunStatus.ABANDONED
    assert dead.finished_at == dead.heartbeat_at, "dated from its last sign of life"
    assert dead.error.startswith("Abandoned")
    assert slow.status == RunStatus.RUNNING


@pytest.mark.django_db(transaction=True)
def test_a_live_run_keeps_its_short_lock_through_a_step_longer_than_the_lock(
    objective: Objective, redis_client: redis.Redis, settings: Any
) -> None:
    settings.PROGRESS_LOCK_SECONDS = 1
    mark_objectives_stale([objective.pk])
    key = runner.objective_lock_key(objective.pk)
    seen: dict[str, Any] = {}

    def long_step(step: runner.ObjectiveStep) -> None:
        # Still under the objective's lock (see runner): stand for one long SQL statement.
        first_beat = RecomputeRun.objects.get().heartbeat_at
        time.sleep(2.5)
        seen["ttl_ms"] = redis_client.pttl(key)
        seen["beat_moved"] = RecomputeRun.objects.get().heartbeat_at > first_beat
        seen["rival"] = runner.recompute_all(objective_ids=[objective.pk])

    outcome = runner.recompute_stale(progress=long_step)

    assert 0 < seen["ttl_ms"] <= 1000, "short, and renewed past its first second"
    assert seen["beat_moved"], "the run row shows it alive"
    assert seen["rival"].objectives_skipped == [objective.pk], "the lock was still held"
    assert outcome.objectives_done == [objective.pk]
    assert outcome.run is not None
    outcome.run.refresh_from_db()
    assert outcome.run.status == RunStatus.SUCCEEDED
    assert not redis_client.exists(key), "released at the end"
