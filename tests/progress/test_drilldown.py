"""Every figure can be traced to the pledges behind it: a snapshot's links list exactly the
pledges it counted, with the same filters in the browser and the API."""

from typing import Any
from urllib.parse import urlsplit

import pytest
from rest_framework.test import APIClient

from tests.progress.test_worked_example import example  # noqa: F401 - the worked example

pytestmark = pytest.mark.django_db


def snapshot(api: APIClient, **params: str) -> dict[str, Any]:
    [row] = api.get("/api/v1/progress/", {"compact": "GCR", "objective": "1", **params}).json()[
        "results"
    ]
    return row


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"slice_kind": "overall"}, {"GRF23-00001", "GRF23-00002", "GRF19-00001", "GRF23-00005"}),
        (
            {"slice_kind": "forum", "slice_key": "GRF23"},
            {"GRF23-00001", "GRF23-00002", "GRF23-00005"},
        ),
        ({"slice_kind": "entity_type", "slice_key": "state"}, {"GRF23-00001", "GRF23-00005"}),
        ({"slice_kind": "region", "slice_key": "002"}, {"GRF23-00001", "GRF23-00005"}),
    ],
)
def test_links_list_exactly_the_pledges_a_snapshot_counted(
    example: Any,  # noqa: F811
    params: dict[str, str],
    expected: set[str],
) -> None:
    api = APIClient()
    row = snapshot(api, **params)

    # (The test client would replace the link's query string with a `data` argument.)
    listed = api.get(local(row["links"]["pledges_api"]) + "&page_size=500").json()["results"]

    assert {p["reference"] for p in listed} == expected
    assert len(listed) == row["figures"]["pledges"]


def test_status_links_open_the_browser_on_the_pledges_of_that_status(
    example: Any,  # noqa: F811
    client: Any,
) -> None:
    row = snapshot(APIClient(), slice_kind="overall")

    planning = client.get(local(row["links"]["by_status"]["planning"]))
    no_update = client.get(local(row["links"]["by_status"]["no_update"]))

    assert planning.status_code == 200
    assert "GRF23-00005" in planning.text
    assert "GRF23-00001" not in planning.text
    assert "GRF19-00001" in no_update.text
    assert row["figures"]["status"]["planning"] == 1


def test_global_region_slice_has_no_link_rather_than_a_wrong_one(
    example: Any,  # noqa: F811
) -> None:
    assert snapshot(APIClient(), slice_kind="region", slice_key="global")["links"] is None
