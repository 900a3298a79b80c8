"""`/dashboard/` as a visitor sees it: headline numbers, objective cards, each filter, the
one-slice-at-a-time rule, the year, htmx fragments, links to the pledges behind the numbers."""

import datetime as dt
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from tests.web_public.pages import total

from .conftest import FIRST, as_of_today, chart_table

pytestmark = pytest.mark.django_db


def headline(response: Any) -> dict[str, str]:
    """Headline figures {label: text} as shown."""
    html = response.content.decode()
    return {
        label: " ".join(re.sub(r"<[^>]+>", " ", value).split())
        for label, value in re.findall(
            r'<div class="figure">\s*<dt>([^<]+)</dt>\s*<dd>(.*?)</dd>', html, flags=re.S
        )
    }


def field_errors(response: Any, name: str) -> str:
    match = re.search(
        rf'<div class="field-error" id="id_{name}_error">(.*?)</div>',
        response.content.decode(),
        re.S,
    )
    return match.group(1) if match else ""


def test_empty_state_says_how_to_compute_when_no_snapshot_exists(
    client: Client, reference_data: None
) -> None:
    response = client.get("/dashboard/")

    assert response.status_code == 200
    assert "No progress has been computed for this compact yet." in response.text
    assert "manage.py recompute_progress" in response.text
    assert "<canvas" not in response.text


def test_headline_and_cards_show_the_compact_as_of_its_latest_snapshot(
    client: Client, world: None
) -> None:
    response = client.get("/dashboard/")

    figures = headline(response)
    assert figures["Published pledges"] == "3"
    assert figures["Pledged (USD)"] == "1,500"
    assert "As of 30 June 2024." in response.text
    assert "Only one date of history exists so far" in response.text
    # One card per GCR objective, with its official short title and its pledge count.
    cards = response.text.split('<li class="objective-card">')[1:]
    assert len(cards) == 4
    assert "Ease pressures on host countries" in cards[0]
    assert ">2 pledges<" in cards[0]
    assert ">2 pledges<" in cards[1]
    # The tracker's composite comes last on the card, after what is counted.
    assert cards[0].index("Delivery") < cards[0].index("<meter")
    assert "Not computed for this slice and date." not in cards[0]


@pytest.mark.parametrize(
    ("params", "pledges", "selected_chart", "selected_row"),
    [
        ({"forum": "GRF23"}, "2", "forum", "Global Refugee Forum 2023"),
        ({"forum": "GRF19"}, "1", "forum", "Global Refugee Forum 2019"),
        ({"region": "142"}, "1", "region", "Asia"),
        ({"region": "002"}, "2", "region", "Africa"),
        ({"entity_type": "ngo"}, "1", "entity_type", "Local or national NGO"),
    ],
)
def test_each_slice_filter_narrows_the_figures_and_highlights_its_row(
    client: Client,
    world: None,
    params: dict[str, str],
    pledges: str,
    selected_chart: str,
    selected_row: str,
) -> None:
    response = client.get("/dashboard/", {"compact": "GCR", **params})

    assert response.status_code == 200
    assert headline(response)["Published pledges"] == pledges
    table = chart_table(response, selected_chart)
    [chosen] = [row for row, sel in zip(table.rows, table.selected, strict=True) if sel]
    assert chosen[0][0].startswith(selected_row)
    assert "(selected)" in chosen[0][0]
    # The breakdown still shows the whole compact, whatever the slice.
    assert len(table.rows) >= 2
    assert "whatever slice is selected" in table.caption


def test_the_page_says_which_filters_read_snapshots_and_which_combine(
    client: Client, world: None
) -> None:
    response = client.get("/dashboard/")

    assert "Combine any of the filters below." in response.text
    assert "without history" in response.text


