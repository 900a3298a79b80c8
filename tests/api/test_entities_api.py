"""/api/v1/entities/: verified entities for everyone, own unverified ones for their members,
all for the secretariat; filters of their own and through the pledges they submitted; read-only.

Entities of the API world (conftest): A (NGO, KE) and B (State, KE) with a member each, S (State,
KE) and C (company, KE) behind published pledges, plus here U, unverified (NGO, GT), whose member
is `member_u`.
"""

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from accounts.models import User
from core.models import Country
from pledges.models import Entity, EntityType
from tests.factories import EntityFactory, MembershipFactory, UserFactory

from .conftest import World

pytestmark = pytest.mark.django_db

URL = "/api/v1/entities/"


@pytest.fixture
def unverified(world: World) -> Entity:
    return EntityFactory(
        name="Unverified claims",
        is_verified=False,
        country=Country.objects.get(code="GT"),
        entity_type=EntityType.objects.get(code="ngo"),
    )


@pytest.fixture
def member_u(unverified: Entity) -> User:
    return MembershipFactory(user=UserFactory(email="member-u@example.org"), entity=unverified).user


@pytest.fixture
def names(world: World, unverified: Entity) -> Callable[[Any], list[str]]:
    """Entity names on a page, as letters (A, B, S, C, U) for readable expectations."""
    letters = {
        world.entity_a.pk: "A",
        world.entity_b.pk: "B",
        world.p2.entity_id: "S",
        world.p3.entity_id: "C",
        unverified.pk: "U",
    }
    by_id = {str(e.public_id): letters.get(e.pk, "?") for e in Entity.objects.all()}

    def read(response: Any) -> list[str]:
        assert response.status_code == 200, response.content[:300]
        return sorted(by_id[row["id"]] for row in response.json()["results"])

    return read


@pytest.fixture
def as_role(api_as: Callable[[str], APIClient], member_u: User) -> Callable[[str], APIClient]:
    return api_as


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", ["A", "B", "C", "S"]),
        ("partner", ["A", "B", "C", "S"]),
        ("member_b", ["A", "B", "C", "S"]),
        ("member_u", ["A", "B", "C", "S", "U"]),
        ("secretariat", ["A", "B", "C", "S", "U"]),
    ],
)
def test_list_shows_verified_entities_plus_own_when_viewed_by_each_role(
    as_role: Callable[[str], APIClient],
    names: Callable[[Any], list[str]],
    who: str,
    expected: list[str],
) -> None:
    assert names(as_role(who).get(URL)) == expected


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 404), ("member_b", 404), ("member_u", 200)]
)
def test_unverified_entity_is_found_only_when_its_member_asks(
    as_role: Callable[[str], APIClient], unverified: Entity, who: str, status: int
) -> None:
    assert as_role(who).get(f"{URL}{unverified.public_id}/").status_code == status


def test_entity_shows_its_type_country_and_the_link_to_its_pledges(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("anonymous")

    body = client.get(f"{URL}{world.entity_b.public_id}/").json()

    assert body["id"] == str(world.entity_b.public_id)
    assert body["entity_type"] == {"code": "state", "name": "State"}
    assert body["country"] == {"code": "KE", "name": "Kenya"}
    assert body["pledges_url"] == (
        f"http://testserver/api/v1/pledges/?entity={world.entity_b.public_id}"
    )
    pledges = client.get(body["pledges_url"]).json()["results"]
    assert [p["reference"] for p in pledges] == ["GRF23-00002", "GRF23-00001"]


@pytest.mark.parametrize(
    ("who", "query", "expected"),
    [
        ("anonymous", {"entity_type": "state"}, ["B", "S"]),
        ("anonymous", {"entity_type": ["ngo", "private_sector"]}, ["A", "C"]),
        ("anonymous", {"country": "GT"}, []),
        ("secretariat", {"country": "GT"}, ["U"]),
        ("secretariat", {"region": "019"}, ["U"]),
        ("anonymous", {"region": "002"}, ["A", "B", "C", "S"]),
        ("secretariat", {"is_verified": "false"}, ["U"]),
        ("anonymous", {"search": "Unverified"}, []),
        ("member_u", {"search": "claims unverified"}, ["U"]),
        ("anonymous", {"updated_since": "2000-01-01"}, ["A", "B", "C", "S"]),
        ("anonymous", {"updated_since": "2999-01-01"}, []),
        # Through the pledges they submitted:
        ("anonymous", {"compact": "GCM"}, ["C"]),
        ("anonymous", {"forum": "GRF23"}, ["A", "B"]),
        ("anonymous", {"compact": "GCR", "objective": "2"}, ["A", "S"]),
        ("anonymous", {"objective": "GCR-3"}, ["B"]),
        ("anonymous", {"thematic_area": "education"}, ["A"]),
        # The draft of A is the only pledge on "solutions": only its readers learn of it.
        ("anonymous", {"thematic_area": "solutions"}, []),
        ("member_b", {"thematic_area": "solutions"}, []),
        ("member_a", {"thematic_area": "solutions"}, ["A"]),
    ],
)
def test_each_filter_selects_the_hand_counted_entities_when_used(
    as_role: Callable[[str], APIClient],
    names: Callable[[Any], list[str]],
    who: str,
    query: dict[str, Any],
    expected: list[str],
) -> None:
    assert names(as_role(who).get(URL, query)) == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"name": "x"}, "name"),
        ({"entity_type": "martian"}, "entity_type"),
        ({"is_verified": "perhaps"}, "is_verified"),
        ({"objective": "4"}, "objective"),
        ({"ordering": "website"}, "ordering"),
    ],
)
def test_bad_parameter_answers_400_naming_it(
    world: World, api_as: Callable[[str], APIClient], query: dict[str, str], field: str
) -> None:
    response = api_as("anonymous").get(URL, query)

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {field}


def test_entities_are_read_only_through_the_api(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("secretariat")

    assert client.post(URL, {"name": "New"}, format="json").status_code == 405
    assert client.patch(f"{URL}{world.entity_a.public_id}/", {}, format="json").status_code == 405


def test_csv_export_lists_visible_entities_with_flat_columns(
    world: World, unverified: Entity, api_as: Callable[[str], APIClient]
) -> None:
    response = api_as("anonymous").get(URL, {"format": "csv", "entity_type": "state"})

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(r["id"] for r in rows) == sorted(
        str(e.public_id) for e in (world.entity_b, world.p2.entity)
    )
    assert {r["entity_type"] for r in rows} == {"state"}
    assert rows[0]["url"].startswith("http://testserver/api/v1/entities/")


def test_detail_answers_304_when_the_etag_matches(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("anonymous")
    url = f"{URL}{world.entity_a.public_id}/"

    assert client.get(url, HTTP_IF_NONE_MATCH=client.get(url)["ETag"]).status_code == 304


@pytest.mark.parametrize("count", [5, 300])
def test_list_runs_the_same_few_queries_when_there_are_few_or_many_entities(
    world: World,
    api_as: Callable[[str], APIClient],
    django_assert_max_num_queries: DjangoAssertNumQueries,
    count: int,
) -> None:
    EntityFactory.create_batch(count)

    with django_assert_max_num_queries(1):
        response = api_as("anonymous").get(URL, {"page_size": 500})

    assert len(response.json()["results"]) == count + 4
