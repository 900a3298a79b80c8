"""/api/v1/pledge-updates/: who sees which progress update, filters of their own and through
their pledge, reporting progress (two routes), the secretariat's approve/return, exports and
query caps.

update  pledge        state     status       reported    by
U1      GRF23-00001   approved  in_progress  2025-01-31  entity A
U2      GRF23-00001   pending   in_progress  2025-06-30  entity A
U3      GRF23-00001   returned  planning     2025-03-31  entity A (note "Add the figures.")
U4      IMRF26-00001  approved  fulfilled    2024-12-31  company C
"""

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from pledges.models import (
    Pledge,
    PledgeTarget,
    PledgeUpdate,
    PledgeUpdateActual,
    UpdateReviewState,
)
from tests.factories import PledgeUpdateFactory

from .conftest import World

pytestmark = pytest.mark.django_db

URL = "/api/v1/pledge-updates/"


@dataclass
class Updates:
    u1: PledgeUpdate
    u2: PledgeUpdate
    u3: PledgeUpdate
    u4: PledgeUpdate
    target: PledgeTarget


@pytest.fixture
def updates(world: World, secretariat: Any, member_a: Any) -> Updates:
    target = PledgeTarget.objects.create(
        pledge=world.p1, metric="Children enrolled", unit="persons", target_value=Decimal(10000)
    )
    reviewed = {"reviewed_by": secretariat, "reviewed_at": timezone.now()}
    u1 = PledgeUpdateFactory(
        pledge=world.p1,
        reported_on=dt.date(2025, 1, 31),
        review_state=UpdateReviewState.APPROVED,
        submitted_by=member_a,
        **reviewed,
    )
    PledgeUpdateActual.objects.create(update=u1, target=target, value=Decimal(1200))
    u2 = PledgeUpdateFactory(
        pledge=world.p1, reported_on=dt.date(2025, 6, 30), narrative="Enrolment continues."
    )
    u3 = PledgeUpdateFactory(
        pledge=world.p1,
        status="planning",
        reported_on=dt.date(2025, 3, 31),
        review_state=UpdateReviewState.RETURNED,
        review_note="Add the figures.",
        **reviewed,
    )
    u4 = PledgeUpdateFactory(
        pledge=world.p3,
        status="fulfilled",
        reported_on=dt.date(2024, 12, 31),
        review_state=UpdateReviewState.APPROVED,
        **reviewed,
    )
    stamps = {u1: "2025-02-02", u2: "2025-07-01", u3: "2025-04-02", u4: "2025-01-05"}
    for update, day in stamps.items():
        PledgeUpdate.objects.filter(pk=update.pk).update(
            updated_at=dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC)
        )
    return Updates(u1=u1, u2=u2, u3=u3, u4=u4, target=target)


def ids(response: Any, updates: Updates) -> list[str]:
    """The updates on a page, by their names in the module docstring."""
    assert response.status_code == 200, response.content[:300]
    names = {str(getattr(updates, n).public_id): n.upper() for n in ("u1", "u2", "u3", "u4")}
    return [names[row["id"]] for row in response.json()["results"]]


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", ["U4", "U1"]),
        ("partner", ["U4", "U1"]),
        ("member_b", ["U4", "U1"]),  # co-pledger of GRF23-00001: approved updates only
        ("member_a", ["U4", "U3", "U2", "U1"]),
        ("secretariat", ["U4", "U3", "U2", "U1"]),
    ],
)
def test_list_shows_approved_updates_plus_own_entitys_others_when_viewed_by_each_role(
    updates: Updates, api_as: Callable[[str], APIClient], who: str, expected: list[str]
) -> None:
    assert ids(api_as(who).get(URL), updates) == expected


@pytest.mark.parametrize("who", ["anonymous", "partner", "member_b"])
def test_pending_update_answers_404_when_an_outsider_asks_for_it(
    updates: Updates, api_as: Callable[[str], APIClient], who: str
) -> None:
    assert api_as(who).get(f"{URL}{updates.u2.public_id}/").status_code == 404


