"""Runs of the progress engine: which objectives to recompute, one Redis lock per objective, the
conditional clearing of the stale marks, and one `RecomputeRun` row per run.

Plain functions, so that the Celery tasks (`indicators.tasks`), the `recompute_progress` command
and the tests share one implementation and none of them needs a broker to exercise it.

How a run stays correct when changes and other runs interleave (the engine is
told of changes through `pledges.progress_marks`, never imported by the pledges app):

1. For each objective the run takes the lock `progress:objective:<id>` without waiting. If
   another run holds it, the objective is skipped: that run recomputes it, and any change made
   after that run read the mark moves the mark again, so a later sweep picks it up.
2. Under the lock the run reads the objective's mark *before* the engine reads any figures, then
   recomputes. The marks are written in the same transaction as the change they stand for, so
   either the engine sees the change or the mark it read is older than the change.
3. After the compact totals are written, each mark is cleared only if it still holds the value
   read in step 2; a change made during the run leaves a newer mark for the next run. Clearing
   last means a run that dies half-way leaves every mark in place for the sweep to redo.
4. The locks are short (`PROGRESS_LOCK_SECONDS`, a minute) and a heartbeat thread renews them,
   and stamps the run row, every third of that while the run is alive, even during one long
   SQL statement. A killed worker stops beating: its locks lapse within a minute, the next
   sweep redoes its objectives, and the run is shown (then stored) as abandoned. Nothing waits
   for the broker to redeliver the dead task (its visibility timeout is 25 minutes).
"""

import datetime as dt
import logging
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Protocol

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.db.models import Count, Min
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from compacts.models import Compact, Objective
from compacts.progress_marks import mark_objectives_stale

from . import delta, engine, goal_progress
from .models import OwnerKind, RecomputeRun, RunKind, RunStatus

logger = logging.getLogger(__name__)

# Errors worth retrying: the database or Redis was briefly unreachable. Anything else (a bad
# argument, a bug, a time limit) would fail the same way again.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)

# Compact totals are shared by every objective of a compact, so a run waits for them rather
# than skip them; after this long it gives up and re-marks its objectives (see below).
COMPACT_LOCK_WAIT_SECONDS = 60
# Set while a full recompute is queued or running, so that pressing "Recompute now" twice does
# not queue two (an item already queued is not queued again).
FULL_REQUEST_KEY = "progress:full-requested"
GOALS_LOCK_KEY = "progress:goals"
FULL_REQUEST_SECONDS = 10 * 60
# Longest an error text kept on a run row; a traceback is plenty at this size.
ERROR_MAX_CHARS = 4000


class UnknownTargetError(LookupError):
    """A run was asked for a compact or objective that does not exist. Never retried."""


class Lock(Protocol):
    def acquire(self) -> bool: ...

    def release(self) -> None: ...

    def reacquire(self) -> bool: ...


class _NoLock:
    """The zero-setup demo has no Redis and runs tasks inline, one at a time: nothing to lock."""

    def acquire(self) -> bool:
        return True

    def release(self) -> None:
        return None

    def reacquire(self) -> bool:
        return True


@dataclass(frozen=True)
class ObjectiveStep:
    """What happened to one objective of a run, reported to the `progress` callback."""

    index: int  # 1-based position in the run
    total: int
    objective_id: int
    label: str
    snapshots: int
    skipped: bool  # another run holds its lock


ProgressCallback = Callable[[ObjectiveStep], None]


@dataclass
class RunOutcome:
    """The result of one run. `run` is None for an incremental run that found nothing to do."""

    run: RecomputeRun | None = None
    objectives_done: list[int] = field(default_factory=list)
    objectives_skipped: list[int] = field(default_factory=list)
    compacts_done: list[int] = field(default_factory=list)
    snapshots_written: int = 0
    duration_ms: int = 0
    # Objective id → the mark read under its lock, cleared at the end if it did not move.
    seen_marks: dict[int, dt.datetime | None] = field(default_factory=dict, repr=False)
    goals_done: int = 0
    # Goal id → its mark read before the goals were computed (cleared likewise).
    seen_goal_marks: dict[int, dt.datetime] = field(default_factory=dict, repr=False)


def redis_client() -> redis.Redis | None:
    """The Redis client that holds the locks, or None in the demo without Redis."""
    if not settings.REDIS_URL:
        return None
    # Short timeouts: an unreachable Redis should fail fast and be retried, not hang a worker.
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=5, socket_timeout=10)


