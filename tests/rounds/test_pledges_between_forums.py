"""Continuous pledging (issue 17, item 4a): a pledge announced outside any forum has no forum,
needs its announcement date, is numbered in its compact's continuous series, and every page,
list, filter, export and API answer that reads a pledge's forum copes with it."""

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from compacts.models import Compact
from forums.models import Forum
from indicators.models import ProgressSnapshot, SliceKind
from indicators.runner import recompute_all
from pledges.models import NO_FORUM, ContinuousReferenceCounter, Pledge
from pledges.services import create_pledge
from tests.factories import pledge_input

pytestmark = pytest.mark.django_db


def test_without_a_forum_the_date_is_required_on_its_field(
    reference_data: None, entity_a: Any, member_a: Any
) -> None:
    with pytest.raises(ValidationError) as refused:
        create_pledge(data=pledge_input(entity=entity_a, forum=None), by=member_a)

    assert "announced_on" in refused.value.message_dict
    assert not Pledge.objects.exists()


def test_pledges_outside_forums_are_numbered_in_their_compact_s_own_series(
    reference_data: None, entity_a: Any, member_a: Any
) -> None:
    day = dt.date(2025, 3, 1)
    first = create_pledge(
        data=pledge_input(entity=entity_a, forum=None, announced_on=day), by=member_a
    )
    second = create_pledge(
        data=pledge_input(entity=entity_a, forum=None, announced_on=day), by=member_a
    )
    gcm = create_pledge(
        data=pledge_input(entity=entity_a, compact_code="GCM", forum=None, announced_on=day),
        by=member_a,
    )
    at_forum = create_pledge(data=pledge_input(entity=entity_a), by=member_a)

    assert (first.reference, second.reference, gcm.reference) == (
        "GCR-C-000001",
        "GCR-C-000002",
        "GCM-C-000001",
    )
    assert first.forum is None
    assert first.announced_on == day
    assert at_forum.reference.startswith("GRF23-")
    assert ContinuousReferenceCounter.objects.get(compact__code="GCR").last_number == 2


def test_the_editor_offers_not_at_a_forum_and_saves_it(
    reference_data: None, entity_a: Any, member_a: Any, client: Client
) -> None:
    client.force_login(member_a)
    compact = Compact.objects.get(code="GCR")
    data = {
        "entity": entity_a.pk,
        "compact": compact.pk,
        "forum": "",
        "announced_on": "2025-03-01",
        "title": "A pledge between forums",
        "description": "Announced at a national event.",
        "geography_scope": "national",
        "targets-TOTAL_FORMS": "0",
        "targets-INITIAL_FORMS": "0",
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "50",
    }

    form_page = client.get("/my/pledges/new/").content.decode()
    response = client.post("/my/pledges/new/", data)

    assert "Not at a forum" in form_page
    pledge = Pledge.objects.get()
    assert response.status_code == 302
    assert pledge.forum is None
    assert pledge.reference == "GCR-C-000001"


def test_every_page_of_a_pledge_without_forum_answers(
    between_forums: Pledge, secretariat: Any, member_a: Any, client: Client
) -> None:
    ref = between_forums.reference
    public = [
        f"/pledges/{ref}/",
        f"/pledges/{ref}/history/",
        "/pledges/",
        f"/pledges/?q={ref.lower()}",
        f"/entities/{between_forums.entity.public_id}/",
        "/objectives/GCR/2/",
    ]
    for url in public:
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(f"/pledges/{ref}/").content.decode()
    assert "Not at a forum (announced between forums)" in page
    assert ref in client.get(f"/pledges/?q={ref.lower()}").content.decode()

    client.force_login(secretariat)
    for url in ["/review/", "/reports/", "/reports/overdue/", "/reports/overdue.csv"]:
        assert client.get(url).status_code == 200, url


def test_the_browser_filters_pledges_announced_between_forums(
    between_forums: Pledge, published: Pledge, client: Client
) -> None:
    none_page = client.get("/pledges/", {"forum": NO_FORUM}).content.decode()
    grf_page = client.get("/pledges/", {"forum": "GRF23"}).content.decode()

    assert between_forums.reference in none_page
    assert published.reference not in none_page
    assert published.reference in grf_page
    assert between_forums.reference not in grf_page


def test_the_api_shows_a_null_forum_and_exports_an_empty_cell(
    between_forums: Pledge, published: Pledge
) -> None:
    api = APIClient()

    detail = api.get(f"/api/v1/pledges/{between_forums.reference}/").json()
    listed = api.get("/api/v1/pledges/", {"forum": NO_FORUM}).json()
    export = api.get("/api/v1/pledges/", {"format": "csv"})

    assert detail["forum"] is None
    assert detail["announced_on"] == "2025-03-01"
    assert [p["reference"] for p in listed["results"]] == [between_forums.reference]
    assert export.status_code == 200
    rows = csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode()))
    row = next(r for r in rows if r["reference"] == between_forums.reference)
    assert (row["compact"], row["forum"], row["reaffirmations"]) == ("GCR", "", "")


def test_the_api_creates_a_pledge_outside_any_forum(
    reference_data: None, entity_a: Any, member_a: Any
) -> None:
    api = APIClient()
    api.force_authenticate(member_a)
    body = {
        "title": "Between forums",
        "description": "A pledge made at a national event.",
        "compact": "GCR",
        "forum": None,
        "objectives": ["GCR-2"],
    }

    refused = api.post("/api/v1/pledges/", body, format="json")
    created = api.post("/api/v1/pledges/", {**body, "announced_on": "2025-03-01"}, format="json")

    assert refused.status_code == 400
    assert "announced_on" in refused.json()["errors"]
    assert created.status_code == 201, created.content
    assert created.json()["reference"] == "GCR-C-000001"
    assert created.json()["forum"] is None


def test_the_progress_engine_slices_pledges_between_forums_under_none(
    between_forums: Pledge, published: Pledge
) -> None:
    recompute_all()

    forum_slices = set(
        ProgressSnapshot.objects.filter(slice_kind=SliceKind.FORUM).values_list(
            "slice_key", flat=True
        )
    )
    assert {NO_FORUM, "GRF23"} <= forum_slices
    assert Forum.objects.filter(code=NO_FORUM).count() == 0
