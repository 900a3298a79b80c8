"""The resource review machine, defined once (as `pledges.workflow` does for pledges): who may
take which transition from which state. Views show what `available_transitions` returns;
services refuse anything else.

Curated resources (no entity) go draft → published ⇄ unpublished, all by the secretariat.
Practices submitted by a stakeholder go submitted → (changes requested → resubmitted)* →
published or rejected; the reasons reuse the pledge review's bound and wording.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from pledges.workflow import REASON_MAX_LENGTH, Actor, Transition, is_active_member, is_secretariat

from .models import ResourceState

S = ResourceState
RESOURCE_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "resubmit",
            _("Resubmit for review"),
            frozenset({S.CHANGES_REQUESTED}),
            S.RESUBMITTED,
            Actor.MEMBER,
        ),
        Transition(
            "publish",
            _("Publish"),
            frozenset({S.DRAFT, S.SUBMITTED, S.RESUBMITTED, S.UNPUBLISHED}),
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
            "unpublish",
            _("Unpublish"),
            frozenset({S.PUBLISHED}),
            S.UNPUBLISHED,
            Actor.SECRETARIAT,
            needs_reason=True,
        ),
    )
}

# The secretariat's decisions, in the order the buttons appear.
DECISIONS = ("publish", "request_changes", "reject", "unpublish")
AWAITING_REVIEW = frozenset({S.SUBMITTED, S.RESUBMITTED})
# States in which the submitting entity may still change its practice.
EDITABLE_BY_MEMBERS = frozenset({S.CHANGES_REQUESTED})

__all__ = [
    "AWAITING_REVIEW",
    "DECISIONS",
    "REASON_MAX_LENGTH",
    "RESOURCE_TRANSITIONS",
    "available_transitions",
    "can_edit",
    "is_secretariat",
]


def _allowed(user: Any, actor: Actor, resource: Any) -> bool:
    if actor is Actor.SECRETARIAT:
        return is_secretariat(user)
    return resource.entity_id is not None and is_active_member(user, resource.entity_id)


def available_transitions(resource: Any, user: Any) -> list[Any]:
    """The transitions `user` may take on `resource` now, in display order. A stakeholder's
    practice is published only once submitted (never from the draft state it never has)."""
    return [
        t
        for t in RESOURCE_TRANSITIONS.values()
        if resource.state in t.sources
        and _allowed(user, t.actor, resource)
        and not (t.name == "publish" and resource.state == S.DRAFT and resource.entity_id)
    ]


def can_edit(resource: Any, user: Any) -> bool:
    """The secretariat edits any resource not rejected; the submitting entity's members edit
    their practice when changes were requested."""
    if is_secretariat(user):
        return resource.state != S.REJECTED
    return (
        resource.entity_id is not None
        and resource.state in EDITABLE_BY_MEMBERS
        and is_active_member(user, resource.entity_id)
    )
