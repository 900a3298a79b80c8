"""Durable "figures need recomputing" marks on multistakeholder pledges, as on objectives
(`compacts.progress_marks`): set in the transaction of the change, cleared by the progress
engine only if nothing moved them meanwhile, and a recompute is nudged after commit."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from compacts.progress_marks import nudge_recompute

from .models import MultistakeholderPledge


def mark_msps_stale(msp_ids: Iterable[int]) -> int:
    ids = {int(i) for i in msp_ids}
    if not ids:
        return 0
    marked = MultistakeholderPledge.objects.filter(pk__in=ids).update(
        progress_stale_since=timezone.now()
    )
    transaction.on_commit(nudge_recompute)
    return marked
