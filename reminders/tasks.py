"""Celery entry points of reminders (beat runs them; `CELERY_BEAT_SCHEDULE` in settings)."""

from typing import Any

from celery import shared_task

from . import services

TASK_OPTIONS: dict[str, Any] = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "ignore_result": True,
}


@shared_task(name="reminders.send_due_reminders", **TASK_OPTIONS)
def send_due_reminders_task(self: Any) -> int:
    """Daily: remind the pledges whose report is due (idempotent: one per kind and cycle)."""
    return services.send_due_reminders()


@shared_task(name="reminders.send_overdue_digest", **TASK_OPTIONS)
def send_overdue_digest_task(self: Any) -> int:
    """Weekly: the secretariat's digest of overdue pledges by entity."""
    return services.send_overdue_digest()
