"""The project's Celery app for the worker crash drill, with production's timescales compressed
from minutes to seconds so the test can wait for them:

- the Redis transport's visibility timeout (default 1 hour): how long a message taken by a
  worker that died stays invisible before another worker gets it again;
- how often a worker looks for such messages (default every 100 s);
- the progress engine's Redis locks (`PROGRESS_LOCK_SECONDS`, a minute, renewed by the run's
  heartbeat), which the dead worker was holding and which keep other runs away from its
  objectives until they lapse.

Nothing else differs: same tasks, same settings, same database and broker.
Start it with `celery -A tests.reliability.crash_worker worker`."""

from typing import Any

from celery import signals

from config.celery import app

# The lock must lapse before the message becomes visible again, as 1 minute < 25 minutes does in
# production; otherwise the redelivered task finds the objective locked and leaves it to the
# sweep (still correct, but not what this drill shows).
LOCK_SECONDS = 3
VISIBILITY_TIMEOUT_SECONDS = 6

app.conf.broker_transport_options = {
    "visibility_timeout": VISIBILITY_TIMEOUT_SECONDS,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}


@signals.task_prerun.connect
def _compress_locks(**kwargs: Any) -> None:
    from django.conf import settings  # Django is set up by the time a task runs

    settings.PROGRESS_LOCK_SECONDS = LOCK_SECONDS


__all__ = ["app"]
