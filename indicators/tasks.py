"""Celery tasks of the progress engine. The bodies stay thin: `indicators.runner` does the work.

- `indicators.recompute_stale_progress` recomputes the objectives marked stale. The pledge
  services nudge it a few seconds after a change commits (`compacts.progress_marks`), and beat
  sweeps every 30 s for marks whose nudge was lost.
- `indicators.recompute_all_progress` recomputes everything; beat runs it nightly and the
  secretariat's "Recompute now" button queues it.

After either, the combined dashboard filters' sums are built if the run stored new facts
(`delta.build_filter_sums`, its own transaction: the snapshots do not wait for it).

Both are idempotent (the engine upserts; marks are cleared conditionally), acknowledged late,
and retried with backoff on transient database or Redis errors only.
"""

from typing import Any

from celery import shared_task
from django.conf import settings

from . import delta, goal_progress, msp_progress, runner

TASK_OPTIONS: dict[str, Any] = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": runner.TRANSIENT_ERRORS,
    "retry_backoff": True,
    "max_retries": 5,
    "ignore_result": True,
}


@shared_task(name="indicators.recompute_stale_progress", **TASK_OPTIONS)
def recompute_stale_progress_task(self: Any, triggered_by: str = "") -> int:
    """Recompute the objectives marked stale, then the multistakeholder pledges marked stale
    (or whose member pledges changed); returns how many objectives were recomputed."""
    msp_progress.mark_msps_of_changed_pledges()  # before the run consumes the pledge marks
    goal_progress.mark_goals_of_stale_msps()  # a membership change moves the MSP's goals
    outcome = runner.recompute_stale(
        task_id=self.request.id or "",
        attempt=self.request.retries + 1,
        triggered_by=triggered_by,
    )
    msp_progress.recompute_stale_msps()
    # A run over every objective (an exchange rate changed) stored a new base; or the build
    # after the last full run was lost with its worker.
    delta.build_filter_sums()
    return len(outcome.objectives_done)


@shared_task(name="indicators.recompute_all_progress", **TASK_OPTIONS)
def recompute_all_progress_task(
    self: Any,
    compact_code: str | None = None,
    objective_ids: list[int] | None = None,
    triggered_by: str = "",
) -> int:
    """Recompute every objective (or one compact's, or the given ids) and the compact totals;
    returns how many objectives were recomputed."""
    outcome = runner.recompute_all(
        compact_code=compact_code,
        objective_ids=objective_ids,
        task_id=self.request.id or "",
        attempt=self.request.retries + 1,
        triggered_by=triggered_by,
    )
    if compact_code is None and objective_ids is None:
        msp_progress.recompute_all_msps()
    # After the run committed: the combined dashboard filters' sums, from the facts it stored.
    delta.build_filter_sums()
    return len(outcome.objectives_done)


def request_full_recompute(*, triggered_by: str) -> bool:
    """Queue a full recompute unless one is already queued or running; False if it was.

    In the zero-setup demo (eager tasks) it runs here and now. Raises whatever the broker raised
    when the task could not be queued, after freeing the slot so the next press can retry."""
    if not runner.claim_full_request():
        return False
    try:
        recompute_all_progress_task.apply_async(kwargs={"triggered_by": triggered_by})
    except Exception:
        runner.release_full_request()
        raise
    return True


def tasks_run_inline() -> bool:
    """True in the demo without Redis, where a queued task has already run when queued."""
    return bool(settings.CELERY_TASK_ALWAYS_EAGER)
