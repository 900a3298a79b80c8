"""Downloads of the pledge browser (`/pledges/download/csv|xlsx/`): exactly the pledges the
browser shows for the same query, in its sort, with the API export's columns, streamed; formulas
neutralised; a cover sheet naming the filters; never an unpublished pledge; a 400 naming the
field for a bad value. The entity, objective, forum and multistakeholder pages link to the same
download with their own filter."""

import csv
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from django.utils import timezone, translation
from openpyxl import load_workbook

from partnerships.models import (
    MembershipState,
    MultistakeholderMembership,
    MultistakeholderPledge,
)
from pledges.api.shape import EXPORT_COLUMNS
from pledges.models import Entity, Pledge

from .conftest import CAST, DRAFT_TITLE, World
from .pages import references, text

pytestmark = pytest.mark.django_db

QUERIES = [
    "",
    "forum=GRF23",
    "compact=GCR&sort=title",
    "country=KE&sort=oldest",
    "q=refugee",
    "objective=GCR-2&sort=reference",
    "implementation_status=in_progress&entity_type=state",
]


def _body(response: Any) -> bytes:
    assert response.status_code == 200, response.content[:500]
    return b"".join(response.streaming_content)


def csv_rows(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_body(response).decode(), newline="")))


def workbook(response: Any) -> Any:
    return load_workbook(io.BytesIO(_body(response)))


def xlsx_rows(response: Any) -> list[dict[str, Any]]:
    sheet = workbook(response).worksheets[1]
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def cover_lines(response: Any) -> list[tuple[Any, Any]]:
    return list(workbook(response).worksheets[0].iter_rows(values_only=True))


@pytest.mark.parametrize("query", QUERIES)
def test_csv_holds_exactly_the_browsers_pledges_in_its_sort_when_filtered(
    client: Client, world: World, query: str
) -> None:
    shown = references(client.get(f"/pledges/?{query}"))

    rows = csv_rows(client.get(f"/pledges/download/csv/?{query}"))

    assert shown, "the query should select pledges"
    assert [row["reference"] for row in rows] == shown


@pytest.mark.parametrize("query", QUERIES)
def test_xlsx_holds_exactly_the_browsers_pledges_in_its_sort_when_filtered(
    client: Client, world: World, query: str
) -> None:
    shown = references(client.get(f"/pledges/?{query}"))

    rows = xlsx_rows(client.get(f"/pledges/download/xlsx/?{query}"))

    assert [row["reference"] for row in rows] == shown


def test_downloads_have_the_api_exports_columns_and_values_when_downloaded(
    client: Client, world: World
) -> None:
    api = csv_rows(client.get("/api/v1/pledges/", {"format": "csv", "forum": "GRF23"}))
    ours = csv_rows(client.get("/pledges/download/csv/?forum=GRF23"))

    assert list(ours[0]) == list(EXPORT_COLUMNS)
    assert {row["reference"]: row for row in ours} == {row["reference"]: row for row in api}


def test_downloads_are_streamed_attachments_when_asked_for(client: Client, world: World) -> None:
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/pledges/download/{fmt}/?forum=GRF23")

        assert isinstance(response, StreamingHttpResponse)
        assert response["Content-Disposition"].startswith("attachment;")
        assert (
            f'pledges-{timezone.localdate().isoformat()}.{fmt}"'
            in (response["Content-Disposition"])
        )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_downloads_read_the_pledges_chunk_by_chunk_in_the_browsers_sort(
    client: Client, world: World, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    # A chunk of one pledge: every chunk boundary is crossed, as at a million rows with 2,000.
    monkeypatch.setattr("pledges.api.reading.CHUNK", 1)
    shown = references(client.get("/pledges/?sort=title"))

    response = client.get(f"/pledges/download/{fmt}/?sort=title")
    rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)

    assert len(shown) == 4
    assert [row["reference"] for row in rows] == shown


