"""Pages work under the Content-Security-Policy in a real browser: Chromium reports every
violation (`securitypolicyviolation` events and console errors), and there must be none."""

from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import Page

from .conftest import World

pytestmark = pytest.mark.django_db(transaction=True)

LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
"""


def _violations(page: Page, url: str, console: list[str]) -> list[str]:
    console.clear()
    page.goto(url)
    page.wait_for_load_state("networkidle")
    found = page.evaluate("window.__csp")
    return [*found, *(m for m in console if "Content Security Policy" in m)]


def _pages(world: World) -> list[str]:
    published = world.targets["A-published"]["reference"]
    paths = ["/", "/pledges/", f"/pledges/{published}/", "/accounts/login/", "/objectives/GCR/1/"]
    try:
        paths.append(reverse("dashboards:dashboard"))
    except NoReverseMatch:  # the dashboards app is not there yet
        pass
    return paths


def test_public_pages_raise_no_csp_violation_in_chromium(
    live_server, world: World, page: Page, artifacts: Path
) -> None:
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(LISTEN)

    found = {path: _violations(page, live_server.url + path, console) for path in _pages(world)}

    page.screenshot(path=str(artifacts / "csp-last-page.png"), full_page=True)
    assert {path: v for path, v in found.items() if v} == {}


def test_api_docs_raise_no_csp_violation_in_chromium(live_server, page: Page) -> None:
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(LISTEN)

    assert _violations(page, live_server.url + "/api/docs/", console) == []
