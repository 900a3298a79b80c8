"""A small, hand-countable world of published pledges plus a draft that must stay private.

ref          compact forum   objectives      countries  status        amount
GRF23-00001  GCR     GRF23   GCR 1, GCR 2    KE, UG     in progress   1,000 USD
GRF19-00001  GCR     GRF19   GCR 2           JO         (no update)   500 EUR (rate 1.10)
IMRF26-00001 GCM     IMRF26  GCM 23          MX, KE     fulfilled     100 XAF (no rate)
GRF23-00002  GCR     GRF23   GCR 3           DE         in progress   —
GRF23-00003  draft of entity A: GCR 1, NR (Nauru, the only Oceania country), 9,999 USD
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from pledges.models import (
    Entity,
    ParticipantStatus,
    Pledge,
    PledgeParticipant,
    ReviewState,
)
from tests.factories import EntityFactory, ExchangeRateFactory, PledgeRows

DRAFT_TITLE = "Confidential draft about Nauru resettlement"


@pytest.fixture
def make_pledge(reference_data: None) -> Callable[..., Pledge]:
    """Build a pledge directly (no review workflow): published unless `state` says otherwise."""
    return PledgeRows()


@dataclass
class World:
    p1: Pledge
    p2: Pledge
    p3: Pledge
    p4: Pledge
    draft: Pledge


@pytest.fixture
def world(make_pledge: Callable[..., Pledge], entity_a: Entity, member_b: User, db: None) -> World:
    # GRF19 is 16 Dec 2019: the EUR rate dated on or before it applies, the later one does not.
    ExchangeRateFactory(date=dt.date(2019, 12, 1), usd_per_unit=Decimal("1.10"))
    ExchangeRateFactory(date=dt.date(2020, 6, 1), usd_per_unit=Decimal("2.00"))
    ExchangeRateFactory(date=dt.date(2020, 1, 1), usd_per_unit=Decimal("3.00"))
    base = timezone.now() - dt.timedelta(days=10)
    p1 = make_pledge(
        title="Include refugee children in national schools",
        description="Enrol ten thousand refugee children in public schools by 2027.",
        objectives=(1, 2),
        countries=("KE", "UG"),
        thematic_areas=("education",),
        support_types=("financial",),
        entity_type="state",
        status="in_progress",
        amount=Decimal("1000"),
        currency_id="USD",
        published_at=base,
    )
    # Two accepted co-pledgers: a join on participants must not count this pledge twice.
    entity_b = member_b.memberships.get().entity
    for co_pledger in (entity_b, EntityFactory()):
        PledgeParticipant.objects.create(
            pledge=p1, entity=co_pledger, status=ParticipantStatus.ACCEPTED
        )
    p2 = make_pledge(
        forum="GRF19",
        title="Vocational training for refugee youth",
        description="Apprenticeships with local employers in Amman and Irbid.",
        objectives=(2,),
        countries=("JO",),
        thematic_areas=("jobs-and-livelihoods",),
        support_types=("technical",),
        amount=Decimal("500"),
        currency_id="EUR",
        published_at=base + dt.timedelta(days=1),
    )
    p3 = make_pledge(
        forum="IMRF26",
        title="Regular pathways for seasonal migrant workers",
        description="A bilateral labour mobility scheme with fair recruitment.",
        objectives=(23,),
        countries=("MX", "KE"),
        support_types=("policy",),
        entity_type="private_sector",
        status="fulfilled",
        amount=Decimal("100"),
        currency_id="XAF",
        published_at=base + dt.timedelta(days=2),
    )
    p4 = make_pledge(
        title="Resettlement places in Germany",
        description="Two hundred resettlement places a year.",
        objectives=(3,),
        countries=("DE",),
        support_types=("places",),
        entity_type="state",
        status="in_progress",
        published_at=base + dt.timedelta(days=3),
    )
    draft = make_pledge(
        title=DRAFT_TITLE,
        description="Nauru secret wording that only entity A may read.",
        objectives=(1,),
        countries=("NR",),
        thematic_areas=("solutions",),
        support_types=("material",),
        entity=entity_a,
        state=ReviewState.DRAFT,
        status="planning",
        amount=Decimal("9999"),
        currency_id="USD",
    )
    return World(p1=p1, p2=p2, p3=p3, p4=p4, draft=draft)


@pytest.fixture
def as_user(client: Client, request: pytest.FixtureRequest) -> Callable[[str], Client]:
    """A client signed in as one of the fixed cast ("anonymous", "member_a", "member_b",
    "secretariat"), so that each page is tested as each of them."""

    def sign_in(who: str) -> Client:
        if who != "anonymous":
            client.force_login(request.getfixturevalue(who))
        return client

    return sign_in


CAST = ["anonymous", "member_a", "member_b", "secretariat"]
