"""The one call the domain's services make to announce a public change: `emit(type, ids)`.

Services call it inside their transaction; nothing happens unless and until it commits
(`transaction.on_commit`), and then the changed rows are read again, so that a rolled-back change
is never announced and an event only says what is public at that moment. This module imports no
domain app (pledges, matching and indicators call it from below the webhooks app); the work runs
in `services.record_event`, imported when the callback runs.

A crash between the commit and the callback loses the event (no outbox row in the change's own
transaction: the write paths stay as fast as they were, and the change feed, `/api/v1/changes/`,
is the durable record partners reconcile against).
"""

import logging
from collections.abc import Iterable
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)


def emit(event_type: str, ids: int | Iterable[int]) -> None:
    """Announce `event_type` (see `webhooks.models.EventType`) for these rows once the current
    transaction commits."""
    pks = [ids] if isinstance(ids, int) else sorted(set(ids))
    if pks:
        transaction.on_commit(partial(_record, event_type, pks), robust=True)


def _record(event_type: str, pks: list[int]) -> None:
    from .services import record_event  # the domain apps import this module

    record_event(event_type, pks)
