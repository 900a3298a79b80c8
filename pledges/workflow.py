"""The two review state machines (pledges and progress updates), defined
once, each transition with who may take it.

Review (editorial) and progress-update review are separate machines; the implementation status
is not a machine at all (it is whatever the latest approved update reports). Views show the
buttons that `available_transitions` returns; services refuse anything else.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import (
    Entity,
    Membership,
    MembershipStatus,
    PledgeParticipant,
    ReviewState,
    UpdateReviewState,
)

REVIEW_PERMISSION = "pledges.review_pledge"


class Actor(StrEnum):
    """Who may take a transition."""

    MEMBER = "member"  # an active member of the pledge's submitting entity
    SECRETARIAT = "secretariat"  # holds pledges.review_pledge


@dataclass(frozen=True)
class Transition:
    name: str
    label: Promise
    sources: frozenset[str]
    target: str
    actor: Actor
    needs_reason: bool = False


S = ReviewState
PLEDGE_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "submit", _("Submit for review"), frozenset({S.DRAFT}), S.SUBMITTED, Actor.MEMBER
        ),
        Transition(
            "resubmit",
            _("Resubmit for review"),
            frozenset({S.CHANGES_REQUESTED}),
            S.RESUBMITTED,
            Actor.MEMBER,
        ),
        Transition(
            "withdraw",
            _("Withdraw"),
            frozenset({S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED, S.RESUBMITTED, S.PUBLISHED}),
            S.WITHDRAWN,
            Actor.MEMBER,
        ),
        Transition(
            "publish",
            _("Publish"),
            frozenset({S.SUBMITTED, S.RESUBMITTED}),
            S.PUBLISHED,
            Actor.SECRETARIAT,
        ),
        Transition(
            "request_changes",
            _("Request changes"),
            frozenset({S.SUBMITTED, S.RESUBMITTED}),
            S.CHANGES_REQUESTED,
            Actor.SECRETARIAT,
            needs_reason=True,
        ),
        Transition(
            "reject",
            _("Reject"),
            frozenset({S.SUBMITTED, S.RESUBMITTED}),
            S.REJECTED,
            Actor.SECRETARIAT,
            needs_reason=True,
        ),
        Transition(
            "supersede",
            _("Mark as superseded"),
            frozenset({S.PUBLISHED}),
            S.SUPERSEDED,
            Actor.SECRETARIAT,
            needs_reason=True,
        ),
    )
}

# The longest review reason (request changes, reject, supersede, withdraw, return an update):
# kept whole in the audit trail and the history, so it is bounded once, here, for every door.
REASON_MAX_LENGTH = 2000

# States in which the submitting entity may still edit the pledge's content.
EDITABLE_STATES = frozenset({S.DRAFT, S.CHANGES_REQUESTED})
# States the secretariat's review queue shows.
AWAITING_REVIEW = frozenset({S.SUBMITTED, S.RESUBMITTED})

U = UpdateReviewState
UPDATE_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition("approve", _("Approve"), frozenset({U.PENDING}), U.APPROVED, Actor.SECRETARIAT),
        Transition(
            "return",
            _("Return"),
            frozenset({U.PENDING}),
            U.RETURNED,
            Actor.SECRETARIAT,
            needs_reason=True,
        ),
    )
}


def is_secretariat(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(REVIEW_PERMISSION))


def is_active_member(user: Any, entity: Entity | int) -> bool:
    """Whether `user` acts for `entity` (an approved membership)."""
    if not (user and user.is_authenticated):
        return False
    entity_id = entity.pk if isinstance(entity, Entity) else entity
    return Membership.objects.filter(
        user=user, entity_id=entity_id, status=MembershipStatus.ACTIVE
    ).exists()


def actor_allowed(user: Any, actor: Actor, entity_id: int) -> bool:
    if actor is Actor.SECRETARIAT:
        return is_secretariat(user)
    return is_active_member(user, entity_id)


def available_transitions(pledge: Any, user: Any) -> list[Transition]:
    """The pledge transitions `user` may take now, in display order."""
    return [
        t
        for t in PLEDGE_TRANSITIONS.values()
        if pledge.review_state in t.sources and actor_allowed(user, t.actor, pledge.entity_id)
    ]


def can_edit(pledge: Any, user: Any) -> bool:
    """Members edit while the pledge is a draft or returned to them; the secretariat may
    correct any pledge that is not yet closed."""
    if is_secretariat(user):
        return pledge.review_state not in {S.WITHDRAWN, S.REJECTED, S.SUPERSEDED}
    return pledge.review_state in EDITABLE_STATES and is_active_member(user, pledge.entity_id)


# --- Who reports progress on a published pledge, and for which entity (issue 17, item 6). ---


def reporting_entity_ids(pledge: Any, user: Any, *, own: set[int] | None = None) -> list[int]:
    """The entities `user` may report progress for on `pledge`, the pledge's own first: its
    submitting entity, and every co-pledging entity that accepted and that the secretariat
    verified (`PledgeParticipant.objects.public`), of which `user` is an active member. A
    pending or declined co-pledger, or one not verified, is not on the pledge publicly, so it
    does not report on it either. `own` (the user's active entities) saves a query when the
    caller has it."""
    if not (user and user.is_authenticated):
        return []
    if own is None:
        own = set(
            Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).values_list(
                "entity_id", flat=True
            )
        )
    if not own:
        return []
    co_pledgers = (
        PledgeParticipant.objects.public()
        .filter(pledge_id=pledge.pk, entity_id__in=own)
        .order_by("entity__name")
        .values_list("entity_id", flat=True)
    )
    lead = [pledge.entity_id] if pledge.entity_id in own else []
    return lead + [entity_id for entity_id in co_pledgers if entity_id != pledge.entity_id]


def may_report_progress(pledge: Any, user: Any, *, own: set[int] | None = None) -> bool:
    """Whether `user` may submit a progress update on `pledge` now."""
    if pledge.review_state != S.PUBLISHED:
        return False
    if own is not None and pledge.entity_id in own:
        return True  # a member of the submitting entity: no need to look at co-pledgers
    return bool(reporting_entity_ids(pledge, user, own=own))


def may_reaffirm(pledge: Any, user: Any, *, own: set[int] | None = None) -> bool:
    """The pledge's editors (members of the submitting entity, the secretariat) reaffirm a
    published pledge."""
    if pledge.review_state != S.PUBLISHED:
        return False
    member = (
        pledge.entity_id in own if own is not None else is_active_member(user, pledge.entity_id)
    )
    return member or is_secretariat(user)
