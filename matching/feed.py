"""What the change feed learns of matches: public while accepted between two published pledges,
so a pledge entering or leaving the public list re-records its matches."""

from collections.abc import Iterable

from django.db.models import Q

from changefeed.models import RemovalReason, Resource
from changefeed.services import Seen, follow, record

from .models import Match, MatchState


def feed_matches(match_ids: Iterable[int], *, reason: str = "") -> None:
    """Record the matches as they are now; a match that leaves was withdrawn, or `reason`."""
    ids = set(match_ids)
    public = set(Match.objects.public().filter(pk__in=ids).values_list("pk", flat=True))
    rows = Match.objects.filter(pk__in=ids).values_list("pk", "public_id", "state")
    record(
        Resource.MATCH,
        [
            Seen(
                key=str(public_id),
                public=pk in public,
                reason=reason
                or (
                    RemovalReason.WITHDRAWN
                    if state == MatchState.WITHDRAWN
                    else RemovalReason.UNPUBLISHED
                ),
            )
            for pk, public_id, state in rows
        ],
    )


def _pledges_flipped(references: set[str]) -> None:
    matches = Match.objects.filter(
        Q(seeking__reference__in=references) | Q(offering__reference__in=references)
    )
    feed_matches(matches.values_list("pk", flat=True), reason=RemovalReason.PLEDGE_REMOVED)


def connect() -> None:
    follow(Resource.PLEDGE, _pledges_flipped)
