"""What the change feed (`changefeed`) learns of pledges, progress updates and entities: the
services call these after a change, in its transaction; `changefeed.services.record` turns
"is it public now?" into created, updated or removed.

`feed_pledges` and `feed_updates` are also the one place that announces pledge and update
webhooks (`pledge.published`, `pledge.updated`, `pledge.removed`, `update.approved`): what the
feed records is exactly what partners are told, whichever door the change came through (the
services, `_touch` for co-pledgers, links and translations, bulk creation, imports, entity
verification)."""

from collections.abc import Iterable

from django.db.models import BooleanField, ExpressionWrapper

from changefeed.models import Action, RemovalReason, Resource
from changefeed.services import Seen, record
from webhooks.events import emit

from ..models import (
    Entity,
    LinkKind,
    Pledge,
    PledgeLink,
    PledgeUpdate,
    ReviewState,
    UpdateReviewState,
    public_update_q,
)

REMOVAL_REASONS: dict[str, RemovalReason] = {
    ReviewState.WITHDRAWN: RemovalReason.WITHDRAWN,
    ReviewState.SUPERSEDED: RemovalReason.SUPERSEDED,
    ReviewState.REJECTED: RemovalReason.REJECTED,
    ReviewState.SUSPENDED: RemovalReason.ENTITY_UNVERIFIED,
}

# The webhook each kind of feed entry of a pledge announces (on commit, `webhooks.events`).
PLEDGE_EVENTS: dict[str, str] = {
    Action.CREATED: "pledge.published",
    Action.UPDATED: "pledge.updated",
    Action.REMOVED: "pledge.removed",
}


def feed_pledges(pledge_ids: Iterable[int]) -> None:
    """Record the pledges as they are now; a pledge that entered or left the public list takes
    its approved progress updates with it."""
    ids = set(pledge_ids)
    if not ids:
        return
    rows = list(Pledge.objects.filter(pk__in=ids).values_list("pk", "reference", "review_state"))
    successors = dict(
        PledgeLink.objects.filter(target_id__in=ids, kind=LinkKind.SUPERSEDES)
        .order_by("target_id", "-created_at")
        .distinct("target_id")
        .values_list("target_id", "source__reference")
    )
    changes = record(
        Resource.PLEDGE,
        [
            Seen(
                key=reference,
                public=state == ReviewState.PUBLISHED,
                reason=REMOVAL_REASONS.get(state, RemovalReason.UNPUBLISHED),
                successor=successors.get(pk, ""),
            )
            for pk, reference, state in rows
        ],
    )
    pks = {reference: pk for pk, reference, _state in rows}
    for action, event in PLEDGE_EVENTS.items():
        emit(event, [pks[change.key] for change in changes if change.action == action])
    flipped = {change.key for change in changes if change.action != Action.UPDATED}
    if flipped:
        updates = PledgeUpdate.objects.filter(
            pledge__reference__in=flipped, review_state=UpdateReviewState.APPROVED
        )
        feed_updates(updates.values_list("pk", flat=True))


def feed_updates(update_ids: Iterable[int]) -> None:
    """Record progress updates as they are now (public: `public_update_q`); one that becomes
    public (approved, imported, or back with its pledge) announces `update.approved`."""
    rows = list(
        PledgeUpdate.objects.filter(pk__in=set(update_ids))
        .annotate(is_public=ExpressionWrapper(public_update_q(), output_field=BooleanField()))
        .values_list("pk", "public_id", "is_public", "pledge__review_state", "entity__is_verified")
    )
    changes = record(
        Resource.PLEDGE_UPDATE,
        [
            Seen(
                key=str(public_id),
                public=public,
                reason=_update_removal(pledge, verified=verified),
            )
            for _pk, public_id, public, pledge, verified in rows
        ],
    )
    pks = {str(public_id): pk for pk, public_id, *_rest in rows}
    emit("update.approved", [pks[c.key] for c in changes if c.action == Action.CREATED])


def _update_removal(pledge_state: str, *, verified: bool) -> RemovalReason:
    """Why an update is not public: its pledge left, its reporting entity (a co-pledger's,
    on another entity's pledge) lost its verification, or it was itself taken back."""
    if pledge_state != ReviewState.PUBLISHED:
        return RemovalReason.PLEDGE_REMOVED
    if not verified:
        return RemovalReason.ENTITY_UNVERIFIED
    return RemovalReason.UNPUBLISHED


def feed_entities(entity_ids: Iterable[int]) -> None:
    """Record entities as they are now (public: verified)."""
    rows = Entity.objects.filter(pk__in=set(entity_ids)).values_list("public_id", "is_verified")
    record(
        Resource.ENTITY,
        [
            Seen(key=str(public_id), public=verified, reason=RemovalReason.ENTITY_UNVERIFIED)
            for public_id, verified in rows
        ],
    )
