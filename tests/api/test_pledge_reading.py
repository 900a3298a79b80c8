"""The pledge list and detail are built from rows (pledges/api/reading.py), not by
`PledgeSerializer`, which still documents the representation and answers writes. The bytes a
client receives must be exactly what the serializer gives, for every kind of related row, for
every caller (contact details differ between insiders and the public)."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from compacts.models import GuidingPrinciple, ObjectiveAction, SupportPlatform, ThematicArea
from core.api.prepared import inline_constants
from core.api.renderers import encode
from pledges.api.loading import load_pledge_rows
from pledges.api.reading import PledgeReader, pledge_values
from pledges.api.serializers import PledgeSerializer
from pledges.api.views import with_api_data
from pledges.models import (
    Entity,
    ParticipantRole,
    ParticipantStatus,
    Pledge,
    PledgeParticipant,
    PledgeTarget,
    ReviewState,
)
from tests.api.conftest import World, utc
from tests.factories import EntityFactory

LIST = "/api/v1/pledges/"


@pytest.fixture
def rich_world(world: World, make_pledge: Callable[..., Pledge], entity_a: Entity) -> World:
    """The API world plus a GCM pledge with every kind of related row and awkward values, and
    a bare one whose nested objects are null and lists empty."""
    full = make_pledge(
        forum="IMRF26",
        title='Quotes " and \\ backslash, ünïcödé, emoji 🌍, line\u2028separator',
        description="Line one\nline two\ttabbed <b>not html</b> & done",
        entity=entity_a,
        objectives=(23, 2),
        countries=("MX", "KE", "GT"),
        support_types=("financial", "technical"),
        status="in_progress",
        amount=Decimal("1234567.50"),
        currency_id="EUR",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2028, 12, 31),
        support_platform=SupportPlatform.objects.first(),
        contact_name="Zoë O'Brien",
        contact_email="zoe@example.org",
        updated_at=utc("2025-05-01T10:30:15.123456"),
    )
    full.actions.set(ObjectiveAction.objects.filter(objective__compact__code="GCM")[:3])
    full.principles.set(GuidingPrinciple.objects.filter(compact__code="GCM")[:2])
    # The reference data gives the GCM no thematic areas; the rows are set directly.
    full.thematic_areas.set(ThematicArea.objects.order_by("slug")[:2])
    PledgeTarget.objects.create(
        pledge=full, metric="Workers placed", unit="persons", target_value=Decimal("500")
    )
    PledgeTarget.objects.create(
        pledge=full,
        metric="Share of women",
        unit="percent",
        baseline=Decimal("12.5"),
        target_value=Decimal("50"),
        due_date=dt.date(2027, 6, 30),
    )
    no_acronym = EntityFactory(name="Ärzte ohne Grenzen", acronym="")
    for entity, status, role in (
        (world.entity_b, ParticipantStatus.ACCEPTED, ParticipantRole.FUNDER),
        (no_acronym, ParticipantStatus.ACCEPTED, ParticipantRole.CO_PLEDGER),
        (EntityFactory(), ParticipantStatus.INVITED, ParticipantRole.CO_PLEDGER),
    ):
        PledgeParticipant.objects.create(pledge=full, entity=entity, status=status, role=role)
    make_pledge(
        forum="GRF19",
        title="Bare pledge",
        entity=no_acronym,
        objectives=(),
        countries=(),
        state=ReviewState.PUBLISHED,
        status="",
        amount=None,
        currency_id=None,
        support_platform=None,
    )
    return world


def serializer_page(user: Any, path: str) -> bytes:
    """What DRF's serializer path answers for the list at `path` (one page, no cursor)."""
    request = Request(APIRequestFactory().get(path))
    request.user = user
    pledges = list(with_api_data(Pledge.objects.visible_to(user)).order_by("-id"))
    load_pledge_rows(pledges)
    results = PledgeSerializer(pledges, many=True, context={"request": request}).data
    return JSONRenderer().render({"next": None, "previous": None, "results": results})


def serializer_detail(user: Any, pledge: Pledge) -> bytes:
    request = Request(APIRequestFactory().get(f"{LIST}{pledge.reference}/"))
    request.user = user
    fresh = with_api_data(Pledge.objects.filter(pk=pledge.pk)).get()
    return JSONRenderer().render(PledgeSerializer(fresh, context={"request": request}).data)


