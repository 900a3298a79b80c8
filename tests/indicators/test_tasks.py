"""The Celery tasks, called directly (never in eager mode): their options, their retries on
transient errors only, and the beat schedule."""

from collections.abc import Callable
from typing import Any

import pytest
import redis
from celery.schedules import crontab
from django.conf import settings as django_settings

from compacts.models import Objective
from compacts.progress_marks import RECOMPUTE_TASK, mark_objectives_stale
from config.celery import app as celery_app
from indicators import runner
from indicators.models import RecomputeRun, RunKind, RunStatus
from indicators.tasks import recompute_all_progress_task, recompute_stale_progress_task
from pledges.models import Pledge

from .conftest import overall_pledges

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("task", [recompute_stale_progress_task, recompute_all_progress_task])
def test_tasks_survive_a_lost_worker_and_retry_transient_errors_only(task: Any) -> None:
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True
    assert set(task.autoretry_for) == set(runner.TRANSIENT_ERRORS)
    assert runner.UnknownTargetError not in task.autoretry_for
    assert (task.retry_backoff, task.max_retries) == (True, 5)


def test_the_nudge_sends_the_stale_task_by_its_registered_name() -> None:
    assert recompute_stale_progress_task.name == RECOMPUTE_TASK


def test_the_stale_task_recomputes_the_marked_objectives(
    publish_pledge: Callable[..., Pledge], objective: Objective
) -> None:
    publish_pledge()

    assert recompute_stale_progress_task() == 1

    assert overall_pledges(objective) == 1
    run = RecomputeRun.objects.get()
    assert (run.kind, run.status, run.attempt) == (RunKind.INCREMENTAL, RunStatus.SUCCEEDED, 1)


def test_the_full_task_takes_primitive_arguments(objective: Objective) -> None:
    done = recompute_all_progress_task(
        compact_code="GCR", objective_ids=[objective.pk], triggered_by="someone@example.org"
    )

    assert done == 1
    run = RecomputeRun.objects.get()
    assert (run.kind, run.triggered_by) == (RunKind.FULL, "someone@example.org")


@pytest.fixture
def failures_as_results(settings: Any) -> None:
    """apply() runs a task and its retries here, one after another, without a broker; let it
    return the final failure instead of raising the first retry. (Celery reads its
    configuration through Django's settings, so the `settings` fixture reaches it.)"""
    settings.CELERY_TASK_EAGER_PROPAGATES = False
    assert celery_app.conf.task_eager_propagates is False


def test_a_transient_error_is_retried_with_each_attempt_recorded(
    objective: Objective, settings: Any, failures_as_results: None
) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # the locks' Redis is unreachable
    mark_objectives_stale([objective.pk])

    result = recompute_stale_progress_task.apply()

    assert result.failed()
    assert isinstance(result.result, redis.exceptions.ConnectionError)

    runs = RecomputeRun.objects.order_by("attempt")
    assert [run.attempt for run in runs] == [1, 2, 3, 4, 5, 6]  # the first try and 5 retries
    assert {run.status for run in runs} == {RunStatus.FAILED}
    assert all(run.error.startswith("ConnectionError") for run in runs)
    assert Objective.objects.get(pk=objective.pk).progress_stale_since is not None


def test_an_invalid_request_is_not_retried(reference_data: None, failures_as_results: None) -> None:
    result = recompute_all_progress_task.apply(kwargs={"compact_code": "XYZ"})

    assert isinstance(result.result, runner.UnknownTargetError)

    run = RecomputeRun.objects.get()
    assert (run.status, run.attempt) == (RunStatus.FAILED, 1)


def test_beat_sweeps_every_30_seconds_and_recomputes_everything_at_0230_utc() -> None:
    schedule = {entry["task"]: entry for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}

    assert schedule["indicators.recompute_stale_progress"]["schedule"] == 30
    assert schedule["indicators.recompute_all_progress"]["schedule"] == crontab(hour=2, minute=30)
    assert django_settings.CELERY_TIMEZONE == "UTC"
