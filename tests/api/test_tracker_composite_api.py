"""Honest figures in the API (issue 18, item 9): `figures.composite` says it is the tracker's
composite (`official: false`) and where it is defined, in JSON and in every export row, and the
OpenAPI document says so; `TRACKER_COMPOSITE_SCORE = False` leaves the key out of `figures`
everywhere (progress snapshots and multistakeholder pledges, JSON, CSV and XLSX)."""

import csv
import io
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from indicators.models import MspProgressSnapshot, SliceKind
from partnerships.models import MultistakeholderPledge

from .test_progress_api import JUN, snapshot

pytestmark = pytest.mark.django_db

COMPOSITE = {
    "score": "0.6064",
    "components": {"implementation": "0.4000", "money": "0.6154"},
    "weights": {"implementation": "0.4", "money": "0.2"},
    "weights_used": "0.6",
}
FIGURES = {"pledges": 4, "status": {"fulfilled": 1}, "composite": COMPOSITE}
DEFINITION = "http://testserver/about/figures/#composite"


@pytest.fixture
def api(reference_data: None) -> APIClient:
    snapshot("GCR", 1, JUN, FIGURES)
    snapshot("GCR", 2, JUN, {"pledges": 0})  # (none computed: no composite to label)
    return APIClient()


@pytest.fixture
def msp_slug(reference_data: None) -> str:
    msp = MultistakeholderPledge.objects.order_by("slug").first()
    assert msp is not None
    MspProgressSnapshot.objects.create(
        msp=msp,
        slice_kind=SliceKind.OVERALL,
        slice_key="",
        date=JUN,
        figures=FIGURES,
        computed_at=timezone.now(),
    )
    return msp.slug


@pytest.fixture
def composite_off(settings: Any) -> None:
    settings.TRACKER_COMPOSITE_SCORE = False


def csv_rows(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def xlsx_header(response: Any) -> list[str]:
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [cell.value for cell in next(sheet.iter_rows())]


def test_the_composite_says_it_is_the_trackers_with_its_definition(api: APIClient) -> None:
    [row] = api.get("/api/v1/progress/", {"compact": "GCR", "objective": 1}).json()["results"]

    assert row["figures"]["composite"] == {**COMPOSITE, "official": False, "definition": DEFINITION}
    assert row["figures"]["pledges"] == 4
    page = api.get(row["figures"]["composite"]["definition"].split("#")[0])
    assert page.status_code == 200
    assert '<section id="composite"' in page.content.decode()


def test_the_definition_follows_the_callers_language(api: APIClient) -> None:
    [row] = api.get(
        "/api/v1/progress/", {"compact": "GCR", "objective": 1}, HTTP_ACCEPT_LANGUAGE="fr"
    ).json()["results"]

    assert row["figures"]["composite"]["definition"] == (
        "http://testserver/fr/about/figures/#composite"
    )


def test_exports_carry_the_label_beside_the_score(api: APIClient) -> None:
    rows = csv_rows(api.get("/api/v1/progress/", {"compact": "GCR", "format": "csv"}))

    by_objective = {row["objective.number"]: row for row in rows}
    assert by_objective["1"]["figures.composite.score"] == "0.6064"
    assert by_objective["1"]["figures.composite.official"] == "False"
    assert by_objective["1"]["figures.composite.definition"] == DEFINITION
    assert by_objective["2"]["figures.composite.score"] == ""
    header = xlsx_header(api.get("/api/v1/progress/", {"compact": "GCR", "format": "xlsx"}))
    assert {"figures.composite.official", "figures.composite.definition"} <= set(header)


def test_the_openapi_document_says_it_is_the_trackers_composite(api: APIClient) -> None:
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    components = schema["components"]["schemas"]

    def resolved(node: dict[str, Any]) -> dict[str, Any]:
        """The schema a property names (typed figures are components of their own)."""
        refs = [node, *node.get("allOf", [])]
        for item in refs:
            if "$ref" in item:
                return components[item["$ref"].rsplit("/", 1)[1]]
        return node

    figures = resolved(components["ProgressSnapshot"]["properties"]["figures"])
    composite = resolved(figures["properties"]["composite"])
    assert "NOT an official figure" in composite["description"]
    assert "/about/figures/#composite" in composite["description"]
    assert "TRACKER_COMPOSITE_SCORE=false" in composite["description"]
    msp = schema["components"]["schemas"]["MultistakeholderPledge"]["properties"]["figures"]
    assert "tracker's composite" in msp["description"]


def test_msp_figures_label_the_composite(client: Any, msp_slug: str) -> None:
    body = client.get(f"/api/v1/multistakeholder-pledges/{msp_slug}/").json()

    assert body["figures"]["composite"]["official"] is False
    assert body["figures"]["composite"]["definition"] == DEFINITION


def test_with_the_setting_off_the_api_leaves_the_composite_out(
    api: APIClient, msp_slug: str, composite_off: None
) -> None:
    listed = api.get("/api/v1/progress/", {"compact": "GCR", "objective": 1}).json()
    [row] = listed["results"]
    one = api.get(row["url"]).json()
    msp = api.get(f"/api/v1/multistakeholder-pledges/{msp_slug}/").json()
    msps = api.get("/api/v1/multistakeholder-pledges/").json()

    assert row["figures"] == {"pledges": 4, "status": {"fulfilled": 1}}
    assert one["figures"] == row["figures"]
    assert msp["figures"] == {"pledges": 4, "status": {"fulfilled": 1}}
    assert all("composite" not in (m["figures"] or {}) for m in msps["results"])


def test_with_the_setting_off_exports_have_no_composite_column(
    api: APIClient, msp_slug: str, composite_off: None
) -> None:
    progress = api.get("/api/v1/progress/", {"compact": "GCR", "format": "csv"})
    header = xlsx_header(api.get("/api/v1/progress/", {"compact": "GCR", "format": "xlsx"}))
    msps = api.get("/api/v1/multistakeholder-pledges/", {"format": "csv"})

    rows = csv_rows(progress)
    assert sorted(row["figures.pledges"] for row in rows) == ["0", "4"]
    assert not [column for column in rows[0] if "composite" in column]
    assert not [column for column in header if "composite" in column]
    assert not [column for column in csv_rows(msps)[0] if "composite" in column]
