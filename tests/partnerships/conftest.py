"""A small world for multistakeholder pledges: an MSP under the GCR led by entity L (member
`lead_member`), and a published pledge of entity A (member `member_a`)."""

from dataclasses import dataclass

import pytest

from accounts.models import User
from partnerships.models import LeadStatus, MultistakeholderLead, MultistakeholderPledge
from pledges.models import Entity, Pledge, ReviewState
from tests.factories import (
    CompactFactory,
    EntityFactory,
    ForumFactory,
    MembershipFactory,
    PledgeFactory,
    UserFactory,
)


@dataclass
class World:
    msp: MultistakeholderPledge
    lead_entity: Entity
    lead_member: User
    pledge: Pledge
    member_a: User
    outsider: User


@pytest.fixture
def world(member_a: User) -> World:
    compact = CompactFactory(code="GCR")
    forum = ForumFactory(code="GRF23", compact=compact)
    lead_entity = EntityFactory(name="Lead Organisation")
    lead_member = MembershipFactory(
        user=UserFactory(email="lead@example.org"), entity=lead_entity
    ).user
    # The reference data ships an MSP of this code: the test takes it over.
    msp, _ = MultistakeholderPledge.objects.update_or_create(
        slug="resettlement",
        defaults={"title": "Resettlement", "compact": compact, "forum": forum},
    )
    MultistakeholderLead.objects.create(msp=msp, entity=lead_entity, status=LeadStatus.ACCEPTED)
    entity_a = member_a.memberships.get().entity
    pledge = PledgeFactory(
        entity=entity_a, forum=forum, compact=compact, review_state=ReviewState.PUBLISHED
    )
    outsider = MembershipFactory(user=UserFactory(email="outsider@example.org")).user
    return World(msp, lead_entity, lead_member, pledge, member_a, outsider)
