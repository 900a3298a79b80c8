"""The report prints cleanly: in headless Chromium with print media, the site's header, the
filters and the buttons disappear, the filters in words stay on top, and each section after the
first starts a page. The printed PDF is saved as a test artifact."""

from pathlib import Path
from typing import Any

from django.test import Client
from playwright.sync_api import Browser


def test_report_prints_without_site_chrome_one_section_per_page(
    live_server: Any,
    browser: Browser,
    client: Client,
    secretariat: Any,
    dataset: dict[str, Any],
    artifacts: Path,
) -> None:
    client.force_login(secretariat)
    context = browser.new_context()
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/reports/?compact=GCR&since=2026-01-01")
    assert page.locator(".site-header").is_visible()
    assert page.locator(".report-filters").is_visible()

    page.emulate_media(media="print")

    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".report-filters").is_visible()
    assert not page.locator(".report-actions").is_visible()
    meta = page.locator(".report-meta")
    assert meta.is_visible()
    assert "Since" in meta.inner_text()
    assert "2026-01-01" in meta.inner_text()
    breaks = page.eval_on_selector_all(
        ".report-section", "els => els.map(e => getComputedStyle(e).breakBefore)"
    )
    assert breaks[0] != "page"
    assert set(breaks[1:]) == {"page"}
    assert (
        page.eval_on_selector(".report-section a", "a => getComputedStyle(a).textDecorationLine")
        == "none"
    )
    page.pdf(path=str(artifacts / "secretariat-report.pdf"), format="A4")
    context.close()
