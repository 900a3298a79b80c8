"""What each event says, read after the change committed, and only if the data is public.

Events are thin: they name what changed and where to read it in the API (`path`), with the few
facts a receiver needs to route it (compact, forum, objectives). The receiver fetches the full
resource with its own key, so the API's visibility rules stay the only ones. A describer returns
None when the object is not public (any more) — nothing unpublished leaves the tracker.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper

from compacts.models import Objective
from matching.models import Match, MatchState
from pledges.models import (
    LinkKind,
    Pledge,
    PledgeLink,
    PledgeUpdate,
    ReviewState,
    public_update_q,
)
from pledges.services.feed import REMOVAL_REASONS

from .models import EventType


@dataclass(frozen=True)
class Scope:
    """What subscription filters match against."""

    compact_id: int | None
    forum_ids: frozenset[int] = field(default_factory=frozenset)
    objective_ids: frozenset[int] = field(default_factory=frozenset)


Described = tuple[dict[str, Any], Scope]


def _pledge_facts(pledge: Pledge) -> Described:
    # Prefetched by `_pledges` (an import announces thousands at once); a query otherwise.
    objectives = sorted(((o.pk, o.number) for o in pledge.objectives.all()), key=lambda o: o[1])
    data = {
        "id": str(pledge.public_id),
        "reference": pledge.reference,
        "title": pledge.title,
        "entity": pledge.entity.name,
        "compact": pledge.compact.code,
        "forum": pledge.forum.code if pledge.forum else None,
        "objectives": [number for _pk, number in objectives],
        "state": pledge.review_state,
        "updated_at": pledge.updated_at.isoformat(),
        "path": f"/api/v1/pledges/{pledge.public_id}/",
    }
    scope = Scope(
        pledge.compact_id,
        frozenset({pledge.forum_id} if pledge.forum_id else ()),
        frozenset(pk for pk, _number in objectives),
    )
    return data, scope


def _pledges(ids: list[int]) -> list[Pledge]:
    return list(
        Pledge.objects.filter(pk__in=ids)
        .select_related("entity", "compact", "forum")
        .prefetch_related("objectives")
    )


def describe_pledges_public(ids: list[int]) -> list[Described | None]:
    return [
        _pledge_facts(p) if p.review_state == ReviewState.PUBLISHED else None for p in _pledges(ids)
    ]


def describe_pledges_removed(ids: list[int]) -> list[Described | None]:
    """A pledge that was public and is not any more: why (its state) and its successor, if a
    published pledge supersedes it."""
    pledges = _pledges(ids)
    # One query for the chunk: the first published successor of each (links' own order).
    successors = dict(
        PledgeLink.objects.filter(
            target_id__in=[p.pk for p in pledges],
            kind=LinkKind.SUPERSEDES,
            source__review_state=ReviewState.PUBLISHED,
        )
        .order_by("target_id", "source_id")
        .distinct("target_id")
        .values_list("target_id", "source__reference")
    )
    described: list[Described | None] = []
    for pledge in pledges:
        if pledge.review_state == ReviewState.PUBLISHED:
            described.append(None)  # published again before the event was read
            continue
        data, scope = _pledge_facts(pledge)
        # A removed pledge's title and entity stay what partners already had; its new state
        # is the reason (as the change feed words it). Nothing written while it was unpublished
        # is sent.
        reason = REMOVAL_REASONS.get(pledge.review_state, pledge.review_state)
        data.update({"reason": str(reason), "successor": successors.get(pledge.pk)})
        described.append((data, scope))
    return described


def describe_updates(ids: list[int]) -> list[Described | None]:
    """Public updates only (`public_update_q`: approved, by a verified entity, of a published
    pledge)."""
    described: list[Described | None] = []
    updates = (
        PledgeUpdate.objects.filter(pk__in=ids)
        .annotate(is_public=ExpressionWrapper(public_update_q(), output_field=BooleanField()))
        .select_related("pledge__entity", "pledge__compact", "pledge__forum", "entity")
        .prefetch_related("pledge__objectives")
    )
    for update in updates:
        if not update.is_public:
            described.append(None)
            continue
        pledge_data, scope = _pledge_facts(update.pledge)
        data = {
            "id": str(update.public_id),
            "pledge": pledge_data["reference"],
            "pledge_path": pledge_data["path"],
            "entity": update.entity.name if update.entity else None,
            "status": update.status,
            "reported_on": update.reported_on.isoformat() if update.reported_on else None,
            "path": f"/api/v1/pledge-updates/{update.public_id}/",
        }
        described.append((data, scope))
    return described


def describe_matches(ids: list[int]) -> list[Described | None]:
    described: list[Described | None] = []
    for match in Match.objects.filter(pk__in=ids).select_related(
        "seeking__entity", "seeking__compact", "seeking__forum",
        "offering__entity", "offering__compact", "offering__forum",
    ).prefetch_related("seeking__objectives", "offering__objectives"):  # fmt: skip
        sides = (match.seeking, match.offering)
        if match.state != MatchState.ACCEPTED or any(
            p.review_state != ReviewState.PUBLISHED for p in sides
        ):
            described.append(None)
            continue
        (seeking, seeking_scope), (offering, offering_scope) = map(_pledge_facts, sides)
        data = {
            "id": str(match.public_id),
            "seeking": seeking["reference"],
            "offering": offering["reference"],
            "path": f"/api/v1/matches/{match.public_id}/",
        }
        scope = Scope(
            seeking_scope.compact_id,
            seeking_scope.forum_ids | offering_scope.forum_ids,
            seeking_scope.objective_ids | offering_scope.objective_ids,
        )
        described.append((data, scope))
    return described


def describe_objectives(ids: list[int]) -> list[Described | None]:
    return [
        (
            {
                "compact": objective.compact.code,
                "objective": objective.number,
                "path": (
                    f"/api/v1/progress/?compact={objective.compact.code}"
                    f"&objective={objective.number}&latest=true"
                ),
            },
            Scope(objective.compact_id, frozenset(), frozenset({objective.pk})),
        )
        for objective in Objective.objects.filter(pk__in=ids).select_related("compact")
    ]


DESCRIBERS: dict[str, Callable[[list[int]], list[Described | None]]] = {
    EventType.PLEDGE_PUBLISHED: describe_pledges_public,
    EventType.PLEDGE_UPDATED: describe_pledges_public,
    EventType.PLEDGE_REMOVED: describe_pledges_removed,
    EventType.UPDATE_APPROVED: describe_updates,
    EventType.MATCH_ACCEPTED: describe_matches,
    EventType.PROGRESS_UPDATED: describe_objectives,
}
