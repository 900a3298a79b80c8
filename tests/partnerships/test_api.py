"""`/api/v1/multistakeholder-pledges/`: read-only, published data only, cursor-paginated, with
ETags, filters that refuse nonsense, and in the OpenAPI document."""

import datetime as dt

import pytest
from django.test import Client

from indicators import engine
from partnerships.models import (
    KeyOutcome,
    LeadStatus,
    MembershipState,
    MultistakeholderLead,
    MultistakeholderMembership,
    MultistakeholderPledge,
)
from pledges.models import ReviewState
from tests.factories import EntityFactory, PledgeFactory

from .conftest import World

pytestmark = pytest.mark.django_db
URL = "/api/v1/multistakeholder-pledges/"


def _member(world: World, pledge, state: str = MembershipState.ACCEPTED) -> None:
    now = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    MultistakeholderMembership.objects.create(
        msp=world.msp,
        pledge=pledge,
        state=state,
        requested_at=now,
        decided_at=None if state == MembershipState.REQUESTED else now,
    )


@pytest.fixture
def published_world(world: World) -> World:
    _member(world, world.pledge)
    draft = PledgeFactory(entity=world.pledge.entity, forum=world.pledge.forum)
    _member(world, draft)
    asked = PledgeFactory(
        entity=world.pledge.entity, forum=world.pledge.forum, review_state=ReviewState.PUBLISHED
    )
    _member(world, asked, MembershipState.REQUESTED)
    MultistakeholderLead.objects.create(
        msp=world.msp, entity=EntityFactory(name="Invited Only"), status=LeadStatus.INVITED
    )
    KeyOutcome.objects.create(msp=world.msp, text="More places", unit="places", target_value=10)
    engine.recompute_msps([world.msp.pk])
    return world


def test_the_detail_shows_published_data_only(client: Client, published_world: World) -> None:
    world = published_world
    body = client.get(f"{URL}resettlement/").json()
    assert body["slug"] == "resettlement"
    assert [lead["name"] for lead in body["leads"]] == ["Lead Organisation"]
    assert body["member_count"] == 1
    assert [m["reference"] for m in body["members"]] == [world.pledge.reference]
    assert body["members"][0]["url"].endswith(f"/api/v1/pledges/{world.pledge.reference}/")
    assert body["key_outcomes"] == [
        {"text": "More places", "unit": "places", "target_value": "10.00", "target_year": None}
    ]
    assert body["figures"]["pledges"] == 1
    assert body["members_url"].endswith("/api/v1/pledges/?msp=resettlement")


def test_the_list_is_cursor_paginated_with_an_etag(client: Client, published_world: World) -> None:
    for n in range(3):
        MultistakeholderPledge.objects.create(
            slug=f"other-{n}", title=f"Other {n}", compact=published_world.msp.compact
        )
    first = client.get(URL, {"page_size": 2})
    assert first.status_code == 200
    body = first.json()
    assert len(body["results"]) == 2
    assert "cursor=" in body["next"]
    assert "members" not in body["results"][0]
    etag = first["ETag"]
    assert client.get(URL, {"page_size": 2}, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_filters_and_errors(client: Client, published_world: World) -> None:
    assert client.get(URL, {"compact": "GCM"}).json()["results"] == []
    assert client.get(URL, {"status": "open"}).status_code == 400
    assert client.get(URL, {"colour": "red"}).status_code == 400
    assert client.get(f"{URL}nope/").status_code == 404


def test_it_is_read_only(client: Client, published_world: World, secretariat) -> None:
    client.force_login(secretariat)
    assert client.post(URL, {"slug": "x"}, content_type="application/json").status_code == 405


def test_it_is_in_the_openapi_document(client: Client, reference_data: None) -> None:
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/multistakeholder-pledges/" in schema["paths"]
    assert "/api/v1/multistakeholder-pledges/{slug}/" in schema["paths"]
    pledge_filters = {p["name"] for p in schema["paths"]["/api/v1/pledges/"]["get"]["parameters"]}
    assert "msp" in pledge_filters


def test_exports_answer_csv(client: Client, published_world: World) -> None:
    response = client.get(URL, {"format": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode() if response.streaming else ""
    assert "resettlement" in (body or response.content.decode())
    pledges = client.get("/api/v1/pledges/", {"msp": "resettlement", "format": "csv"})
    text = b"".join(pledges.streaming_content).decode() if pledges.streaming else ""
    assert published_world.pledge.reference in (text or pledges.content.decode())
