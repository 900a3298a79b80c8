"""Reads of multistakeholder pledges for pages and the API. Public reads name only accepted
leads of verified entities and count only accepted members that are published
(`LeadQuerySet.public`, `MspMembershipQuerySet.public`)."""

from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from pledges.models import Entity, Membership, MembershipStatus, Pledge
from pledges.selectors import with_listing_data

from .models import (
    LeadStatus,
    MembershipState,
    MultistakeholderLead,
    MultistakeholderMembership,
    MultistakeholderPledge,
)

# ?sort= of the public list: key -> ordering.
SORTS = {
    "title": ["title", "id"],
    "members": ["-member_count", "title", "id"],
    "newest": ["-created_at", "-id"],
}


def listed() -> QuerySet[MultistakeholderPledge]:
    """Every MSP is public (reference records or made by the secretariat, never private
    drafts); what is private is which leads and members are not public yet."""
    return MultistakeholderPledge.objects.select_related("compact", "forum")


def with_member_count(queryset: QuerySet[MultistakeholderPledge]) -> QuerySet:
    """Annotate `member_count`: the published pledges accepted as members (one subquery)."""
    counted = (
        MultistakeholderMembership.objects.public()
        .filter(msp=OuterRef("pk"))
        .order_by()
        .values("msp")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(member_count=Coalesce(Subquery(counted), 0))


def public_leads() -> Prefetch:
    return Prefetch(
        "leads",
        queryset=MultistakeholderLead.objects.public().select_related("entity"),
        to_attr="public_leads",
    )


def msp_list(sort: str) -> QuerySet[MultistakeholderPledge]:
    return (
        with_member_count(listed())
        .prefetch_related(public_leads())
        .order_by(*SORTS.get(sort, SORTS["title"]))
    )


def member_pledges(msp: MultistakeholderPledge) -> QuerySet[Pledge]:
    """The published pledges accepted as members, newest published first."""
    return with_listing_data(
        Pledge.objects.published().filter(pk__in=msp.memberships.public().values("pledge_id"))
    ).order_by("-published_at", "-id")


def own_entity_ids(user: Any) -> list[int]:
    if not user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).values_list(
            "entity_id", flat=True
        )
    )


def pending_requests(msp: MultistakeholderPledge) -> QuerySet[MultistakeholderMembership]:
    return (
        msp.memberships.filter(state=MembershipState.REQUESTED)
        .select_related("pledge", "pledge__entity", "requested_by")
        .order_by("requested_at", "id")
    )


def current_members(msp: MultistakeholderPledge) -> QuerySet[MultistakeholderMembership]:
    """Accepted memberships of any pledge state (the managers' page: they remove them)."""
    return (
        msp.memberships.filter(state=MembershipState.ACCEPTED)
        .select_related("pledge", "pledge__entity")
        .order_by("pledge__reference")
    )


def workspace_rows(user: Any) -> dict[str, Any]:
    """What `/my/multistakeholder-pledges/` lists for a user: invitations to lead, the MSPs
    their entities lead, and their pledges' memberships."""
    own = own_entity_ids(user)
    led = MultistakeholderLead.objects.acting_for(user).values("msp_id")
    return {
        "invitations": MultistakeholderLead.objects.filter(
            entity_id__in=own, status=LeadStatus.INVITED
        ).select_related("msp", "entity"),
        "led": with_member_count(MultistakeholderPledge.objects.filter(pk__in=led)).annotate(
            pending=Count("memberships", filter=Q(memberships__state=MembershipState.REQUESTED))
        ),
        "memberships": MultistakeholderMembership.objects.filter(pledge__entity_id__in=own)
        .select_related("msp", "pledge")
        .order_by("-requested_at", "-id")[:200],
    }


def verified_entity_named(name: str) -> Entity | None:
    """The verified entity with exactly this name or acronym (any case), if one."""
    name = name.strip()
    if not name:
        return None
    return (
        Entity.objects.filter(is_verified=True)
        .filter(Q(name__iexact=name) | Q(acronym__iexact=name))
        .order_by("name")
        .first()
    )