def lock_seconds() -> float:
    """How long a lock outlives its holder's last heartbeat."""
    return float(settings.PROGRESS_LOCK_SECONDS)


def make_lock(client: redis.Redis | None, key: str, *, wait: float = 0) -> Lock:
    if client is None:
        return _NoLock()
    # Not thread-local: the heartbeat thread renews the locks the run's thread took.
    return client.lock(key, timeout=lock_seconds(), blocking_timeout=wait, thread_local=False)


@contextmanager
def held(
    client: redis.Redis | None, key: str, *, wait: float = 0, heart: "Heartbeat | None" = None
) -> Iterator[bool]:
    """Hold the lock `key` for the block, renewed by `heart` if given; yields whether it was
    acquired (within `wait` s)."""
    lock = make_lock(client, key, wait=wait)
    if not lock.acquire():
        yield False
        return
    if heart is not None:
        heart.keep(key, lock)
    try:
        yield True
    finally:
        if heart is not None:
            heart.drop(key)
        try:
            lock.release()
        except redis.exceptions.LockError:
            # It expired and someone else may hold it now; theirs to release.
            logger.warning("Progress lock %s expired before it was released.", key)


class Heartbeat:
    """A run's sign of life. Every third of the lock timeout a thread of its own renews the
    run's locks and stamps its row, so that a live run keeps its locks through one long SQL
    statement, while a killed one loses them a lock timeout after its last beat."""

    def __init__(self) -> None:
        self.locks: dict[str, Lock] = {}
        self.row_id: int | None = None
        # Held while renewing, so that a lock is never renewed after its run released it.
        self.guard = threading.Lock()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, name="progress-heartbeat", daemon=True)

    def keep(self, key: str, lock: Lock) -> None:
        with self.guard:
            self.locks[key] = lock

    def drop(self, key: str) -> None:
        with self.guard:
            self.locks.pop(key, None)

    def __enter__(self) -> "Heartbeat":
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stopped.set()
        self.thread.join()

    def run(self) -> None:
        try:
            while not self.stopped.wait(lock_seconds() / 3):
                self.beat()
        finally:
            connections.close_all()  # this thread's own connection, not the run's

    def beat(self) -> None:
        with self.guard:
            for key, lock in list(self.locks.items()):
                try:
                    lock.reacquire()
                except redis.exceptions.LockNotOwnedError:
                    # This process stalled longer than the timeout and another run may hold it
                    # now; the marks keep the figures right (see the module docstring).
                    logger.warning("Progress lock %s lapsed while its run was alive.", key)
                    del self.locks[key]
                except redis.exceptions.RedisError:
                    logger.warning("Could not renew progress lock %s.", key, exc_info=True)
        if self.row_id is None:
            return
        try:
            RecomputeRun.objects.filter(pk=self.row_id, status=RunStatus.RUNNING).update(
                heartbeat_at=timezone.now()
            )
        except DatabaseError:
            logger.warning("Could not stamp the heartbeat of progress run %s.", self.row_id)


def objective_lock_key(objective_id: int) -> str:
    return f"progress:objective:{objective_id}"


def compact_lock_key(compact_id: int) -> str:
    return f"progress:compact:{compact_id}"


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def recompute_stale(
    *,
    task_id: str = "",
    attempt: int = 1,
    triggered_by: str = "",
    on: dt.date | None = None,
    progress: ProgressCallback | None = None,
    before_clear: Callable[[], None] | None = None,
) -> RunOutcome:
    """Recompute every objective marked stale, then the totals of their compacts.

    Records a run only once it has claimed an objective (or failed): the sweep runs every few
    seconds and must not fill the Jobs page with runs that had nothing to do."""
    run = _Run(
        RunKind.INCREMENTAL,
        task_id=task_id,
        attempt=attempt,
        triggered_by=triggered_by,
        on=on,
        progress=progress,
        before_clear=before_clear,
    )
    return run.execute(_stale_objective_ids, only_stale=True)


def recompute_all(
    *,
    compact_code: str | None = None,
    objective_ids: Sequence[int] | None = None,
    task_id: str = "",
    attempt: int = 1,
    triggered_by: str = "",
    on: dt.date | None = None,
    progress: ProgressCallback | None = None,
    before_clear: Callable[[], None] | None = None,
) -> RunOutcome:
    """Recompute every objective (or those of one compact, or the given ones) and the totals of
    their compacts, stale or not. Raises UnknownTargetError, recorded as a failed run, for a
    compact code or an objective id that does not exist."""
    run = _Run(
        RunKind.FULL,
        task_id=task_id,
        attempt=attempt,
        triggered_by=triggered_by,
        on=on,
        progress=progress,
        before_clear=before_clear,
    )
    # Only a run over everything can store the sums that incremental runs adjust.
    run.rebuild = compact_code is None and objective_ids is None
    try:
        return run.execute(
            lambda: _selected_objective_ids(compact_code, objective_ids), only_stale=False
        )
    finally:
        release_full_request()  # whatever happened, a new full recompute may be requested


