"""The secretariat downloads its queues — progress updates awaiting review, entities awaiting
verification — as CSV or XLSX, with the queue's filters and order; nobody else can."""

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from openpyxl import load_workbook

from pledges.models import Entity, Pledge, PledgeUpdate
from pledges.services import UpdateInput, submit_update
from tests.factories import EntityFactory, MembershipFactory, UserFactory

from .conftest import days_ago

pytestmark = pytest.mark.django_db

UPDATES = "/review/updates/download/{}/"
ENTITIES = "/review/entities/download/{}/"


def _body(response: Any) -> bytes:
    assert response.status_code == 200, response
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)


def csv_rows(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_body(response).decode(), newline="")))


def xlsx_sheets(response: Any) -> list[list[tuple[Any, ...]]]:
    book = load_workbook(io.BytesIO(_body(response)))
    return [list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets]


@pytest.fixture
def queue(published_pledge: Pledge, make_update: Callable[..., PledgeUpdate]) -> list[PledgeUpdate]:
    """Two pending updates (the older first in the queue) and an approved one (not in it)."""
    newer = make_update(published_pledge, created_at=days_ago(1), narrative="=cmd|' /C calc'!A0")
    older = make_update(published_pledge, created_at=days_ago(5))
    approved = make_update(published_pledge, created_at=days_ago(9))
    PledgeUpdate.objects.filter(pk=approved.pk).update(
        review_state="approved", reviewed_at=days_ago(8)
    )
    return [older, newer]


def test_update_queue_downloads_the_pending_updates_oldest_first(
    secretariat_client: Client, queue: list[PledgeUpdate]
) -> None:
    rows = csv_rows(secretariat_client.get(UPDATES.format("csv")))

    assert [row["id"] for row in rows] == [str(u.public_id) for u in queue]
    assert {row["review_state"] for row in rows} == {"pending"}
    # The narrative someone typed as a formula stays text.
    assert rows[1]["narrative"] == "'=cmd|' /C calc'!A0"


def test_update_queue_download_keeps_the_queues_filter(
    secretariat_client: Client,
    queue: list[PledgeUpdate],
    make_pledge: Callable[..., Pledge],
) -> None:
    other = MembershipFactory(user=UserFactory(email="other@example.org"))
    pledge = make_pledge(state="published", entity=other.entity, by=other.user)
    submit_update(
        pledge=pledge,
        data=UpdateInput(status="planning", narrative="Planning.", reported_on=dt.date(2024, 1, 1)),
        by=other.user,
    )

    everything = csv_rows(secretariat_client.get(UPDATES.format("csv")))
    filtered = csv_rows(
        secretariat_client.get(UPDATES.format("csv"), {"entity": queue[0].pledge.entity_id})
    )

    assert len(everything) == 3
    assert [row["id"] for row in filtered] == [str(u.public_id) for u in queue]


def test_update_queue_xlsx_has_a_cover_naming_the_filter(
    secretariat_client: Client, queue: list[PledgeUpdate]
) -> None:
    entity = queue[0].pledge.entity

    cover, data = xlsx_sheets(secretariat_client.get(UPDATES.format("xlsx"), {"entity": entity.pk}))

    assert ("Entity", entity.name) in cover
    assert cover[0][0] == "Progress updates awaiting review"
    assert data[0][0] == "id"
    assert [row[0] for row in data[1:]] == [str(u.public_id) for u in queue]


def test_update_queue_download_answers_400_for_a_bad_filter(
    secretariat_client: Client, queue: list[PledgeUpdate]
) -> None:
    response = secretariat_client.get(UPDATES.format("csv"), {"compact": "not-a-compact"})

    assert response.status_code == 400
    assert "Compact:" in response.content.decode()


def test_entity_queue_downloads_the_entities_awaiting_verification(
    secretariat_client: Client, reference_data: None
) -> None:
    older = EntityFactory(name="Ministry of Refuge", is_verified=False)
    newer = EntityFactory(name="Refuge Network", is_verified=False)
    Entity.objects.filter(pk=older.pk).update(created_at=days_ago(3))
    EntityFactory(name="Verified Refuge Agency", is_verified=True)

    rows = csv_rows(secretariat_client.get(ENTITIES.format("csv"), {"q": "refuge"}))
    newest = csv_rows(
        secretariat_client.get(ENTITIES.format("csv"), {"q": "refuge", "order": "newest"})
    )
    cover, data = xlsx_sheets(secretariat_client.get(ENTITIES.format("xlsx"), {"q": "refuge"}))

    assert [row["name"] for row in rows] == [older.name, newer.name]
    assert [row["name"] for row in newest] == [newer.name, older.name]
    assert ("Search by name or acronym", "refuge") in cover
    assert [row[1] for row in data[1:]] == [older.name, newer.name]


@pytest.mark.parametrize("url", [UPDATES, ENTITIES])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_queue_downloads_are_refused_to_anyone_but_the_secretariat(
    client: Client, member_a: Any, url: str, fmt: str
) -> None:
    anonymous = client.get(url.format(fmt))
    client.force_login(member_a)
    member = client.get(url.format(fmt))

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    assert member.status_code == 403