def test_two_values_of_one_filter_are_refused(client: Client, world: None) -> None:
    response = client.get("/dashboard/?forum=GRF23&forum=GRF19")

    assert "Choose one value at a time" in field_errors(response, "forum")
    assert headline(response)["Published pledges"] == "3"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("forum=NOPE", "forum", "Select a valid choice"),
        ("forum=IMRF22", "forum", "not a forum of the chosen compact"),
        ("region=999", "region", "Select a valid choice"),
        ("entity_type=%3Cscript%3E", "entity_type", "Select a valid choice"),
        ("year=twenty", "year", "Select a valid choice"),
        ("year=1900", "year", "Select a valid choice"),
    ],
)
def test_bad_values_get_a_clear_message_and_the_page_still_renders(
    client: Client, world: None, query: str, field: str, message: str
) -> None:
    response = client.get(f"/dashboard/?{query}")

    assert response.status_code == 200
    assert message in response.text
    assert f'<a href="#id_{field}">' in response.text
    assert "<script>" not in response.text.split("<body>")[1].split("dashboard.js")[0]
    assert headline(response)["Published pledges"] == "3"


def test_unknown_compact_in_the_query_falls_back_with_a_message(
    client: Client, world: None
) -> None:
    response = client.get("/dashboard/?compact=XYZ")

    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert headline(response)["Published pledges"] == "3"


def test_year_shows_the_latest_snapshot_on_or_before_31_december(
    client: Client, world: None, add_pledge: Callable[..., Any], recompute: Callable
) -> None:
    add_pledge(forum="GRF19", countries=("JO",), amount="250")
    recompute(dt.date(2025, 3, 31))
    add_pledge(forum="GRF19", countries=("JO",))
    recompute(dt.date(2025, 12, 31))
    recompute(dt.date(2026, 1, 1))

    assert headline(client.get("/dashboard/?year=2024"))["Published pledges"] == "3"
    in_2025 = client.get("/dashboard/?year=2025")
    assert headline(in_2025)["Published pledges"] == "5"
    assert "As of 31 December 2025." in in_2025.text
    assert "As of 1 January 2026." in client.get("/dashboard/").text
    # The history of the twelve months up to the as-of date, one row per snapshot.
    assert [r[0][0] for r in chart_table(in_2025, "money").rows] == ["31 Mar 2025", "31 Dec 2025"]
    assert [r[1][0] for r in chart_table(in_2025, "money").rows] == ["4", "5"]
    assert "2 dates of history in the twelve months up to this date, the first on 31 March" in (
        in_2025.text
    )
    in_2024 = client.get("/dashboard/?year=2024")
    assert [r[0][0] for r in chart_table(in_2024, "money").rows] == ["30 Jun 2024"]
    before = client.get("/dashboard/?year=2023")
    assert "No progress snapshot of this compact is dated on or before 31 December 2023" in (
        before.text
    )


def test_htmx_request_gets_the_dashboard_body_only_and_the_clean_url(
    client: Client, world: None
) -> None:
    full = client.get("/dashboard/?forum=GRF23&region=&entity_type=&year=")
    partial = client.get(
        "/dashboard/?forum=GRF23&region=&entity_type=&year=", headers={"HX-Request": "true"}
    )

    assert "<html" in full.text
    assert "chart.umd.min.js" in full.text
    assert "<html" not in partial.text
    assert partial.text.lstrip().startswith('<div id="dashboard"')
    assert headline(partial)["Published pledges"] == "2"
    assert partial["HX-Push-Url"] == "/dashboard/?forum=GRF23"
    assert "HX-Request" in partial["Vary"]


def test_htmx_history_restore_gets_the_whole_page(client: Client, world: None) -> None:
    response = client.get(
        "/dashboard/?forum=GRF23",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )

    assert "<html" in response.text


def test_the_form_and_tabs_work_without_javascript(client: Client, world: None) -> None:
    response = client.get("/dashboard/")

    assert re.search(r'<form method="get" action="/dashboard/"', response.text)
    assert 'hx-get="/dashboard/"' in response.text
    assert 'hx-push-url="true"' in response.text
    assert 'href="/dashboard/?compact=GCM"' in response.text
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in (
        response.text
    )
    assert " style=" not in response.text