def claim_full_request() -> bool:
    """True if no full recompute is already queued or running; claims the slot for one."""
    return bool(cache.add(FULL_REQUEST_KEY, 1, timeout=FULL_REQUEST_SECONDS))


def release_full_request() -> None:
    """Free the slot: the full recompute finished, or could not be queued."""
    cache.delete(FULL_REQUEST_KEY)


def stale_summary() -> tuple[int, dt.datetime | None]:
    """How many objectives wait for a recompute, and since when the oldest has waited."""
    found = Objective.objects.filter(progress_stale_since__isnull=False).aggregate(
        count=Count("pk"), oldest=Min("progress_stale_since")
    )
    return found["count"], found["oldest"]


# --------------------------------------------------------------------------------------------
# Choosing objectives
# --------------------------------------------------------------------------------------------


def _stale_objective_ids() -> list[int]:
    return list(
        Objective.objects.filter(progress_stale_since__isnull=False)
        .order_by("progress_stale_since", "pk")
        .values_list("pk", flat=True)
    )


def _selected_objective_ids(
    compact_code: str | None, objective_ids: Sequence[int] | None
) -> list[int]:
    objectives = Objective.objects.order_by("compact__code", "number")
    if compact_code:
        if not Compact.objects.filter(code=compact_code).exists():
            raise UnknownTargetError(_("No compact with code %(code)s.") % {"code": compact_code})
        objectives = objectives.filter(compact__code=compact_code)
    if objective_ids is not None:
        wanted = {int(i) for i in objective_ids}
        objectives = objectives.filter(pk__in=wanted)
        missing = wanted - set(objectives.values_list("pk", flat=True))
        if missing:
            raise UnknownTargetError(
                _("No objective with id %(ids)s in the chosen compacts.")
                % {"ids": ", ".join(str(i) for i in sorted(missing))}
            )
    return list(objectives.values_list("pk", flat=True))


# --------------------------------------------------------------------------------------------
# The run itself
# --------------------------------------------------------------------------------------------