def test_xlsx_has_a_frozen_header_an_autofilter_and_column_widths(
    client: Client, world: World
) -> None:
    sheet = workbook(client.get("/pledges/download/xlsx/")).worksheets[1]

    assert sheet.freeze_panes == "A2"
    # Every column, the header and the four published pledges.
    assert sheet.auto_filter.ref == f"A1:AF{1 + 4}"
    assert len(EXPORT_COLUMNS) == 32  # AF
    assert sheet.column_dimensions["C"].width == 48  # title
    assert sheet.column_dimensions["A"].width == 16  # reference


def test_cover_sheet_names_the_filters_the_sort_and_the_date_when_filtered(
    client: Client, world: World
) -> None:
    lines = dict(
        cover_lines(client.get("/pledges/download/xlsx/?forum=GRF23&country=KE&sort=title"))
    )

    assert "Global Refugee Forum 2023" in lines["  Forum"]
    assert lines["  Country (beneficiary)"] == "Kenya"
    assert lines["Sort by"] == "Title (A–Z)"
    assert timezone.localdate().strftime("%Y") in lines["Downloaded on"]
    assert "/pledges/download/xlsx/?forum=GRF23" in lines["Address"]


def test_cover_sheet_says_no_filter_when_none_is_applied(client: Client, world: World) -> None:
    lines = dict(cover_lines(client.get("/pledges/download/xlsx/")))

    assert lines["Filters applied"] == "None: every published pledge"
    assert lines["Sort by"] == "Newest first"


def test_cover_sheet_is_in_the_pages_language_when_downloaded_in_french(
    client: Client, world: World
) -> None:
    with translation.override("fr"):
        sort_by = translation.gettext("Sort by")
        newest = translation.gettext("Newest first")
    assert sort_by != "Sort by"  # the catalog translates it

    lines = dict(cover_lines(client.get("/fr/pledges/download/xlsx/")))

    assert lines[sort_by] == newest


@pytest.mark.parametrize("who", CAST)
def test_downloads_never_hold_a_draft_when_downloaded_by_anyone(
    world: World, as_user: Callable[[str], Client], who: str
) -> None:
    client = as_user(who)

    for fmt, read in (("csv", csv_rows), ("xlsx", xlsx_rows)):
        rows = read(client.get(f"/pledges/download/{fmt}/?country=NR"))
        everything = read(client.get(f"/pledges/download/{fmt}/"))

        assert rows == []
        assert world.draft.reference not in {row["reference"] for row in everything}
        assert DRAFT_TITLE not in {row["title"] for row in everything}


PAYLOADS = ['=HYPERLINK("http://evil","x")', "+1+1", "-1+1", "@SUM(A1)"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_like_text_is_neutralised_in_both_files(
    client: Client, make_pledge: Callable[..., Pledge], payload: str
) -> None:
    make_pledge(title=payload)

    (csv_row,) = csv_rows(client.get("/pledges/download/csv/"))
    sheet = workbook(client.get("/pledges/download/xlsx/")).worksheets[1]
    title = sheet.cell(row=2, column=EXPORT_COLUMNS.index("title") + 1)

    assert csv_row["title"] == "'" + payload
    assert title.data_type == "s"
    assert title.value == payload
    assert title.quotePrefix


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("country=XX", "Country (beneficiary)"),
        ("sort=cheapest", "Sort by"),
        ("objective=not-an-objective", "Objective"),
        ("entity=not-a-uuid", "Entity"),
        ("goal=-3", "Collective goal"),
    ],
)
def test_bad_filter_value_answers_400_naming_the_field(
    client: Client, world: World, query: str, field: str
) -> None:
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/pledges/download/{fmt}/?{query}")

        assert response.status_code == 400
        assert f"{field}:" in text(response)


def test_unknown_format_answers_404(client: Client, world: World) -> None:
    assert client.get("/pledges/download/pdf/").status_code == 404


# --------------------------------------------------------------------------------------------
# The links on the pages
# --------------------------------------------------------------------------------------------


