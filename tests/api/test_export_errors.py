"""An error while exporting (`?format=csv|xlsx`) answers the API's JSON error, never the error's
text served as a spreadsheet download."""

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from openpyxl import load_workbook
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIClient

from pledges.api.reading import PledgeReader
from pledges.models import Pledge

from .conftest import World

URL = "/api/v1/pledges/"


def assert_json_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert not response.has_header("Content-Disposition")
    body = response.json()
    assert body["status"] == status
    return body


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_bad_filters_answer_the_json_error_not_a_file(
    world: World, api_as: Callable[[str], APIClient], fmt: str
) -> None:
    response = api_as("partner").get(URL, {"format": fmt, "country": "ZZ"})

    body = assert_json_error(response, 400)
    assert body["code"] == "invalid"
    assert "country" in body["errors"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_bad_api_key_answers_the_json_error_not_a_file(world: World, fmt: str) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-key")

    assert_json_error(client.get(URL, {"format": fmt}), 401)


def test_an_api_error_while_writing_the_workbook_answers_json(
    world: World, api_as: Callable[[str], APIClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    original = PledgeReader.export_rows

    def failing(self: Any, queryset: Any) -> Iterator[dict[str, Any]]:
        rows = original(self, queryset)
        yield next(rows)
        raise ValidationError({"rows": ["This export cannot be written."]})

    monkeypatch.setattr(PledgeReader, "export_rows", failing)

    body = assert_json_error(api_as("partner").get(URL, {"format": "xlsx"}), 400)
    assert body["errors"] == {"rows": ["This export cannot be written."]}


def test_a_server_error_while_writing_the_workbook_sends_no_workbook(
    world: World, api_as: Callable[[str], APIClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(self: Any, queryset: Any) -> Iterator[dict[str, Any]]:
        raise RuntimeError("boom")
        yield {}

    monkeypatch.setattr(PledgeReader, "export_rows", failing)
    client = api_as("partner")
    client.raise_request_exception = False

    response = client.get(URL, {"format": "xlsx"})

    assert response.status_code == 500
    assert "spreadsheetml" not in response["Content-Type"]
    assert not response.has_header("Content-Disposition")


def test_a_control_character_in_a_title_does_not_break_the_workbook(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    Pledge.objects.filter(pk=world.p1.pk).update(title="Schools\x0b for all")

    response = api_as("partner").get(URL, {"format": "xlsx"})

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    titles = [row[2] for row in workbook.active.iter_rows(min_row=2, values_only=True)]
    assert "Schools for all" in titles