class _Run:
    """One run: its row in RecomputeRun, its locks, and what it did."""

    def __init__(
        self,
        kind: str,
        *,
        task_id: str,
        attempt: int,
        triggered_by: str,
        on: dt.date | None,
        progress: ProgressCallback | None,
        before_clear: Callable[[], None] | None,
    ) -> None:
        self.kind = kind
        self.rebuild = False
        # Compacts whose totals the objectives' pass already wrote (a rebuild does both).
        self.compacts_written: dict[int, int] = {}
        self.task_id = task_id
        self.attempt = attempt
        self.triggered_by = triggered_by
        self.on = on or timezone.localdate()
        self.progress = progress
        self.before_clear = before_clear
        self.started_at = timezone.now()
        self.started = time.monotonic()
        self.row: RecomputeRun | None = None
        self.outcome = RunOutcome()
        self.heart = Heartbeat()

    def execute(self, select: Callable[[], list[int]], *, only_stale: bool) -> RunOutcome:
        with self.heart:
            return self._execute(select, only_stale=only_stale)

    def _execute(self, select: Callable[[], list[int]], *, only_stale: bool) -> RunOutcome:
        if not only_stale:
            self.record()  # an explicit request is always recorded, even one that fails at once
        try:
            # Every sweep (30 s) stores the runs whose worker died; their locks have lapsed.
            _close_abandoned_runs()
            ids = select()
            if ids:
                # Before anything is computed (which may consume the pledge marks): the goals
                # the changed pledges count towards become stale too. Only with objectives to
                # do: marks a full run has not consumed yet must not start a run every sweep.
                goal_progress.mark_goals_of_changed_pledges()
            client = redis_client()
            compacts = self.recompute_objectives(client, ids, only_stale=only_stale)
            # Read before the goals are computed, like the objectives' marks.
            goal_marks = goal_progress.stale_goal_marks()
            if self.row is None:
                if not goal_marks:
                    return self.outcome  # nothing was stale, or other runs had just done it all
                self.record()  # only goals changed (a target counted towards one)
            self.recompute_compacts(client, compacts)
            self.recompute_goals(client, goal_marks, every=not only_stale)
            if self.before_clear is not None:
                self.before_clear()
            self.clear_marks()
            goal_progress.clear_goal_marks(self.outcome.seen_goal_marks)
        except BaseException as error:  # also Ctrl-C in the command: the row must not hang
            self.record_failure(error)
            raise
        done, skipped = self.outcome.objectives_done, self.outcome.objectives_skipped
        self.finish(RunStatus.SKIPPED if skipped and not done else RunStatus.SUCCEEDED)
        return self.outcome

    def record(self) -> RecomputeRun:
        """Create the run row (once), dated from when the run really began."""
        if self.row is None:
            self.row = RecomputeRun.objects.create(
                kind=self.kind,
                status=RunStatus.RUNNING,
                started_at=self.started_at,
                heartbeat_at=timezone.now(),
                attempt=max(1, self.attempt),
                task_id=self.task_id[:64],
                triggered_by=self.triggered_by[:200],
            )
            self.outcome.run = self.row
            self.heart.row_id = self.row.pk
        return self.row

    def recompute_objectives(
        self, client: redis.Redis | None, ids: list[int], *, only_stale: bool
    ) -> set[int]:
        """Recompute each objective under its lock; returns the compacts whose totals to redo."""
        labels = {
            o.pk: str(o) for o in Objective.objects.filter(pk__in=ids).select_related("compact")
        }
        compacts: set[int] = set()
        if not only_stale:
            # A full run refreshes the totals even of compacts whose objectives were skipped.
            compacts.update(
                Objective.objects.filter(pk__in=ids).values_list("compact_id", flat=True)
            )
        # Take every objective's lock first, then compute all of them in one engine pass (the
        # per-pledge work is shared: one pass costs about as much as one objective did), then
        # report each objective — still under the locks, on purpose: see tests.
        with ExitStack() as locks:
            steps: list[tuple[int, int, bool]] = []  # (index, objective id, acquired)
            for index, objective_id in enumerate(ids, start=1):
                acquired = locks.enter_context(
                    held(client, objective_lock_key(objective_id), heart=self.heart)
                )
                if not acquired:
                    self.record()  # recorded as skipped: shows two runs met on one objective
                    self.outcome.objectives_skipped.append(objective_id)
                    steps.append((index, objective_id, False))
                    continue
                objective = Objective.objects.only("pk", "compact_id", "progress_stale_since").get(
                    pk=objective_id
                )
                if only_stale and objective.progress_stale_since is None:
                    continue  # another run recomputed it since the stale ones were listed
                self.record()
                # Read before the engine reads any figures (see the module docstring).
                self.outcome.seen_marks[objective_id] = objective.progress_stale_since
                compacts.add(objective.compact_id)
                steps.append((index, objective_id, True))
            mine = [objective_id for _, objective_id, acquired in steps if acquired]
            written = self.compute(locks, client, mine, skipped=len(mine) < len(steps))
            for index, objective_id, acquired in steps:
                if acquired:
                    self.outcome.snapshots_written += written.get(objective_id, 0)
                    self.outcome.objectives_done.append(objective_id)
                if self.progress is not None:
                    self.progress(
                        ObjectiveStep(
                            index=index,
                            total=len(ids),
                            objective_id=objective_id,
                            label=labels.get(objective_id, str(objective_id)),
                            snapshots=written.get(objective_id, 0),
                            skipped=not acquired,
                        )
                    )
        return compacts

    def compute(
        self, locks: ExitStack, client: redis.Redis | None, mine: list[int], *, skipped: bool
    ) -> dict[int, int]:
        """Snapshots written per objective: from the stored sums when they hold for the day
        (applying the marked pledges' differences first), in one pass that also writes the
        compact totals and stores new sums for a full run over everything, else re-aggregated
        from scratch."""
        if not mine:
            return {}
        if self.kind == RunKind.INCREMENTAL and delta.base_ready(self.on):
            delta.apply_marked(on=self.on)
            return delta.write_from_sums(OwnerKind.OBJECTIVE, mine, on=self.on)
        # Every objective stale (an exchange rate changed): as costly as a full run, so store
        # the sums too, and the next changes are cheap again.
        everything = set(mine) == set(Objective.objects.values_list("pk", flat=True))
        if (self.rebuild or everything) and not skipped:
            compacts = sorted(Compact.objects.values_list("pk", flat=True))
            if all(
                locks.enter_context(
                    held(
                        client,
                        compact_lock_key(c),
                        wait=COMPACT_LOCK_WAIT_SECONDS,
                        heart=self.heart,
                    )
                )
                for c in compacts
            ):
                written, self.compacts_written = delta.rebuild(on=self.on)
                return written
        return engine.recompute_objectives_each(mine, on=self.on)

    def recompute_compacts(self, client: redis.Redis | None, compact_ids: set[int]) -> None:
        from_sums = self.kind == RunKind.INCREMENTAL and delta.base_ready(self.on)
        for compact_id in sorted(compact_ids):
            if compact_id in self.compacts_written:
                self.outcome.snapshots_written += self.compacts_written[compact_id]
                self.outcome.compacts_done.append(compact_id)
                continue
            key = compact_lock_key(compact_id)
            with held(client, key, wait=COMPACT_LOCK_WAIT_SECONDS, heart=self.heart) as acquired:
                if acquired:
                    if from_sums:
                        written = delta.write_from_sums(
                            OwnerKind.COMPACT, [compact_id], on=self.on
                        ).get(compact_id, 0)
                    else:
                        written = engine.recompute_compacts([compact_id], on=self.on)
                    self.outcome.snapshots_written += written
                    self.outcome.compacts_done.append(compact_id)
                    continue
            # Another run has held these totals for a minute and may have read the figures
            # before our changes: leave our objectives marked so the next sweep redoes them.
            logger.warning(
                "Totals of compact %s are locked; its objectives stay marked.", compact_id
            )
            ours = set(
                Objective.objects.filter(
                    pk__in=self.outcome.objectives_done, compact_id=compact_id
                ).values_list("pk", flat=True)
            )
            for objective_id in ours:
                self.outcome.seen_marks.pop(objective_id, None)
            mark_objectives_stale(ours)

    def recompute_goals(
        self, client: redis.Redis | None, marks: dict[int, dt.datetime], *, every: bool
    ) -> None:
        """The stale goals' progress (every goal's in a full run): one grouped query over their
        contributions (docs/progress.md, "Collective goals")."""
        if not every and not marks:
            return
        with held(
            client, GOALS_LOCK_KEY, wait=COMPACT_LOCK_WAIT_SECONDS, heart=self.heart
        ) as acquired:
            if not acquired:
                # Another run holds the goals and may have read them before our changes: the
                # marks stay, and pledge changes re-mark every goal below for the next sweep.
                logger.warning("Goal progress is locked; goals stay marked.")
                goal_progress.mark_all_goals_stale()
                return
            written = goal_progress.recompute_goals(None if every else list(marks), on=self.on)
            self.outcome.goals_done = written  # goal snapshots, apart from `snapshots_written`
            self.outcome.seen_goal_marks = marks

    def clear_marks(self) -> None:
        for objective_id, seen in self.outcome.seen_marks.items():
            if seen is None:
                continue  # it was not marked: nothing to clear
            # Only if nobody moved the mark since it was read: a newer change needs another run.
            Objective.objects.filter(pk=objective_id, progress_stale_since=seen).update(
                progress_stale_since=None
            )

    def finish(self, status: str, error: str = "") -> None:
        row = self.record()
        self.outcome.duration_ms = int((time.monotonic() - self.started) * 1000)
        row.status = status
        row.finished_at = timezone.now()
        row.duration_ms = self.outcome.duration_ms
        row.objectives_done = len(self.outcome.objectives_done)
        row.error = error
        row.save(update_fields=["status", "finished_at", "duration_ms", "objectives_done", "error"])

    def record_failure(self, error: BaseException) -> None:
        summary = f"{type(error).__name__}: {error}".strip()
        detail = "".join(traceback.format_exception(error))
        try:
            self.finish(RunStatus.FAILED, f"{summary}\n\n{detail}"[:ERROR_MAX_CHARS])
        except Exception:
            # The database itself may be what failed; the original error matters more.
            logger.exception("Could not record the failed progress run.")


def _close_abandoned_runs() -> None:
    """Store as abandoned the runs whose worker stopped beating (killed, crashed), dated from
    their last beat, instead of showing them as running forever. Their locks have lapsed and
    their marks are still set, so this run or the next redoes their objectives."""
    RecomputeRun.objects.abandoned().update(
        status=RunStatus.ABANDONED,
        finished_at=Coalesce("heartbeat_at", "started_at"),
        error=_(
            "Abandoned: the worker running it stopped (killed or crashed) before it finished. "
            "Its objectives stayed marked and are recomputed by the next run."
        ),
    )
