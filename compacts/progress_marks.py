"""Durable "needs recomputing" marks on objectives.

Lower apps (pledges, the indicator admin) call `mark_objectives_stale` inside their transaction
when they change something that feeds progress; they need not know the progress engine exists.
The mark lives in PostgreSQL, so nothing is lost if Redis or every worker is down: the periodic
sweep finds it later. After commit, one Celery task is nudged by name (at most one nudge every
few seconds, so a burst of changes coalesces into one recompute).
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from .models import Objective

logger = logging.getLogger(__name__)

RECOMPUTE_TASK = "indicators.recompute_stale_progress"
NUDGE_KEY = "progress:nudge"


def mark_objectives_stale(objective_ids: Iterable[int]) -> int:
    """Mark objectives as needing a recompute; returns how many were marked.

    The mark is always moved to now: the engine clears it only if it still holds the value it
    saw when it started, so a change made during a recompute is never lost."""
    ids = {int(i) for i in objective_ids}
    if not ids:
        return 0
    marked = Objective.objects.filter(pk__in=ids).update(progress_stale_since=timezone.now())
    transaction.on_commit(nudge_recompute)
    return marked


def mark_all_objectives_stale() -> int:
    """For changes that can touch every objective (an exchange rate, say)."""
    return mark_objectives_stale(Objective.objects.values_list("pk", flat=True))


def nudge_recompute() -> None:
    """Ask for a recompute a few seconds from now, unless one was asked for very recently.

    Failures are logged, never raised: the marks are durable and the beat sweep catches up."""
    from celery import current_app  # the app is configured in config/celery.py

    if not settings.PROGRESS_NUDGE_ENABLED:
        return
    try:
        task = current_app.tasks.get(RECOMPUTE_TASK)
        if task is None:
            return
        if settings.CELERY_TASK_ALWAYS_EAGER:
            # Inline tasks (the zero-setup demo) have no later run to coalesce into and no beat
            # sweep to catch up: debouncing here would leave the figures stale until an
            # unrelated change.
            task.apply()
            return
        delay = settings.PROGRESS_RECOMPUTE_DELAY_SECONDS
        if not cache.add(NUDGE_KEY, 1, timeout=delay):
            return  # a recompute is already on its way and will see this change
        task.apply_async(countdown=delay)
    except Exception:  # the mark stays; the sweep recomputes later
        logger.warning(
            "Could not nudge the progress recompute; the sweep will catch up.", exc_info=True
        )