@pytest.mark.parametrize("who", ["anonymous", "member_a", "secretariat"])
def test_the_list_is_byte_for_byte_what_the_serializer_gives(
    who: str, rich_world: World, api_as: Callable[[str], APIClient], request: Any
) -> None:
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    response = api_as(who).get(LIST, {"page_size": 50})
    assert response.status_code == 200
    assert len(response.json()["results"]) >= 6
    assert response.content == serializer_page(user, f"{LIST}?page_size=50")


@pytest.mark.parametrize("who", ["anonymous", "member_a"])
def test_each_detail_is_byte_for_byte_what_the_serializer_gives(
    who: str, rich_world: World, api_as: Callable[[str], APIClient], request: Any
) -> None:
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    client = api_as(who)
    for pledge in Pledge.objects.visible_to(user):
        response = client.get(f"{LIST}{pledge.reference}/")
        assert response.status_code == 200
        assert response.content == serializer_detail(user, pledge), pledge.reference


def test_the_rich_pledge_shows_every_kind_of_related_row(
    rich_world: World, api_as: Callable[[str], APIClient]
) -> None:
    """Guards the guard: the comparison above covers filled and empty lists, null objects."""
    results = api_as("member_a").get(LIST, {"page_size": 50}).json()["results"]
    full, bare = results[1], results[0]
    for name in (
        "objectives",
        "actions",
        "principles",
        "thematic_areas",
        "support_types",
        "beneficiary_countries",
        "targets",
        "co_pledgers",
    ):
        assert full[name], name
    # Accepted co-pledgers only (the invited one is not shown).
    assert sorted(c["role"] for c in full["co_pledgers"]) == ["co_pledger", "funder"]
    assert full["targets"][0]["baseline"] is None
    assert full["targets"][1]["baseline"] == "12.50"
    assert full["support_platform"] is not None
    assert full["contact_name"] == "Zoë O'Brien"
    assert bare["support_platform"] is None
    assert bare["amount"] is None
    assert bare["objectives"] == []
    assert bare["entity"]["acronym"] == ""


def test_the_list_is_the_serializer_s_when_another_time_zone_is_active(
    rich_world: World, api_as: Callable[[str], APIClient], member_a: Any
) -> None:
    """The database writes datetimes in UTC; in another time zone the rows are represented in
    Python, still byte for byte."""
    with timezone.override(ZoneInfo("America/Mexico_City")):
        response = api_as("member_a").get(LIST, {"page_size": 50})
        expected = serializer_page(member_a, f"{LIST}?page_size=50")
    assert response.status_code == 200
    assert b"-06:00" in response.content or b"-05:00" in response.content
    assert response.content == expected


def test_a_page_with_a_key_needing_escapes_is_represented_in_python_the_same(
    rich_world: World, member_a: Any
) -> None:
    """The database leaves links to Python when a key is not made of URL-safe characters."""
    request = Request(APIRequestFactory().get(LIST))
    request.user = member_a
    reader = PledgeReader({"request": request})
    queryset = with_api_data(Pledge.objects.visible_to(member_a)).order_by("-id")
    rows = list(pledge_values(queryset, reader))
    assert rows
    assert all(row["plain"] for row in rows)
    from_sql = encode(reader.represent(rows))
    for row in rows:
        row["plain"] = False
    assert encode(reader.represent(rows)) == from_sql


def test_the_page_query_is_prepared_once_and_logged_with_its_values(
    rich_world: World, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("anonymous")
    with CaptureQueriesContext(connection) as captured:
        for _ in range(3):
            assert client.get(LIST, {"page_size": 50, "compact": "GCM"}).status_code == 200
    pages = [q["sql"] for q in captured.captured_queries if "AS body" in q["sql"]]
    assert len(pages) == 3
    assert "'published'" in pages[0]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%AS body%"],
        )
        assert cursor.fetchone()[0] == 1


def test_the_list_is_the_same_when_prepared_statements_are_turned_off(
    rich_world: World, api_as: Callable[[str], APIClient], settings: Any
) -> None:
    client = api_as("member_a")
    prepared = client.get(LIST, {"page_size": 50}).content
    settings.DATABASE_PREPARED_STATEMENTS = False
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    assert client.get(LIST, {"page_size": 50}).content == prepared
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] == 0


def test_only_choices_written_in_code_are_inlined_when_a_statement_is_prepared() -> None:
    sql, params = inline_constants(
        "SELECT 1 WHERE a = %s AND b = %s AND c LIKE '%%x' AND d = %s",
        [ReviewState.PUBLISHED, "published", 7],
    )
    assert sql == "SELECT 1 WHERE a = 'published' AND b = %s AND c LIKE '%%x' AND d = %s"
    assert params == ("published", 7)