def test_approved_update_shows_its_pledge_actuals_and_links_when_read(
    updates: Updates, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("anonymous")

    body = client.get(f"{URL}{updates.u1.public_id}/").json()

    assert body["url"] == f"http://testserver{URL}{updates.u1.public_id}/"
    assert body["pledge"] == {
        "reference": "GRF23-00001",
        "title": "Include refugee children in national schools",
        "url": "http://testserver/api/v1/pledges/GRF23-00001/",
    }
    assert body["actuals"] == [
        {
            "target": updates.target.pk,
            "metric": "Children enrolled",
            "unit": "persons",
            "value": "1200.00",
        }
    ]
    assert (body["status"], body["review_state"], body["currency"]) == (
        "in_progress",
        "approved",
        "USD",
    )
    assert client.get(body["pledge"]["url"]).status_code == 200


@pytest.mark.parametrize("who", ["member_a", "secretariat"])
def test_return_note_is_shown_when_the_entity_or_secretariat_reads_it(
    updates: Updates, api_as: Callable[[str], APIClient], who: str
) -> None:
    body = api_as(who).get(f"{URL}{updates.u3.public_id}/").json()

    assert body["review_note"] == "Add the figures."


@pytest.mark.parametrize(
    ("who", "query", "expected"),
    [
        ("anonymous", {"pledge": "GRF23-00001"}, ["U1"]),
        ("member_a", {"pledge": "GRF23-00001"}, ["U3", "U2", "U1"]),
        ("member_a", {"review_state": "pending"}, ["U2"]),
        ("anonymous", {"review_state": "pending"}, []),
        ("member_a", {"status": "planning"}, ["U3"]),
        ("anonymous", {"status": ["fulfilled", "in_progress"]}, ["U4", "U1"]),
        ("member_a", {"reported_since": "2025-03-01"}, ["U3", "U2"]),
        ("member_a", {"updated_since": "2025-02-01"}, ["U3", "U2", "U1"]),
        ("member_a", {"updated_since": "2025-04-02T00:00:01Z"}, ["U2"]),
        # Through the pledge, with the pledge filters' meaning:
        ("anonymous", {"compact": "GCM"}, ["U4"]),
        ("anonymous", {"compact": "GCM", "objective": "23"}, ["U4"]),
        ("member_a", {"objective": "GCR-1"}, ["U3", "U2", "U1"]),
        ("anonymous", {"forum": "GRF23"}, ["U1"]),
        ("anonymous", {"country": "MX"}, ["U4"]),
        ("anonymous", {"region": "002"}, ["U4", "U1"]),
        ("anonymous", {"entity_type": "private_sector"}, ["U4"]),
        ("anonymous", {"implementation_status": "fulfilled"}, ["U4"]),
        ("anonymous", {"thematic_area": "education"}, ["U1"]),
        ("anonymous", {"support_type": "policy"}, ["U4"]),
        ("anonymous", {"search": "schools"}, ["U1"]),
        ("anonymous", {"search": "schools", "status": "fulfilled"}, []),
        ("anonymous", {"ordering": "reported_on"}, ["U4", "U1"]),
        ("member_a", {"ordering": "-reported_on"}, ["U2", "U3", "U1", "U4"]),
    ],
)
def test_each_filter_selects_the_hand_counted_updates_when_used(
    updates: Updates,
    api_as: Callable[[str], APIClient],
    who: str,
    query: dict[str, Any],
    expected: list[str],
) -> None:
    assert ids(api_as(who).get(URL, query), updates) == expected


def test_entity_filter_selects_updates_of_the_pledges_an_entity_stands_behind(
    updates: Updates, world: World, api_as: Callable[[str], APIClient]
) -> None:
    response = api_as("anonymous").get(URL, {"entity": str(world.entity_b.public_id)})

    assert ids(response, updates) == ["U1"]  # B co-pledges GRF23-00001


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"nope": "1"}, "nope"),
        ({"status": "overdue"}, "status"),
        ({"review_state": "lost"}, "review_state"),
        ({"pledge": "GRF99-00001"}, "pledge"),
        ({"reported_since": "31/12/2024"}, "reported_since"),
        ({"objective": "23"}, "objective"),
        ({"country": "ZZ"}, "country"),
        ({"ordering": "narrative"}, "ordering"),
    ],
)
def test_bad_parameter_answers_400_naming_it(
    updates: Updates, api_as: Callable[[str], APIClient], query: dict[str, str], field: str
) -> None:
    response = api_as("anonymous").get(URL, query)

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {field}


def test_csv_export_lists_the_visible_updates_in_flat_columns(
    updates: Updates, api_as: Callable[[str], APIClient]
) -> None:
    response = api_as("anonymous").get(URL, {"format": "csv"})

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["pledge"], r["status"], r["review_state"]) for r in rows] == [
        ("IMRF26-00001", "fulfilled", "approved"),
        ("GRF23-00001", "in_progress", "approved"),
    ]


