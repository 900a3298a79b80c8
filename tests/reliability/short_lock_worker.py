"""The project's Celery app with the progress engine's lock timeout (`PROGRESS_LOCK_SECONDS`, a
minute) compressed to a few seconds so that a test can wait for a killed worker's locks to lapse.

Everything else is production's, the broker's visibility timeout included (25 minutes): a test
that kills this worker shows what happens *without* the broker redelivering the dead task.
Start it with `celery -A tests.reliability.short_lock_worker worker`."""

from typing import Any

from celery import signals

from config.celery import app

LOCK_SECONDS = 5


@signals.task_prerun.connect
def _compress_locks(**kwargs: Any) -> None:
    from django.conf import settings  # Django is set up by the time a task runs

    settings.PROGRESS_LOCK_SECONDS = LOCK_SECONDS


__all__ = ["app"]
