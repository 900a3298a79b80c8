"""Two recomputes at once, on a real PostgreSQL and a real Redis, in two threads (each with its
own database connection, as two workers would have): the lock lets one recompute an objective,
the other skips it, and the snapshots come out as one consistent set."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from compacts.models import Objective
from indicators import engine, runner
from indicators.models import ProgressSnapshot, RecomputeRun, RunStatus
from pledges.models import Pledge

pytestmark = pytest.mark.django_db(transaction=True)
WAIT_SECONDS = 30


def in_thread(target: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    """Run `target` in a thread with its own database connection; the dict gets its result or
    its exception."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = target()
        except BaseException as error:  # handed to the test, which re-raises it
            box["error"] = error
        finally:
            connection.close()  # this thread's connection, not the test's

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, box


def today_snapshots(objective: Objective) -> dict[tuple[str, str], dict]:
    rows = ProgressSnapshot.objects.filter(objective=objective, date=timezone.localdate())
    return {(row.slice_kind, row.slice_key): row.figures for row in rows}


def expected_snapshots(objective: Objective) -> dict[tuple[str, str], dict]:
    """What a single, uncontested computation gives (computed without writing)."""
    computed = engine.compute_objectives([objective.pk], on=timezone.localdate())
    return {(kind, key): figures for (_, kind, key), figures in computed.items()}


def test_a_second_run_skips_the_objective_the_first_is_recomputing(
    publish_pledge: Callable[..., Pledge], objective: Objective
) -> None:
    publish_pledge()
    first_holds_lock, second_done = threading.Event(), threading.Event()

    def hold(step: runner.ObjectiveStep) -> None:
        # Called while the first run still holds the objective's lock.
        first_holds_lock.set()
        assert second_done.wait(WAIT_SECONDS), "the second run never finished"

    first, first_box = in_thread(lambda: runner.recompute_stale(progress=hold))
    assert first_holds_lock.wait(WAIT_SECONDS), "the first run never took the lock"
    second, second_box = in_thread(runner.recompute_stale)
    second.join(WAIT_SECONDS)
    second_done.set()
    first.join(WAIT_SECONDS)

    for box in (first_box, second_box):
        if "error" in box:
            raise box["error"]
    assert first_box["result"].objectives_done == [objective.pk]
    assert second_box["result"].objectives_skipped == [objective.pk]
    assert second_box["result"].objectives_done == []
    assert today_snapshots(objective) == expected_snapshots(objective)
    assert today_snapshots(objective)[("overall", "")]["pledges"] == 1
    assert Objective.objects.get(pk=objective.pk).progress_stale_since is None
    assert sorted(RecomputeRun.objects.values_list("status", flat=True)) == [
        RunStatus.SKIPPED,
        RunStatus.SUCCEEDED,
    ]


def test_two_full_recomputes_started_together_give_one_consistent_result(
    publish_pledge: Callable[..., Pledge], objective: Objective
) -> None:
    publish_pledge()
    publish_pledge(objective_number=3, title="Resettle refugee families")
    start = threading.Barrier(2, timeout=WAIT_SECONDS)

    def full_run() -> runner.RunOutcome:
        start.wait()
        return runner.recompute_all()

    threads = [in_thread(full_run) for _ in range(2)]
    for thread, _ in threads:
        thread.join(WAIT_SECONDS * 2)

    outcomes = []
    for _, box in threads:
        if "error" in box:
            raise box["error"]
        outcomes.append(box["result"])
    every = set(Objective.objects.values_list("pk", flat=True))
    done = [pk for outcome in outcomes for pk in outcome.objectives_done]
    assert set(done) == every, "between them, the runs recomputed every objective"
    for each in Objective.objects.filter(compact__code="GCR"):
        assert today_snapshots(each) == expected_snapshots(each)
    assert not Objective.objects.filter(progress_stale_since__isnull=False).exists()
    assert set(RecomputeRun.objects.values_list("status", flat=True)) <= {
        RunStatus.SUCCEEDED,
        RunStatus.SKIPPED,
    }
