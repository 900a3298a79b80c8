"""The API's shared conventions, shown on the reference resources (compacts, objectives,
principles, forums): open reads, strict filters, one error shape, cursor pagination, conditional
requests and streamed exports."""

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(reference_data: None) -> APIClient:
    return APIClient()


def test_anyone_lists_the_27_objectives_with_official_titles(api: APIClient) -> None:
    response = api.get("/api/v1/objectives/", {"page_size": 100})

    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 27
    assert {(o["compact"]["code"], o["number"]) for o in results} >= {("GCR", 1), ("GCM", 23)}


def test_objective_is_found_by_compact_code_and_number(api: APIClient) -> None:
    [objective] = api.get("/api/v1/objectives/", {"compact": "GCM", "number": 23}).json()["results"]

    assert objective["short_label"] == "International cooperation"
    assert [a["letter"] for a in objective["actions"]] == ["a", "b", "c", "d", "e"]
    assert objective["compact"]["url"].endswith("/api/v1/compacts/GCM/")


def test_compact_and_forum_are_addressed_by_their_codes(api: APIClient) -> None:
    compact = api.get("/api/v1/compacts/GCR/").json()
    forum = api.get("/api/v1/forums/GRF23/").json()

    assert compact["objective_count"] == 4
    assert (forum["start_date"], forum["end_date"]) == ("2023-12-13", "2023-12-15")
    assert forum["compact"]["code"] == "GCR"


def test_unknown_filter_answers_400_naming_it(api: APIClient) -> None:
    response = api.get("/api/v1/objectives/", {"compcat": "GCM"})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"]["compcat"] == ["Unknown filter. Known ones: compact, number."]


def test_bad_filter_value_answers_400_not_500(api: APIClient) -> None:
    response = api.get("/api/v1/forums/", {"year": "twenty", "kind": "party"})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"year", "kind"}


def test_unknown_resource_answers_404_in_the_error_shape(api: APIClient) -> None:
    response = api.get("/api/v1/forums/NOPE99/")

    assert response.status_code == 404
    assert response.json() == {
        "status": 404,
        "code": "not_found",
        "detail": "No Forum matches the given query.",
        "errors": {},
    }


def test_reference_data_cannot_be_written(api: APIClient, site_admin: Any) -> None:
    api.force_authenticate(site_admin)

    assert api.post("/api/v1/forums/", {"code": "X1"}).status_code == 405


def test_cursor_pages_walk_every_row_once(api: APIClient) -> None:
    seen: list[int] = []
    url: str | None = "/api/v1/objectives/?page_size=10"
    while url:
        body = api.get(url).json()
        seen += [o["id"] for o in body["results"]]
        url = body["next"]

    assert len(seen) == 27
    assert len(set(seen)) == 27


def test_page_size_above_500_is_refused_not_silently_capped(api: APIClient) -> None:
    response = api.get("/api/v1/objectives/", {"page_size": 100000})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["page_size"]
    assert len(api.get("/api/v1/objectives/", {"page_size": 500}).json()["results"]) == 27


def test_unchanged_resource_answers_304_to_its_etag(api: APIClient) -> None:
    first = api.get("/api/v1/forums/GRF23/")
    again = api.get("/api/v1/forums/GRF23/", HTTP_IF_NONE_MATCH=first["ETag"])
    other = api.get("/api/v1/forums/GRF23/", HTTP_IF_NONE_MATCH='"stale"')

    assert first.status_code == 200
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert other.status_code == 200


def test_list_etag_changes_when_its_content_changes(api: APIClient) -> None:
    from forums.models import Forum

    before = api.get("/api/v1/forums/")["ETag"]
    Forum.objects.filter(code="GRF27").update(place="Geneva")

    assert api.get("/api/v1/forums/", HTTP_IF_NONE_MATCH=before).status_code == 200


def test_csv_export_has_every_filtered_row_with_clean_links(api: APIClient) -> None:
    response = api.get("/api/v1/forums/", {"compact": "GCM", "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="forums-')
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {r["code"] for r in rows} == {"IMRF22", "IMRF26", "GCMRR21", "GCMRR25"}
    assert rows[0]["compact.code"] == "GCM"
    assert "format=" not in rows[0]["url"]


def test_xlsx_export_has_a_header_and_every_filtered_row(api: APIClient) -> None:
    response = api.get("/api/v1/objectives/", {"compact": "GCR", "format": "xlsx"})

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("id", "compact.code", "compact.name")
    assert sorted(r[rows[0].index("number")] for r in rows[1:]) == [1, 2, 3, 4]


def test_export_refuses_bad_filters_like_the_list(api: APIClient) -> None:
    response = api.get("/api/v1/forums/", {"format": "csv", "nope": "1"})

    assert response.status_code == 400


def test_single_resource_is_not_exported_as_a_spreadsheet(api: APIClient) -> None:
    assert api.get("/api/v1/forums/GRF23/", {"format": "xlsx"}).status_code == 404
    assert api.get("/api/v1/forums/GRF23/", {"format": "csv"}).status_code == 404


def test_export_columns_include_keys_the_first_row_lacks() -> None:
    from core.api.exports import _with_header

    rows = iter([{"code": "A", "entity": None}, {"code": "B", "entity.name": "X"}])

    header, again = _with_header(rows, declared=["code", "entity.name"])

    assert header == ["code", "entity", "entity.name"]
    assert [r["code"] for r in again] == ["A", "B"]
