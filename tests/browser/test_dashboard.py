"""The public dashboard in a real headless Chromium, on demo data: every chart is drawn by
Chart.js with data points, the world map draws its countries, and filters — combined — update the
page body in place (htmx) and the address.
A screenshot of each state lands in test-artifacts/dashboard-*.png."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.django_db(transaction=True)

CHARTS = [
    "chart-status",
    "chart-money",
    "chart-forum",
    "chart-region",
    "chart-entity-type",
    "chart-objectives",
    "chart-countries",
]
POINTS = """ids => ids.map(id => {
  const chart = Chart.getChart(document.getElementById(id));
  return chart ? chart.data.datasets[0].data.length : 0;
})"""
# htmx fires htmx:load (which draws the charts) only after its settle delay, so a swapped-in
# body is visible a moment before its charts exist: wait until every canvas holds a chart.
# The chart library loads deferred: until it has, no chart is drawn (and `Chart` is not defined).
DRAWN = (
    "ids => typeof Chart !== 'undefined'"
    " && ids.every(id => Chart.getChart(document.getElementById(id)) !== undefined)"
)


# The map's chart once drawn: how many country shapes it holds.
MAP_DRAWN = """() => {
  const canvas = document.getElementById('chart-map');
  const chart = typeof ChartGeo !== 'undefined' && canvas && Chart.getChart(canvas);
  return chart ? chart.data.datasets[0].data.length : 0;
}"""


def drawn_points(page: Page) -> dict[str, int]:
    """Data points of each chart, once every chart on the page has been drawn."""
    page.wait_for_function(DRAWN, arg=CHARTS)
    return dict(zip(CHARTS, page.evaluate(POINTS, CHARTS), strict=True))


def test_dashboard_draws_every_chart_and_filters_in_place(
    live_server: Any, reference_data: None, page: Page, artifacts: Path
) -> None:
    call_command("seed_demo", pledges=300, force=True, verbosity=0)
    call_command("recompute_progress", verbosity=0)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(live_server.url + "/dashboard/")

    expect(page.get_by_role("heading", level=1, name="Dashboard")).to_be_visible()
    expect(page.locator("canvas[data-chart]")).to_have_count(len(CHARTS))
    points = drawn_points(page)
    assert all(points.values()), points
    # The world map: Natural Earth's shapes, coloured by pledges (chartjs-chart-geo).
    assert page.wait_for_function(MAP_DRAWN).json_value() > 100
    page.screenshot(path=str(artifacts / "dashboard-gcr.png"), full_page=True)
    page.locator("#chart-map").screenshot(path=str(artifacts / "dashboard-map.png"))

    # Choosing a forum swaps the body in place: the page is not reloaded, the URL changes.
    page.evaluate("window.__sameDocument = true")
    before = page.locator("#headline-heading").inner_text()
    # (the forum with the most pledges: the first row of the per-forum table)
    first_row = page.locator("#chart-forum-caption ~ tbody tr").first
    forum_name = first_row.locator("th").inner_text()
    forum_code = first_row.locator("td").first.inner_text()
    page.select_option("#id_forum", forum_code)

    expect(page).to_have_url(re.compile(rf"/dashboard/\?compact=GCR&forum={forum_code}$"))
    expect(page.locator("#headline-heading")).to_contain_text(forum_name)
    assert page.locator("#headline-heading").inner_text() != before
    assert page.evaluate("window.__sameDocument") is True
    expect(page.locator("#chart-forum-caption ~ tbody tr.is-selected")).to_have_count(1)
    points = drawn_points(page)
    assert all(points.values()), points

    # A second filter combines with the first: figures computed on the fly, links keep both.
    page.select_option("#id_region", "002")
    expect(page).to_have_url(re.compile(rf"forum={forum_code}&region=002"))
    expect(page.locator(".as-of")).to_contain_text("These filters are combined")
    expect(page.locator("#id_region_error")).to_have_count(0)
    expect(page.locator("#chart-status-caption ~ tbody a").first).to_have_attribute(
        "href", re.compile(rf"forum={forum_code}.*region=002|region=002.*forum={forum_code}")
    )
    assert page.wait_for_function(MAP_DRAWN).json_value() > 100
    page.screenshot(path=str(artifacts / "dashboard-combined.png"), full_page=True)

    # The other compact, through its tab.
    page.get_by_role("link", name=re.compile("Global Compact for Safe")).click()
    expect(page).to_have_url(re.compile(r"compact=GCM"))
    expect(page.locator("li.objective-card")).to_have_count(23)
    points = drawn_points(page)
    assert all(points.values()), points
    assert page.evaluate("window.__sameDocument") is True
    page.screenshot(path=str(artifacts / "dashboard-gcm.png"), full_page=True)
    assert errors == []
