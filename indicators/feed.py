"""What the change feed learns of indicator values and progress snapshots (all public, by id)."""

from collections.abc import Iterable

from changefeed.models import RemovalReason, Resource
from changefeed.services import Seen, record
from partnerships.feed import feed_msps


def feed_values(*, saved: Iterable[int] = (), deleted: Iterable[int] = ()) -> None:
    record(
        Resource.INDICATOR_VALUE,
        [Seen(key=str(pk), public=True) for pk in saved]
        + [Seen(key=str(pk), public=False, reason=RemovalReason.DELETED) for pk in deleted],
    )


def feed_snapshots(*, written: Iterable[int] = (), deleted: Iterable[int] = ()) -> None:
    """Objective snapshots (`/progress/`) written or deleted by a recompute."""
    record(
        Resource.PROGRESS,
        [Seen(key=str(pk), public=True) for pk in written]
        + [Seen(key=str(pk), public=False, reason=RemovalReason.DELETED) for pk in deleted],
    )


def feed_msp_figures(msp_ids: Iterable[int]) -> None:
    """An MSP's API representation carries its latest overall figures: new figures update it."""
    feed_msps(msp_ids)