def test_list_etag_answers_304_when_nothing_changed(
    updates: Updates, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("partner")
    first = client.get(URL)

    assert client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


@pytest.mark.parametrize("count", [4, 200])
def test_list_runs_the_same_few_queries_when_there_are_few_or_many_updates(
    updates: Updates,
    world: World,
    api_as: Callable[[str], APIClient],
    django_assert_max_num_queries: DjangoAssertNumQueries,
    count: int,
) -> None:
    extra = PledgeUpdate.objects.bulk_create(
        PledgeUpdate(
            pledge=world.p1,
            entity_id=world.p1.entity_id,
            status="in_progress",
            narrative=f"Report {i}",
            reported_on=dt.date(2024, 1, 1),
            review_state=UpdateReviewState.PENDING,
        )
        for i in range(count - 4)
    )
    PledgeUpdateActual.objects.bulk_create(
        PledgeUpdateActual(update=u, target=updates.target, value=Decimal(1)) for u in extra
    )
    client = api_as("member_a")
    client.get(URL, {"page_size": 1})

    # The API key, permissions (2), updates, actuals, attached files, memberships.
    with django_assert_max_num_queries(7):
        response = client.get(URL, {"page_size": 500})

    assert len(response.json()["results"]) == count


# --------------------------------------------------------------------------------------------
# Reporting progress
# --------------------------------------------------------------------------------------------


def report(target: PledgeTarget | None = None, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "pledge": "GRF23-00001",
        "status": "in_progress",
        "narrative": "4,200 children enrolled in 38 schools.",
        "reported_on": "2025-09-30",
        "challenges": "Transport.",
        "evidence_links": ["https://example.org/report.pdf"],
        "disbursed_amount": "400.00",
        "actuals": [{"target": target.pk, "value": "4200"}] if target else [],
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("route", [URL, "/api/v1/pledges/GRF23-00001/updates/"])
def test_member_reports_progress_on_a_published_pledge_when_the_data_is_valid(
    updates: Updates, api_as: Callable[[str], APIClient], route: str
) -> None:
    data = report(updates.target)
    if "pledges/" in route:
        del data["pledge"]

    response = api_as("member_a").post(route, data, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == body["url"]
    assert body["review_state"] == "pending"
    assert body["pledge"]["reference"] == "GRF23-00001"
    assert body["actuals"][0]["value"] == "4200.00"
    assert body["disbursed_amount"] == "400.00"
    update = PledgeUpdate.objects.get(public_id=body["id"])
    assert update.submitted_by.email == "member-a@example.org"
    # Pending: the public does not see it yet.
    assert api_as("anonymous").get(body["url"]).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"status": "overdue"}, "status", "not a valid choice"),
        ({"narrative": ""}, "narrative", "may not be blank"),
        ({"reported_on": "2999-01-01"}, "reported_on", "cannot be in the future"),
        ({"evidence_links": ["not a link"]}, "evidence_links", "is not a web address"),
        ({"disbursed_amount": "-1"}, "disbursed_amount", "cannot be negative"),
        ({"actuals": [{"target": 999999, "value": "1"}]}, "actuals", "does not belong"),
        ({"actuals": [{"target": 1, "value": "1"}, {"target": 1, "value": "2"}]}, "actuals", ""),
        ({"pledge": "GRF99-00001"}, "pledge", "There is no pledge GRF99-00001 that you can see."),
        ({"pledge": None}, "pledge", ""),
    ],
)
def test_report_is_refused_with_a_message_on_the_field_when_a_value_is_invalid(
    updates: Updates,
    api_as: Callable[[str], APIClient],
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    before = PledgeUpdate.objects.count()

    response = api_as("member_a").post(URL, report(**changes), format="json")

    assert response.status_code == 400, response.content
    assert message in " ".join(response.json()["errors"][field])
    assert PledgeUpdate.objects.count() == before


def test_report_needs_a_pledge_when_posted_to_the_list(
    updates: Updates, api_as: Callable[[str], APIClient]
) -> None:
    data = report()
    del data["pledge"]

    response = api_as("member_a").post(URL, data, format="json")

    assert response.status_code == 400
    assert response.json()["errors"]["pledge"] == [
        "Say which pledge this update is about (its reference)."
    ]


def test_disbursement_is_refused_when_the_pledge_has_no_amount(
    updates: Updates, world: World, api_as: Callable[[str], APIClient]
) -> None:
    data = report(pledge="GRF23-00002")  # entity B's pledge without an amount

    response = api_as("member_b").post(URL, data, format="json")

    assert response.status_code == 400
    assert response.json()["errors"]["disbursed_amount"] == [
        "This pledge has no amount to disburse."
    ]


@pytest.mark.parametrize(
    ("who", "reference", "status"),
    [
        ("anonymous", "GRF23-00001", 401),
        ("partner", "GRF23-00001", 403),
        ("secretariat", "GRF23-00001", 403),
        ("member_a", "GRF23-00003", 409),  # its own draft: not published
        ("member_b", "GRF23-00003", 400),  # entity A's draft: not even visible
    ],
)
def test_report_is_refused_and_nothing_is_created_when_the_caller_or_pledge_does_not_qualify(
    updates: Updates,
    api_as: Callable[[str], APIClient],
    who: str,
    reference: str,
    status: int,
) -> None:
    before = PledgeUpdate.objects.count()

    data = report(pledge=reference, disbursed_amount=None)

    response = api_as(who).post(URL, data, format="json")

    assert response.status_code == status, response.content
    assert PledgeUpdate.objects.count() == before


def test_report_on_an_invisible_pledge_by_its_own_route_answers_404(
    updates: Updates, api_as: Callable[[str], APIClient]
) -> None:
    data = report()
    del data["pledge"]

    response = api_as("member_b").post("/api/v1/pledges/GRF23-00003/updates/", data, format="json")

    assert response.status_code == 404


# --------------------------------------------------------------------------------------------
# Review by the secretariat
# --------------------------------------------------------------------------------------------


def test_approval_makes_the_update_count_when_the_secretariat_approves(
    updates: Updates, world: World, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("secretariat")

    response = client.post(f"{URL}{updates.u2.public_id}/approve/", {}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["review_state"] == "approved"
    pledge = Pledge.objects.get(pk=world.p1.pk)
    assert pledge.last_update_on == dt.date(2025, 6, 30)  # now the latest approved update
    assert pledge.version == world.p1.version + 1
    assert api_as("anonymous").get(f"{URL}{updates.u2.public_id}/").status_code == 200


def test_return_records_the_reason_when_the_secretariat_returns_an_update(
    updates: Updates, api_as: Callable[[str], APIClient]
) -> None:
    response = api_as("secretariat").post(
        f"{URL}{updates.u2.public_id}/return/", {"reason": "Give the figures."}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["review_state"], response.json()["review_note"]) == (
        "returned",
        "Give the figures.",
    )
    assert api_as("member_a").get(f"{URL}{updates.u2.public_id}/").json()["review_note"] == (
        "Give the figures."
    )


def test_return_is_refused_with_400_and_changes_nothing_when_the_reason_is_missing(
    updates: Updates, api_as: Callable[[str], APIClient]
) -> None:
    response = api_as("secretariat").post(f"{URL}{updates.u2.public_id}/return/", {}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {"reason": ["Give a reason: the submitter will see it."]}
    assert PledgeUpdate.objects.get(pk=updates.u2.pk).review_state == UpdateReviewState.PENDING


@pytest.mark.parametrize(
    ("who", "update", "action", "status"),
    [
        ("member_a", "u2", "approve", 403),
        ("member_a", "u2", "return", 403),
        ("partner", "u1", "approve", 403),
        ("member_b", "u2", "approve", 404),
        ("anonymous", "u2", "approve", 401),
        ("secretariat", "u1", "approve", 409),  # already approved
        ("secretariat", "u3", "return", 409),  # already returned
    ],
)
def test_review_is_refused_and_changes_nothing_when_not_allowed(
    updates: Updates,
    api_as: Callable[[str], APIClient],
    who: str,
    update: str,
    action: str,
    status: int,
) -> None:
    target: PledgeUpdate = getattr(updates, update)

    response = api_as(who).post(
        f"{URL}{target.public_id}/{action}/", {"reason": "Because."}, format="json"
    )

    assert response.status_code == status, response.content
    fresh = PledgeUpdate.objects.get(pk=target.pk)
    assert (fresh.review_state, fresh.review_note) == (target.review_state, target.review_note)


def test_review_is_refused_with_412_when_if_match_is_stale(
    updates: Updates, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("secretariat")
    url = f"{URL}{updates.u2.public_id}/"
    stale = client.get(url)["ETag"]
    PledgeUpdate.objects.filter(pk=updates.u2.pk).update(narrative="Edited meanwhile.")

    response = client.post(f"{url}approve/", {}, format="json", HTTP_IF_MATCH=stale)

    assert response.status_code == 412
    assert PledgeUpdate.objects.get(pk=updates.u2.pk).review_state == UpdateReviewState.PENDING
    fresh = client.get(url)["ETag"]
    assert client.post(f"{url}approve/", {}, format="json", HTTP_IF_MATCH=fresh).status_code == 200
