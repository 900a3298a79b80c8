"""No page scrolls sideways on a 390 px phone: every GET page of the permission matrix
(docs/security.md, the routes and objects of `tests/security/conftest.py`), as each role that may
open it (anonymous, a stakeholder, the secretariat), in a real Chromium. Wide tables scroll inside
their own box and charts resize, so the document is never wider than the window.

One browser context per role and a plain `page.goto` per page (no screenshots, no waiting for the
network): ~220 pages. Routes that answer a file (downloads, the schema, feeds) are left out before
the browser asks for them; the schema the API docs page loads is generated once, not once per
role. A page that is too wide is named with the elements that stick out."""

import functools
import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, Route
from playwright.sync_api import Error as PlaywrightError

from tests.browser.test_rtl_layout import OVERFLOW, _context

from . import matrix
from .conftest import World
from .matrix import ROLES, all_routes, fill, load_matrix

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = 390
PEOPLE = {"anonymous": None, "member_a": "member_a", "secretariat": "secretariat"}
# GET routes of the matrix that answer a file, not a page: nothing to lay out. (One missing here
# is still skipped, after the browser started its download.)
FILES = {
    "api-schema",
    "attachment-download",
    "core:healthz",
    "dashboards:dashboard-csv",
    "dashboards:msp-csv",
    "dashboards:objective-csv",
    "datapackages:package-file",
    "matching:matches-csv",
    "pledges:entity-queue-export",
    "pledges:pledge-export",
    "pledges:update-queue-export",
    "reports:overdue-csv",
    "reports:report-xlsx",
    "resources:file",
    "resources:objective-feed",
}


def _pages(world: World, role: str) -> list[str]:
    """The web pages (GET, not the API, not the sampled admin) the role may open."""
    routes = all_routes()
    column = ROLES.index(role)
    urls = []
    for row in load_matrix():
        route = routes.get(row.route)
        if route is None or route.is_api or row.method != "GET" or row.route.startswith("admin:"):
            continue
        if row.route in FILES:
            continue
        if row.expected[column] == "ok":
            urls.append(reverse(row.route, kwargs=fill(row, world.targets)))
    return sorted(set(urls))


def _check_menu_and_browser(page: Page, base: str) -> None:
    """On a phone the menu is folded behind its button, and the pledge browser lists the
    results before its (folded) filters."""
    page.goto(base + "/pledges/")
    toggle = page.locator(".site-header .menu-toggle")
    menu = page.locator("#site-menu nav")
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not menu.is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert menu.is_visible()
    results = page.locator("#results-heading").bounding_box()
    filters = page.locator("details.facets-panel > summary").bounding_box()
    assert results is not None
    assert filters is not None
    assert results["y"] < filters["y"]
    assert page.locator("details.facets-panel").get_attribute("open") is None


def test_no_page_of_the_matrix_scrolls_sideways_at_390_px_as_any_role(
    live_server: Any, browser: Browser, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each row's URL arguments come from the URL resolver: walk it once, not once per row.
    monkeypatch.setattr(matrix, "all_routes", functools.cache(all_routes))
    schema: dict[str, Any] = {}

    def schema_once(route: Route) -> None:
        """The API docs page loads the schema, which takes seconds to generate: once is enough
        (it is the same for every role)."""
        if not schema:
            response = route.fetch()
            schema.update(status=response.status, headers=response.headers, body=response.body())
        route.fulfill(**schema)

    wide: list[str] = []
    for role, user_key in PEOPLE.items():
        user = world.users[user_key] if user_key else None
        context = _context(browser, live_server.url, PHONE, user)
        context.route(re.compile(r"/api/schema/"), schema_once)
        page = context.new_page()
        for path in _pages(world, role):
            try:
                response = page.goto(live_server.url + path)
            except PlaywrightError:  # a download (CSV, XLSX, a file) opens no page
                continue
            if response is None or "text/html" not in response.headers.get("content-type", ""):
                continue
            seen = page.evaluate(OVERFLOW)
            if seen["scroll"] > seen["width"]:
                wide.append(
                    f"{role} {path}: {seen['scroll']}px wide, sticking out: "
                    f"{', '.join(seen['out']) or '?'}"
                )
        if role == "anonymous":
            _check_menu_and_browser(page, live_server.url)
        context.close()

    assert not wide, "Pages wider than a 390 px phone:\n  " + "\n  ".join(wide)
