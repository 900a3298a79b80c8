"""Every API error has the documented shape `{"status", "code", "detail", "errors"}` — never an
HTML page and never a 500 for bad input (issue 14, item 11)."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from compacts.api.views import CompactViewSet
from tests.api.conftest import World

pytestmark = pytest.mark.django_db

PLEDGES = "/api/v1/pledges/"


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"status", "code", "detail", "errors"}
    assert body["status"] == status
    return body


@pytest.fixture
def raw_client() -> Client:
    """A client that shows the answer of a server error instead of raising it."""
    return Client(raise_request_exception=False)


@pytest.fixture
def writer(world: World, api_as: Callable[[str], APIClient]) -> APIClient:
    client = api_as("member_a")
    client.raise_request_exception = False
    return client


def _pledge(**extra: Any) -> dict[str, Any]:
    return {"title": "Schools for all", "compact": "GCR", "forum": "GRF23", **extra}


# --- bodies ----------------------------------------------------------------------------------


def test_deeply_nested_json_answers_400(writer: APIClient) -> None:
    body = "[" * 100_000 + "]" * 100_000

    response = writer.post(PLEDGES, data=body, content_type="application/json")

    assert _error(response, 400)["code"] == "parse_error"


def test_a_body_over_the_upload_limit_answers_413(writer: APIClient, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = _pledge(description="x" * 20_000)

    response = writer.post(PLEDGES, data=body, format="json")

    assert _error(response, 413)["code"] == "payload_too_large"


def test_a_form_body_over_the_upload_limit_answers_413(writer: APIClient, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000

    response = writer.post(
        PLEDGES,
        data="title=" + "x" * 20_000,
        content_type="application/x-www-form-urlencoded",
    )

    assert _error(response, 413)["code"] == "payload_too_large"


def test_nested_validation_errors_are_structured_json(writer: APIClient) -> None:
    body = _pledge(
        targets=[{"metric": "Children", "unit": "bananas", "target_value": "10"}],
        objectives=[[1]],
    )

    errors = _error(writer.post(PLEDGES, data=body, format="json"), 400)["errors"]

    assert errors["targets"] == {"0": {"unit": ['"bananas" is not a valid choice.']}}
    assert errors["objectives"] == {"0": ["Not a valid string."]}


def test_an_unknown_body_field_answers_400_naming_it(writer: APIClient) -> None:
    response = writer.post(PLEDGES, data=_pledge(contact_emial="a@example.org"), format="json")

    errors = _error(response, 400)["errors"]
    assert list(errors) == ["contact_emial"]
    assert "contact_email" in errors["contact_emial"][0]


def test_an_unknown_field_in_a_nested_target_answers_400(writer: APIClient) -> None:
    target = {"metric": "Children", "unit": "people", "target_value": "10", "colour": "red"}

    response = writer.post(PLEDGES, data=_pledge(targets=[target]), format="json")

    assert list(_error(response, 400)["errors"]["targets"]["0"]) == ["colour"]


def test_an_unknown_field_on_a_progress_update_or_transition_answers_400(
    world: World, writer: APIClient
) -> None:
    update = {
        "pledge": world.p1.reference,
        "status": "in_progress",
        "narrative": "Going well.",
        "reported_on": "2025-05-01",
        "mood": "good",
    }
    assert (
        "mood"
        in _error(writer.post("/api/v1/pledge-updates/", update, format="json"), 400)["errors"]
    )
    transition = f"{PLEDGES}{world.draft.reference}/submit/"
    body = {"reason": "", "urgent": True}
    assert "urgent" in _error(writer.post(transition, body, format="json"), 400)["errors"]


def test_what_was_read_can_be_sent_back_with_a_change(world: World, writer: APIClient) -> None:
    url = f"{PLEDGES}{world.draft.reference}/"
    read = writer.get(url).json()
    body = {**read, "title": "A clearer title"}
    # The read form of these fields is an object; the write form takes their codes.
    body.update(
        compact="GCR",
        forum="GRF23",
        entity=read["entity"]["id"],
        objectives=[1],
        thematic_areas=[],
        support_types=[],
        beneficiary_countries=["NR"],
        actions=[],
        principles=[],
        support_platform=None,
    )

    response = writer.put(url, data=body, format="json", HTTP_IF_MATCH="*")

    assert response.status_code == 200, response.content[:500]
    assert response.json()["title"] == "A clearer title"


# --- paths -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/api/v1/nothing-here/", "/api/nothing", "/api/v1/pledges/GRF23-99999/updates/x/"],
)
def test_an_address_under_api_that_matches_nothing_answers_json_404(
    raw_client: Client, path: str
) -> None:
    assert _error(raw_client.get(path), 404)["code"] == "not_found"


def test_an_unknown_pledge_answers_json_404(world: World, raw_client: Client) -> None:
    _error(raw_client.get(f"{PLEDGES}GRF23-99999/"), 404)


def test_a_nul_byte_in_an_api_path_answers_json_404(world: World, raw_client: Client) -> None:
    _error(raw_client.get(f"{PLEDGES}%00/"), 404)
    _error(raw_client.get(f"{PLEDGES}GRF23-0%0001/updates/"), 404)


def test_a_nul_byte_in_a_page_address_answers_the_not_found_page(
    world: World, raw_client: Client
) -> None:
    response = raw_client.get("/pledges/GRF23-0%0001/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_method_the_resource_does_not_have_answers_json_405(raw_client: Client) -> None:
    assert _error(raw_client.delete("/api/v1/compacts/"), 405)["code"] == "method_not_allowed"


# --- query parameters ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/entities/", "/api/v1/pledge-updates/", PLEDGES])
@pytest.mark.parametrize("offset", ["+23:00", "-16:00", "+15:00"])
def test_updated_since_with_an_impossible_utc_offset_answers_400(
    world: World, raw_client: Client, path: str, offset: str
) -> None:
    response = raw_client.get(path, {"updated_since": f"2025-01-01T00:00:00{offset}"})

    assert list(_error(response, 400)["errors"]) == ["updated_since"]


def test_updated_since_with_a_real_utc_offset_is_accepted(world: World, raw_client: Client) -> None:
    response = raw_client.get("/api/v1/entities/", {"updated_since": "2025-01-01T00:00:00+14:00"})

    assert response.status_code == 200


@pytest.mark.parametrize("size", ["501", "0", "-1", "ten"])
def test_a_page_size_outside_1_to_500_answers_400(
    world: World, raw_client: Client, size: str
) -> None:
    response = raw_client.get(PLEDGES, {"page_size": size})

    assert list(_error(response, 400)["errors"]) == ["page_size"]


def test_a_page_size_of_500_is_honoured(world: World, raw_client: Client) -> None:
    assert raw_client.get("/api/v1/entities/", {"page_size": "500"}).status_code == 200


def test_a_server_error_under_api_answers_json_500(
    raw_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(CompactViewSet, "list", broken)

    assert _error(raw_client.get("/api/v1/compacts/"), 500)["code"] == "server_error"
