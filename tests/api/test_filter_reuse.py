"""A worker reuses the filter values it validated for the same query string
(`core.api.filters.LeanFilterSet.is_valid`, `API_FILTER_REUSE_SECONDS`): the list answers the
same pledges without validating again, refuses a bad value every time, and never reuses what
depends on the caller."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core.api.filters import _VALIDATED
from tests.factories import EntityFactory, MembershipFactory

from .conftest import World, refs

pytestmark = pytest.mark.django_db

URL = "/api/v1/pledges/"


@pytest.fixture(autouse=True)
def reuse(settings: Any) -> Iterator[None]:
    settings.API_FILTER_REUSE_SECONDS = 60
    _VALIDATED.clear()
    yield
    _VALIDATED.clear()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"compact": "GCR", "objective": "2"}, ["GRF19-00001", "GRF23-00001"]),
        ({"forum": ["GRF23", "IMRF26"]}, ["GRF23-00002", "IMRF26-00001", "GRF23-00001"]),
        ({"country": "KE", "implementation_status": "in_progress"}, ["GRF23-00001"]),
    ],
)
def test_the_same_filters_answer_the_same_pledges_without_their_lookups_when_repeated(
    world: World,
    api_as: Callable[[str], APIClient],
    query: dict[str, Any],
    expected: list[str],
) -> None:
    client = api_as("anonymous")
    with CaptureQueriesContext(connection) as first:
        assert refs(client.get(URL, query)) == expected
    with CaptureQueriesContext(connection) as again:
        # Another page of the same list reuses them too (the cursor is no filter).
        assert refs(client.get(URL, {**query, "page_size": 50})) == expected

    assert len(again) < len(first)


def test_a_bad_value_is_refused_every_time_when_repeated(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("anonymous")

    answers = [client.get(URL, {"compact": "NOPE"}).status_code for _ in range(2)]

    assert answers == [400, 400]


def test_an_entity_filter_is_resolved_for_each_caller_when_repeated(
    world: World, api_as: Callable[[str], APIClient], member_a: Any
) -> None:
    claim = EntityFactory(name="Government of Atlantis", is_verified=False)
    MembershipFactory(user=member_a, entity=claim)
    query = {"entity": str(claim.public_id), "compact": "GCR"}

    member = api_as("member_a").get(URL, query).status_code
    anonymous = api_as("anonymous").get(URL, query).status_code

    assert (member, anonymous) == (200, 400)
