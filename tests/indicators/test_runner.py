"""The run of the progress engine, without Celery: which objectives it recomputes, how it clears
their marks, the lock that keeps two runs off one objective, and the row it records."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import redis
from django.db.models import Count
from django.utils import timezone

from compacts.models import Compact, Objective
from compacts.progress_marks import mark_objectives_stale
from indicators import runner
from indicators.models import (
    CompactProgressSnapshot,
    ProgressSnapshot,
    RecomputeRun,
    RunKind,
    RunStatus,
)
from pledges.models import Pledge

from .conftest import overall_pledges

pytestmark = pytest.mark.django_db


def stale_ids() -> set[int]:
    return set(
        Objective.objects.filter(progress_stale_since__isnull=False).values_list("pk", flat=True)
    )


def test_a_published_pledge_reaches_its_objective_snapshot_and_the_mark_is_cleared(
    publish_pledge: Callable[..., Pledge], objective: Objective
) -> None:
    publish_pledge()
    assert stale_ids() == {objective.pk}

    outcome = runner.recompute_stale(triggered_by="test")

    assert outcome.objectives_done == [objective.pk]
    assert overall_pledges(objective) == 1
    assert stale_ids() == set()
    gcr_totals = CompactProgressSnapshot.objects.get(
        compact=objective.compact, slice_kind="overall", date=timezone.localdate()
    )
    assert gcr_totals.figures["pledges"] == 1
    assert outcome.compacts_done == [objective.compact_id]
    assert outcome.snapshots_written == (
        ProgressSnapshot.objects.filter(objective=objective).count()
        + CompactProgressSnapshot.objects.filter(compact=objective.compact).count()
    )


def test_each_run_is_recorded_with_its_duration_and_count(
    publish_pledge: Callable[..., Pledge], objective: Objective
) -> None:
    publish_pledge()
    mark_objectives_stale([objective.pk + 1])  # GCR 3, unchanged but marked

    outcome = runner.recompute_stale(task_id="abc-123", attempt=2, triggered_by="test")

    run = RecomputeRun.objects.get()
    assert outcome.run == run
    assert run.kind == RunKind.INCREMENTAL
    assert run.status == RunStatus.SUCCEEDED
    assert run.objectives_done == 2
    assert run.attempt == 2
    assert run.task_id == "abc-123"
    assert run.triggered_by == "test"
    assert run.error == ""
    assert run.finished_at >= run.started_at
    assert run.duration_ms is not None
    assert run.duration_ms == outcome.duration_ms


def test_nothing_stale_records_no_run(reference_data: None) -> None:
    outcome = runner.recompute_stale()

    assert outcome.run is None
    assert outcome.objectives_done == []
    assert not RecomputeRun.objects.exists()


def test_a_change_made_during_the_recompute_keeps_its_mark_for_the_next_run(
    publish_pledge: Callable[..., Pledge], objective: Objective
) -> None:
    publish_pledge()

    # Another change lands after the run read the mark and before it clears it.
    runner.recompute_stale(before_clear=lambda: mark_objectives_stale([objective.pk]))

    assert stale_ids() == {objective.pk}, "the newer mark must survive"
    next_run = runner.recompute_stale()
    assert next_run.objectives_done == [objective.pk]
    assert stale_ids() == set()


def test_a_full_recompute_covers_every_objective_and_clears_the_marks(
    publish_pledge: Callable[..., Pledge], objective: Objective
) -> None:
    publish_pledge()

    outcome = runner.recompute_all(triggered_by="test")

    every_objective = Objective.objects.count()
    assert len(outcome.objectives_done) == every_objective
    assert sorted(outcome.compacts_done) == sorted(Compact.objects.values_list("pk", flat=True))
    assert stale_ids() == set()
    per_objective = ProgressSnapshot.objects.values("objective").annotate(n=Count("pk"))
    assert len(per_objective) == every_objective
    assert overall_pledges(objective) == 1
    run = RecomputeRun.objects.get()
    assert (run.kind, run.status, run.objectives_done) == (
        RunKind.FULL,
        RunStatus.SUCCEEDED,
        every_objective,
    )


def test_a_full_recompute_can_be_limited_to_a_compact_or_to_objectives(
    objective: Objective,
) -> None:
    gcr = runner.recompute_all(compact_code="GCR")
    one = runner.recompute_all(objective_ids=[objective.pk])

    assert len(gcr.objectives_done) == Objective.objects.filter(compact__code="GCR").count()
    assert gcr.compacts_done == [objective.compact_id]
    assert one.objectives_done == [objective.pk]
    assert one.compacts_done == [objective.compact_id]


def test_recomputing_twice_the_same_day_overwrites_instead_of_adding_rows(
    objective: Objective,
) -> None:
    runner.recompute_all(objective_ids=[objective.pk])
    rows = ProgressSnapshot.objects.count()

    runner.recompute_all(objective_ids=[objective.pk])

    assert ProgressSnapshot.objects.count() == rows


def test_an_unknown_objective_fails_the_run_and_is_recorded(objective: Objective) -> None:
    gone = Objective.objects.order_by("-pk").first().pk + 1000

    with pytest.raises(runner.UnknownTargetError, match=str(gone)):
        runner.recompute_all(objective_ids=[objective.pk, gone], triggered_by="test")

    run = RecomputeRun.objects.get()
    assert run.status == RunStatus.FAILED
    assert run.error.startswith(f"UnknownTargetError: No objective with id {gone}")
    assert "Traceback" in run.error
    assert run.finished_at is not None
    assert run.duration_ms is not None
    assert not ProgressSnapshot.objects.exists()


def test_an_unknown_compact_fails_the_run(reference_data: None) -> None:
    with pytest.raises(runner.UnknownTargetError, match="XYZ"):
        runner.recompute_all(compact_code="XYZ")

    assert RecomputeRun.objects.get().status == RunStatus.FAILED


def test_a_run_interrupted_half_way_leaves_every_mark_for_the_next(
    publish_pledge: Callable[..., Pledge], objective: Objective
) -> None:
    publish_pledge()
    mark_objectives_stale(
        Objective.objects.filter(compact__code="GCR").values_list("pk", flat=True)
    )
    marked = stale_ids()

    def interrupt(step: runner.ObjectiveStep) -> None:
        if step.index == 2:
            raise KeyboardInterrupt  # Ctrl-C in `manage.py recompute_progress`

    with pytest.raises(KeyboardInterrupt):
        runner.recompute_stale(progress=interrupt)

    assert stale_ids() == marked
    run = RecomputeRun.objects.get()
    assert run.status == RunStatus.FAILED
    assert run.objectives_done == 2
    assert run.error.startswith("KeyboardInterrupt")


def test_an_objective_locked_by_another_run_is_skipped_and_keeps_its_mark(
    publish_pledge: Callable[..., Pledge], objective: Objective, redis_client: redis.Redis
) -> None:
    publish_pledge()
    other_run = redis_client.lock(runner.objective_lock_key(objective.pk), timeout=30)
    assert other_run.acquire(blocking=False)
    try:
        outcome = runner.recompute_stale()
    finally:
        other_run.release()

    assert outcome.objectives_skipped == [objective.pk]
    assert outcome.objectives_done == []
    assert stale_ids() == {objective.pk}
    assert overall_pledges(objective) is None
    assert RecomputeRun.objects.get().status == RunStatus.SKIPPED
    # Once the other run lets go, the next sweep does it.
    assert runner.recompute_stale().objectives_done == [objective.pk]


def test_without_redis_the_demo_runs_without_locks(objective: Objective, settings: Any) -> None:
    settings.REDIS_URL = ""
    mark_objectives_stale([objective.pk])

    assert runner.recompute_stale().objectives_done == [objective.pk]


def test_redis_down_fails_the_run_with_a_transient_error(
    objective: Objective, settings: Any
) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # the discard port: nothing listens
    mark_objectives_stale([objective.pk])

    with pytest.raises(redis.exceptions.ConnectionError) as caught:
        runner.recompute_stale()

    assert isinstance(caught.value, runner.TRANSIENT_ERRORS)
    assert RecomputeRun.objects.get().error.startswith("ConnectionError")
    assert stale_ids() == {objective.pk}


def test_a_run_left_running_by_a_dead_worker_is_closed(objective: Objective) -> None:
    abandoned = RecomputeRun.objects.create(
        kind=RunKind.FULL,
        started_at=timezone.now() - dt.timedelta(days=1),
    )

    runner.recompute_all(objective_ids=[objective.pk])

    abandoned.refresh_from_db()
    assert abandoned.status == RunStatus.ABANDONED
    assert abandoned.error.startswith("Abandoned")


def test_a_full_request_is_claimed_once_until_the_run_ends(objective: Objective) -> None:
    assert runner.claim_full_request()
    assert not runner.claim_full_request()

    runner.recompute_all(objective_ids=[objective.pk])

    assert runner.claim_full_request()


def test_the_stale_summary_counts_and_dates_the_oldest_mark(reference_data: None) -> None:
    assert runner.stale_summary() == (0, None)
    first, second = Objective.objects.order_by("pk")[:2]
    mark_objectives_stale([first.pk])
    mark_objectives_stale([second.pk])
    first.refresh_from_db()

    assert runner.stale_summary() == (2, first.progress_stale_since)