def test_gcm_tab_shows_the_gcm_objectives(client: Client, world: None, recompute: Any) -> None:
    response = client.get("/dashboard/?compact=GCM")

    assert response.text.count('<li class="objective-card">') == 23
    assert 'aria-current="page">Global Compact for Safe' in response.text


@pytest.mark.parametrize(
    ("query", "chart", "row", "expected"),
    [
        ("", "forum", 0, {"compact": ["GCR"], "forum": ["GRF23"]}),
        ("", "region", 0, {"compact": ["GCR"], "region": ["002"]}),
        ("", "entity_type", 0, {"compact": ["GCR"], "entity_type": ["state"]}),
        ("", "countries", 0, {"compact": ["GCR"], "country": ["KE"]}),
        ("", "status", 3, {"compact": ["GCR"], "implementation_status": ["fulfilled"]}),
        ("", "status", 5, {"compact": ["GCR"], "implementation_status": ["none"]}),
        ("?forum=GRF19", "money", 0, {"compact": ["GCR"], "forum": ["GRF19"]}),
        ("?entity_type=ngo", "objectives", 0, {"objective": ["GCR-1"], "entity_type": ["ngo"]}),
    ],
)
def test_numbers_link_to_the_pledges_they_count(
    client: Client, world: None, query: str, chart: str, row: int, expected: dict[str, list[str]]
) -> None:
    table = chart_table(client.get(f"/dashboard/{query}"), chart)
    number, url = next(cell for cell in table.rows[row] if cell[1])

    parts = urlsplit(url)
    assert parts.path == "/pledges/"
    assert parse_qs(parts.query) == expected
    listed = client.get(url)
    if chart != "objectives":  # (that cell is a score; the others are pledge counts)
        assert total(listed) == int(number)


def test_headline_and_cards_link_to_their_pledges(client: Client, world: None) -> None:
    response = client.get("/dashboard/?region=002")

    assert '<dd><a href="/pledges/?compact=GCR&amp;region=002">2</a>' in response.text
    assert 'href="/pledges/?objective=GCR-2&amp;region=002">1 pledge</a>' in response.text
    assert total(client.get("/pledges/?objective=GCR-2&region=002")) == 1


def test_the_global_region_is_shown_without_a_wrong_link(
    client: Client, world: None, add_pledge: Callable[..., Any], recompute: Callable
) -> None:
    pledge = add_pledge(countries=())
    pledge.geography_scope = "global"
    pledge.save()
    recompute(FIRST)

    table = chart_table(client.get("/dashboard/"), "region")
    [global_row] = [r for r in table.rows if r[1][0] == "global"]

    assert global_row[2] == ("1", None)
    assert "cannot select them by scope" in client.get("/dashboard/").text


def test_nav_link_is_current_on_the_dashboard(client: Client, world: None) -> None:
    response = client.get("/dashboard/")

    assert '<a href="/dashboard/" aria-current="page">Dashboard</a>' in response.text


def test_overdue_figures_link_to_exactly_the_overdue_pledges(
    client: Client, world: None, recompute: Callable
) -> None:
    # As of today the in-progress pledge (last update May 2024) and the one never updated
    # (published January 2024) are overdue; the fulfilled one is not.
    recompute(as_of_today())
    page = client.get("/dashboard/").text

    headline = re.search(r'<dd><a href="([^"]*overdue=true[^"]*)">(\d+)</a>', page)
    card = re.search(r'<a href="([^"]*objective=GCR-1[^"]*overdue=true)">(\d+) overdue</a>', page)

    assert headline is not None
    assert headline.group(2) == "2"
    assert total(client.get(headline.group(1).replace("&amp;", "&"))) == 2
    assert card is not None
    assert card.group(2) == "1"
    assert total(client.get(card.group(1).replace("&amp;", "&"))) == 1
