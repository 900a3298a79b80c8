"""Celery tasks of the webhooks (bodies in `webhooks.services`).

- `webhooks.deliver_webhook` sends one delivery once; queued when an event is recorded, on resume
  and on replay. A failed send is not retried by Celery: the delivery row records when it is due
  again (`WEBHOOKS_RETRY_SCHEDULE`) and the sweep queues it then, so hours-long delays never sit
  in the broker (Redis would redeliver them after its visibility timeout).
- `webhooks.send_due_webhooks`, run by beat every `WEBHOOKS_SWEEP_SECONDS`, queues the due ones.

Both are idempotent: a delivery is claimed with a conditional UPDATE before it is sent.
"""

from typing import Any

from celery import shared_task
from django.db import DatabaseError

from . import services

TASK_OPTIONS: dict[str, Any] = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    # The database being briefly away; the receiver's failures are the delivery's own business.
    "autoretry_for": (DatabaseError,),
    "retry_backoff": True,
    "max_retries": 5,
    "ignore_result": True,
}


@shared_task(name="webhooks.deliver_webhook", **TASK_OPTIONS)
def deliver_webhook_task(delivery_id: int) -> bool:
    """Send one due delivery; whether it was sent (False: not due, or taken by another run)."""
    return services.attempt_delivery(delivery_id) is not None


@shared_task(name="webhooks.send_due_webhooks", **TASK_OPTIONS)
def send_due_webhooks_task() -> int:
    """Queue every delivery whose (re)try is due; how many."""
    ids = services.due_delivery_ids()
    for pk in ids:
        deliver_webhook_task.delay(pk)
    return len(ids)
