"""The secretariat downloads every match as CSV from the matching queue: both pledges and
entities, the state, when it was proposed and each side's decision with who and when."""

import csv
import io
from typing import Any

import pytest
from django.test import Client

from matching import services
from matching.models import Match
from pledges.models import Pledge

pytestmark = pytest.mark.django_db

URL = "/review/matching/matches.csv"


def _rows(response: Any) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_the_queue_links_the_csv_and_the_csv_has_every_match_with_who_decided(
    client: Client,
    seeking: Pledge,
    offering: Pledge,
    member_a: Any,
    member_b: Any,
    secretariat: Any,
) -> None:
    match = services.propose_match(seeking=seeking, offering=offering, by=member_a)
    services.decide_match(match=match, accept=True, by=member_b, message="Yes")
    match.refresh_from_db()
    client.force_login(secretariat)

    queue = client.get("/review/matching/")
    assert URL in queue.content.decode()
    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="matches-')
    header, *rows = _rows(response)
    assert header[:5] == [
        "Seeking pledge",
        "Seeking entity",
        "Offering pledge",
        "Offering entity",
        "State",
    ]
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert (row["Seeking pledge"], row["Offering pledge"]) == ("GRF23-00100", "GRF23-00200")
    assert row["Seeking entity"] == seeking.entity.name
    assert row["Offering entity"] == offering.entity.name
    assert row["State"] == "accepted"
    assert row["Proposed by entity"] == seeking.entity.name
    assert row["Seeking side decided by"] == member_a.email
    assert row["Offering side decided by"] == member_b.email
    assert row["Offering side decided at"].startswith(str(match.offering_decided_at.year))
    assert row["Proposed at"]
    assert row["Closed at"]


def test_proposed_and_declined_matches_are_in_it_too(
    client: Client,
    seeking: Pledge,
    offering: Pledge,
    member_a: Any,
    member_b: Any,
    secretariat: Any,
) -> None:
    first = services.propose_match(seeking=seeking, offering=offering, by=member_a)
    services.decide_match(match=first, accept=False, by=member_b)
    services.propose_match(seeking=seeking, offering=offering, by=secretariat)
    client.force_login(secretariat)

    _header, *rows = _rows(client.get(URL))

    assert [(r[4], r[9], r[12]) for r in rows] == [
        ("declined", member_a.email, member_b.email),
        ("proposed", "", ""),
    ]
    assert Match.objects.count() == 2


@pytest.mark.parametrize("who", ["member_a", "member_b"])
def test_members_cannot_download_it(client: Client, who: str, request: Any) -> None:
    client.force_login(request.getfixturevalue(who))

    assert client.get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client: Client) -> None:
    response = client.get(URL)

    assert response.status_code == 302
    assert "/login" in response["Location"] or "/accounts/" in response["Location"]


def test_a_cell_that_looks_like_a_formula_is_neutralised(
    client: Client, seeking: Pledge, offering: Pledge, member_a: Any, secretariat: Any
) -> None:
    entity = seeking.entity
    entity.name = "=HYPERLINK(1)"
    entity.save(update_fields=["name"])
    services.propose_match(seeking=seeking, offering=offering, by=member_a)
    client.force_login(secretariat)

    _header, row = _rows(client.get(URL))

    assert not row[1].startswith("=")