def _links(response: Any) -> dict[str, str]:
    """{"csv"|"xlsx": href} of the page's download links."""
    found = re.findall(r'<a href="([^"]*/download/(csv|xlsx)/[^"]*)">', text(response))
    return {fmt: href.replace("&amp;", "&") for href, fmt in found}


def test_browser_links_to_the_downloads_of_its_filters_and_sort_without_its_page(
    client: Client, world: World
) -> None:
    links = _links(client.get("/pledges/?forum=GRF23&sort=title&page=1"))

    assert links == {
        "csv": "/pledges/download/csv/?forum=GRF23&sort=title",
        "xlsx": "/pledges/download/xlsx/?forum=GRF23&sort=title",
    }


def test_browser_links_leave_out_a_filter_it_could_not_apply(client: Client, world: World) -> None:
    page = client.get("/pledges/?forum=GRF23&country=XX")
    links = _links(page)

    assert links["csv"] == "/pledges/download/csv/?forum=GRF23"
    assert [r["reference"] for r in csv_rows(client.get(links["csv"]))] == references(page)


def _page_and_download(client: Client, url: str) -> tuple[list[str], list[str]]:
    page = client.get(url)
    links = _links(page)
    assert set(links) == {"csv", "xlsx"}, "the page should offer both downloads"
    downloaded = [row["reference"] for row in csv_rows(client.get(links["csv"]))]
    assert [row["reference"] for row in xlsx_rows(client.get(links["xlsx"]))] == downloaded
    return references(page), downloaded


def test_forum_page_downloads_exactly_its_pledges(client: Client, world: World) -> None:
    shown, downloaded = _page_and_download(client, "/forums/GRF23/")

    assert shown == downloaded == ["GRF23-00002", "GRF23-00001"]


def test_objective_page_downloads_exactly_its_pledges(client: Client, world: World) -> None:
    shown, downloaded = _page_and_download(client, "/objectives/GCR/2/")

    assert shown == downloaded == ["GRF19-00001", "GRF23-00001"]


def test_entity_page_downloads_its_own_and_its_joint_pledges(
    client: Client, world: World, member_b: Any
) -> None:
    entity_b: Entity = member_b.memberships.get().entity
    own = Pledge.objects.filter(entity=entity_b, review_state="published")

    shown, downloaded = _page_and_download(client, f"/entities/{entity_b.public_id}/")

    # B co-pledged p1 (accepted): the page and the file list it beside B's own pledges.
    assert world.p1.reference in downloaded
    assert set(downloaded) == {world.p1.reference, *own.values_list("reference", flat=True)}
    assert shown == downloaded


def test_entity_download_answers_400_for_an_unverified_entity_when_anonymous(
    client: Client, world: World
) -> None:
    unverified = Entity.objects.create(
        name="Unverified claim", entity_type=world.p1.entity.entity_type, is_verified=False
    )

    response = client.get(f"/pledges/download/csv/?entity={unverified.public_id}")

    # As for an unknown id: the download does not confirm that the entity exists.
    assert response.status_code == 400


def test_multistakeholder_page_downloads_exactly_its_member_pledges(
    client: Client, world: World
) -> None:
    msp = MultistakeholderPledge.objects.create(
        slug="education-msp", title="Education", compact=world.p1.compact
    )
    for pledge, state in (
        (world.p1, MembershipState.ACCEPTED),
        (world.p4, MembershipState.ACCEPTED),
        (world.p2, MembershipState.REQUESTED),
        (world.draft, MembershipState.ACCEPTED),
    ):
        MultistakeholderMembership.objects.create(
            msp=msp,
            pledge=pledge,
            state=state,
            requested_at=timezone.now(),
            decided_at=timezone.now() if state == MembershipState.ACCEPTED else None,
        )

    shown, downloaded = _page_and_download(client, "/multistakeholder-pledges/education-msp/")

    assert shown == downloaded == [world.p4.reference, world.p1.reference]


def test_empty_lists_offer_no_download(client: Client, world: World) -> None:
    assert _links(client.get("/pledges/?country=NR")) == {}
