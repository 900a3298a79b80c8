"""The pledge API shows the multistakeholder pledges a pledge joined (with its role), what it
seeks and offers, and its accepted matches: published data only, the same on the list and the
detail, and without a query more per pledge (the lists are nested in the one statement)."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from compacts.models import Compact, ThematicArea
from core.models import Country
from matching.models import Decision, Match, MatchState, Side, SupportPosition
from partnerships import services as partnership_services
from partnerships.models import (
    LeadStatus,
    MembershipState,
    MultistakeholderLead,
    MultistakeholderMembership,
    MultistakeholderPledge,
)
from pledges.models import Pledge, ReviewState, SupportType
from tests.api.conftest import World

pytestmark = pytest.mark.django_db

API = "http://testserver/api/v1"
LIST = "/api/v1/pledges/"
NOW = dt.datetime(2025, 5, 1, 9, 30, tzinfo=dt.UTC)


def _msp(slug: str, title: str) -> MultistakeholderPledge:
    return MultistakeholderPledge.objects.create(
        slug=slug, title=title, compact=Compact.objects.get(code="GCR")
    )


def _member(msp: MultistakeholderPledge, pledge: Pledge, state: str) -> None:
    MultistakeholderMembership.objects.create(
        msp=msp,
        pledge=pledge,
        state=state,
        requested_at=NOW,
        decided_at=None if state == MembershipState.REQUESTED else NOW,
    )


def _position(pledge: Pledge, side: str, code: str, **fields: Any) -> SupportPosition:
    countries = fields.pop("countries", ())
    made = SupportPosition.objects.create(
        pledge=pledge, side=side, support_type=SupportType.objects.get(code=code), **fields
    )
    made.countries.set(Country.objects.filter(code__in=countries))
    return made


def _match(seeking: Pledge, offering: Pledge, state: str) -> Match:
    accepted = state == MatchState.ACCEPTED
    return Match.objects.create(
        seeking=seeking,
        offering=offering,
        state=state,
        seeking_decision=Decision.ACCEPTED,
        seeking_decided_at=NOW - dt.timedelta(days=1),
        offering_decision=Decision.ACCEPTED if accepted else Decision.PENDING,
        offering_decided_at=NOW if accepted else None,
        closed_at=NOW if accepted else None,
    )


@pytest.fixture
def linked(world: World) -> dict[str, Any]:
    """p1 (entity A) joined two MSPs (A leads one), asked to join a third; seeks money in
    Kenya and offers training; p4 (entity B) offers money: an accepted match between them, a
    proposed one with p2, and an accepted one with the draft (not public)."""
    led = _msp("education-alliance", "Education alliance")
    joined = _msp("zz-jobs", "Jobs compact")
    asked = _msp("asked", "Asked only")
    MultistakeholderLead.objects.create(msp=led, entity=world.entity_a, status=LeadStatus.ACCEPTED)
    # B invited but not accepted: p4's role stays "member".
    MultistakeholderLead.objects.create(msp=joined, entity=world.entity_b, status="invited")
    _member(led, world.p1, MembershipState.ACCEPTED)
    _member(joined, world.p1, MembershipState.ACCEPTED)
    _member(asked, world.p1, MembershipState.REQUESTED)
    _member(joined, world.p4, MembershipState.ACCEPTED)
    _member(joined, world.draft, MembershipState.ACCEPTED)
    area = ThematicArea.objects.get(slug="education")
    _position(
        world.p1,
        Side.SEEKS,
        "financial",
        amount=Decimal("2500.50"),
        currency_id="USD",
        countries=("UG", "KE"),
        thematic_area=area,
        description="Classrooms",
    )
    _position(world.p1, Side.OFFERS, "technical", description="Teacher training")
    _position(world.p4, Side.OFFERS, "financial", countries=("KE",))
    accepted = _match(world.p1, world.p4, MatchState.ACCEPTED)
    _match(world.p1, world.p2, MatchState.PROPOSED)
    _match(world.draft, world.p4, MatchState.ACCEPTED)
    return {"led": led, "joined": joined, "accepted": accepted, "area": area}


def _get(client: APIClient, pledge: Pledge) -> dict[str, Any]:
    response = client.get(f"{LIST}{pledge.reference}/")
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("who", ["anonymous", "member_a", "secretariat"])
def test_a_pledge_lists_its_accepted_memberships_with_its_role(
    world: World, linked: dict[str, Any], api_as: Callable[[str], APIClient], who: str
) -> None:
    body = _get(api_as(who), world.p1)

    # The request to join "asked" is not a membership yet.
    assert body["multistakeholder_pledges"] == [
        {
            "slug": "education-alliance",
            "title": "Education alliance",
            "role": "lead",
            "url": f"{API}/multistakeholder-pledges/education-alliance/",
        },
        {
            "slug": "zz-jobs",
            "title": "Jobs compact",
            "role": "member",
            "url": f"{API}/multistakeholder-pledges/zz-jobs/",
        },
    ]
    assert _get(api_as(who), world.p4)["multistakeholder_pledges"][0]["role"] == "member"


def test_a_draft_shows_its_entity_no_membership_even_an_accepted_one(
    world: World, linked: dict[str, Any], api_as: Callable[[str], APIClient]
) -> None:
    body = _get(api_as("member_a"), world.draft)

    assert body["multistakeholder_pledges"] == []
    assert body["matches"] == []


def test_a_pledge_lists_what_it_seeks_and_offers(
    world: World, linked: dict[str, Any], api_as: Callable[[str], APIClient]
) -> None:
    support = _get(api_as("anonymous"), world.p1)["support"]

    assert support == [
        {
            "side": "seeks",
            "support_type": {"code": "financial", "name": "Financial"},
            "amount": "2500.50",
            "currency": "USD",
            "countries": ["KE", "UG"],
            "thematic_area": "education",
            "description": "Classrooms",
        },
        {
            "side": "offers",
            "support_type": {"code": "technical", "name": "Technical"},
            "amount": None,
            "currency": None,
            "countries": [],
            "thematic_area": None,
            "description": "Teacher training",
        },
    ]


def test_accepted_matches_of_published_pledges_show_on_both_sides(
    world: World, linked: dict[str, Any], api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("anonymous")
    match = linked["accepted"]
    url = f"{API}/matches/{match.public_id}/"

    # The proposed match with p2 is not shown; neither is p4's match with the draft.
    assert _get(client, world.p1)["matches"] == [
        {
            "id": str(match.public_id),
            "side": "seeks",
            "pledge": {
                "reference": world.p4.reference,
                "title": world.p4.title,
                "entity": world.entity_b.name,
                "url": f"{API}/pledges/{world.p4.reference}/",
            },
            "accepted_at": "2025-05-01T09:30:00Z",
            "url": url,
        }
    ]
    other = _get(client, world.p4)["matches"]
    assert [(m["side"], m["pledge"]["reference"], m["url"]) for m in other] == [
        ("offers", world.p1.reference, url)
    ]
    assert _get(client, world.p2)["matches"] == []
    # The linked match opens for anybody.
    assert client.get(url).status_code == 200


def test_a_match_leaves_the_pledge_when_the_other_pledge_is_withdrawn(
    world: World, linked: dict[str, Any], api_as: Callable[[str], APIClient]
) -> None:
    Pledge.objects.filter(pk=world.p4.pk).update(review_state=ReviewState.WITHDRAWN)

    assert _get(api_as("anonymous"), world.p1)["matches"] == []


def test_the_list_page_shows_the_same_nested_lists_as_the_detail(
    world: World, linked: dict[str, Any], api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("anonymous")
    detail = _get(client, world.p1)
    page = client.get(LIST, {"page_size": 50}).json()["results"]
    item = next(r for r in page if r["reference"] == world.p1.reference)

    for key in ("multistakeholder_pledges", "support", "matches"):
        assert item[key] == detail[key], key


def test_becoming_a_lead_changes_the_member_pledges_role_and_marks_them_changed(
    world: World,
    linked: dict[str, Any],
    api_as: Callable[[str], APIClient],
    secretariat: Any,
    member_b: Any,
) -> None:
    # B's p4 is a member of "zz-jobs", where B was only invited to lead.
    before = _get(api_as("anonymous"), world.p4)
    lead = MultistakeholderLead.objects.get(msp=linked["joined"], entity=world.entity_b)

    partnership_services.respond_to_lead_invitation(lead=lead, accept=True, by=member_b)

    after = _get(api_as("anonymous"), world.p4)
    assert after["multistakeholder_pledges"][0]["role"] == "lead"
    assert (after["version"], after["updated_at"] > before["updated_at"]) == (
        before["version"] + 1,
        True,
    )
    partnership_services.remove_lead(lead=lead, by=secretariat)
    removed = _get(api_as("anonymous"), world.p4)
    assert removed["multistakeholder_pledges"][0]["role"] == "member"
    assert removed["version"] == before["version"] + 2
