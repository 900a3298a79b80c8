from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_home_page_renders_both_compacts_in_a_real_browser(
    live_server, reference_data: None, page: Page, artifacts: Path
) -> None:
    page.goto(live_server.url + "/")

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Global Compact on Refugees (GCR)")).to_be_visible()
    expect(page.locator("ol.objectives >> li")).to_have_count(27)
    page.screenshot(path=str(artifacts / "home.png"), full_page=True)
