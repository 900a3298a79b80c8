"""Charts on an Arabic page draw right to left; on an English page left to right (real
headless Chromium, demo data; an Arabic dashboard with country slices once answered 500)."""

from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page

from .test_dashboard import DRAWN

pytestmark = pytest.mark.django_db(transaction=True)

DIRECTION = """id => {
  const chart = Chart.getChart(document.getElementById(id));
  return {
    reverse: chart.options.scales.x.reverse,
    yPosition: chart.options.scales.y.position,
    legendRtl: chart.options.plugins.legend.rtl,
    labels: chart.data.labels,
  };
}"""


@pytest.mark.parametrize(("language", "rtl"), [("ar", True), ("en", False)])
def test_dashboard_charts_follow_the_page_direction(
    live_server: Any, reference_data: None, page: Page, language: str, rtl: bool
) -> None:
    call_command("seed_demo", pledges=120, force=True, verbosity=0)
    call_command("recompute_progress", verbosity=0)
    prefix = "" if language == "en" else f"/{language}"
    page.goto(f"{live_server.url}{prefix}/dashboard/")
    page.wait_for_function(DRAWN, arg=["chart-forum"])

    chart = page.evaluate(DIRECTION, "chart-forum")

    assert chart["reverse"] is rtl
    assert chart["yPosition"] == ("right" if rtl else "left")
    assert chart["legendRtl"] is rtl
