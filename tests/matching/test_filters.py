"""The pledge browser, the API and exports filter by "seeking support", "offering support" and
"matched" (one FilterSet, pledges/filters.py, reading the matching app by relation names)."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from matching import services
from pledges.models import Pledge
from tests.factories import PledgeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(seeking: Pledge, offering: Pledge, member_a: Any, member_b: Any) -> Any:
    match = services.propose_match(seeking=seeking, offering=offering, by=member_a)
    return services.decide_match(match=match, accept=True, by=member_b)


def _browse(client: Client, query: str) -> str:
    response = client.get(f"{reverse('pledges:pledge-list')}?{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_the_browser_filters_by_seeking_offering_and_matched(
    client: Client, seeking: Pledge, offering: Pledge, forum: Any
) -> None:
    plain = PledgeFactory(forum=forum, review_state="published", title="A plain pledge")

    seekers = _browse(client, "seeking_support=true")
    assert seeking.title in seekers
    assert offering.title not in seekers
    assert plain.title not in seekers
    offerers = _browse(client, "offering_support=true")
    assert offering.title in offerers
    assert seeking.title not in offerers
    assert seeking.title not in _browse(client, "matched=true")  # proposed is not matched
    assert plain.title in _browse(client, "matched=false")


def test_matched_counts_only_accepted_matches(
    client: Client, seeking: Pledge, offering: Pledge, accepted: Any
) -> None:
    page = _browse(client, "matched=true")

    assert seeking.title in page
    assert offering.title in page


def test_the_api_and_its_export_filter_the_same(
    client: Client, seeking: Pledge, offering: Pledge, accepted: Any
) -> None:
    listed = client.get("/api/v1/pledges/", {"seeking_support": "true"}).json()
    assert [p["reference"] for p in listed["results"]] == [seeking.reference]
    export = client.get("/api/v1/pledges/", {"matched": "true", "format": "csv"})
    text = b"".join(export.streaming_content).decode()
    assert seeking.reference in text
    assert offering.reference in text
