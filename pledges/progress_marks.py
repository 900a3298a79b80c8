"""Tell the progress engine that published pledges changed, without importing it (the
engine depends on pledges, never the reverse): their objectives are marked stale — the durable
trigger of a recompute — and the pledges themselves are marked, so that an incremental run can
apply just their difference to the stored sums (`indicators.delta`)."""

from collections.abc import Iterable

from django.utils import timezone

from compacts.progress_marks import mark_objectives_stale

from .models import PledgeProgressMark


def progress_changed(pledge_ids: Iterable[int], objective_ids: Iterable[int]) -> None:
    """Call inside the transaction of the change. `objective_ids` must name the objectives the
    pledges counted in before the change as well as after it."""
    now = timezone.now()
    marks = [PledgeProgressMark(pledge_id=pk, marked_at=now) for pk in sorted(set(pledge_ids))]
    # Upsert in id order: concurrent writers lock the rows in the same order (no deadlock).
    PledgeProgressMark.objects.bulk_create(
        marks, update_conflicts=True, unique_fields=["pledge_id"], update_fields=["marked_at"]
    )
    mark_objectives_stale(objective_ids)
