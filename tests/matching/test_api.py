"""`/api/v1/matches/`: accepted matches are public, the rest only for the two entities and the
secretariat; proposing and answering go through the services, with field errors and If-Match."""

import uuid
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.services import create_api_key
from matching import services
from matching.models import Match
from pledges.models import Pledge

pytestmark = pytest.mark.django_db

LIST = "/api/v1/matches/"


def _as(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        _key, secret = create_api_key(user=user, name=f"tests {uuid.uuid4()}")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_a_proposal_is_seen_by_both_sides_only_until_accepted(
    seeking: Pledge, offering: Pledge, member_a: Any, member_b: Any, secretariat: Any
) -> None:
    a, b = _as(member_a), _as(member_b)

    created = a.post(
        LIST, {"seeking": seeking.reference, "offering": offering.reference}, format="json"
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["state"], body["seeking_decision"]["decision"]) == ("proposed", "accepted")
    assert _as(None).get(LIST).json()["results"] == []  # not public while proposed
    assert [m["id"] for m in b.get(LIST).json()["results"]] == [body["id"]]
    assert _as(secretariat).get(body["url"]).status_code == 200
    assert _as(None).get(body["url"]).status_code == 404

    read = b.get(body["url"])
    accepted = b.post(
        f"{body['url']}accept/", {"message": "Yes"}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert accepted.status_code == 200
    assert accepted.json()["state"] == "accepted"
    assert accepted.json()["offering_decision"]["message"] == "Yes"
    public = _as(None).get(LIST, {"pledge": seeking.reference}).json()["results"]
    assert [m["id"] for m in public] == [body["id"]]


def test_refusals_have_field_errors_and_the_right_status(
    seeking: Pledge, offering: Pledge, member_a: Any, member_b: Any
) -> None:
    a = _as(member_a)

    self_match = a.post(
        LIST, {"seeking": seeking.reference, "offering": seeking.reference}, format="json"
    )
    assert self_match.status_code == 400
    assert "offering" in str(self_match.json())
    unknown = a.post(LIST, {"seeking": seeking.reference, "offering": "GRF23-99999"}, format="json")
    assert unknown.status_code == 400
    assert _as(None).post(LIST, {}, format="json").status_code == 401

    match = services.propose_match(seeking=seeking, offering=offering, by=member_a)
    url = f"{LIST}{match.public_id}/"
    b = _as(member_b)
    stale = b.post(f"{url}decline/", {}, format="json", HTTP_IF_MATCH='"stale"')
    assert stale.status_code == 412
    assert b.post(f"{url}withdraw/", {}, format="json").status_code == 403
    assert a.post(f"{url}withdraw/", {}, format="json").json()["state"] == "withdrawn"
    assert a.post(f"{url}withdraw/", {}, format="json").status_code == 409
    assert Match.objects.get().state == "withdrawn"


def test_the_schema_documents_the_matches(client: Any) -> None:
    schema = client.get("/api/schema/", {"format": "json"}).json()

    assert {"/api/v1/matches/", "/api/v1/matches/{id}/accept/"} <= set(schema["paths"])


def test_the_list_downloads_as_csv_and_xlsx_with_what_the_caller_may_see(
    seeking: Pledge, offering: Pledge, member_a: Any, member_b: Any
) -> None:
    proposed = services.propose_match(seeking=seeking, offering=offering, by=member_a)

    # As every list of the API: the same rows as the JSON list, the caller's visibility.
    assert _as(None).get(LIST, {"format": "csv"}).getvalue().decode().count("\n") == 1
    mine = _as(member_a).get(LIST, {"format": "csv"})
    assert mine.status_code == 200
    assert mine["Content-Disposition"].startswith('attachment; filename="matches-')
    header, row = mine.getvalue().decode().splitlines()
    assert header.split(",")[:5] == ["id", "url", "state", "seeking", "offering"]
    assert row.startswith(f"{proposed.public_id},")
    assert "GRF23-00100,GRF23-00200" in row
    workbook = _as(member_b).get(LIST, {"format": "xlsx", "state": "proposed"})
    assert workbook.status_code == 200
    assert workbook["Content-Type"].startswith("application/vnd.openxmlformats")
