"""What the change feed learns of multistakeholder pledges: every MSP is public, and what it
shows (member count, leads) follows its members' pledges and its leads' entities."""

from collections.abc import Iterable

from changefeed.models import Resource
from changefeed.services import Seen, follow, record

from .models import MultistakeholderMembership, MultistakeholderPledge


def feed_msps(msp_ids: Iterable[int]) -> None:
    """Record the MSPs as they are now (created the first time, updated after)."""
    slugs = MultistakeholderPledge.objects.filter(pk__in=set(msp_ids)).values_list(
        "slug", flat=True
    )
    record(Resource.MSP, [Seen(key=slug, public=True) for slug in slugs])


def _pledges_flipped(references: set[str]) -> None:
    members = MultistakeholderMembership.objects.filter(pledge__reference__in=references)
    feed_msps(members.values_list("msp_id", flat=True))


def _entities_flipped(public_ids: set[str]) -> None:
    feed_msps(
        MultistakeholderPledge.objects.filter(leads__entity__public_id__in=public_ids)
        .values_list("pk", flat=True)
        .distinct()
    )


def connect() -> None:
    follow(Resource.PLEDGE, _pledges_flipped)
    follow(Resource.ENTITY, _entities_flipped)
