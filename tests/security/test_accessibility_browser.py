"""axe-core finds no accessibility violation on the pages of issues 20–22 (attachments, the
resource library, webhooks, imports, the data page, notifications, conversations, review with
context, reminders, withdrawing a verification, the dashboard's map and combined filters, the
pledge browser on a phone), as each role that uses them, in a real Chromium (issue 22:
"axe-core: 0 violations on the new pages, in a test").

The objects are the permission matrix's (`tests/security/conftest.py::World`). One browser
context per role, and one test that loops over the roles' pages and reports every violation at
once (the matrix's objects are built once). axe-core comes bundled in axe-playwright-python;
Playwright injects it past the page's CSP."""

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Browser

from tests.browser.test_dashboard import DRAWN
from tests.browser.test_rtl_layout import _context

from .conftest import World
from .matrix import route_kwargs

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP, PHONE = 1280, 390
# axe-core's WCAG 2.0/2.1/2.2 A and AA rules plus its best practices (landmarks, one h1, …).
OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
}
# (route, matrix object, query string, viewport width) per role: each page once, as the role
# that works on it (every signed-in page also checks that role's header and menu).
PAGES: dict[str, list[tuple[str, str, str, int]]] = {
    "anonymous": [
        ("pledges:pledge-list", "-", "", PHONE),
        ("pledges:pledge-list", "-", "?q=education", DESKTOP),
        ("dashboards:dashboard", "-", "", DESKTOP),
        ("dashboards:dashboard", "-", "?forum=GRF23&region=002&entity_type=government", DESKTOP),
        ("resources:list", "-", "", DESKTOP),
        ("resources:detail", "resource", "", DESKTOP),
        ("attachments:pledge-attachments", "A-published", "", DESKTOP),
        ("attachments:update-attachments", "A-update-approved", "", DESKTOP),
        ("datapackages:package-list", "-", "", DESKTOP),
        ("notifications:unsubscribe", "unsubscribe", "", DESKTOP),
    ],
    "member_a": [
        ("notifications:list", "-", "", DESKTOP),
        ("notifications:preferences", "-", "", DESKTOP),
        ("conversations:pledge-thread", "A-published", "", DESKTOP),
        ("conversations:update-thread", "A-update-pending", "", DESKTOP),
        ("attachments:pledge-attachments", "A-draft", "", DESKTOP),
        ("attachments:update-attachments", "A-update-pending", "", DESKTOP),
        ("attachments:remove", "A-draft-attachment", "", DESKTOP),
        ("resources:practice-submit", "-", "", DESKTOP),
        ("resources:my-practices", "-", "", DESKTOP),
        ("resources:practice-edit", "A-practice", "", DESKTOP),
        ("webhooks:list", "-", "", DESKTOP),
        ("webhooks:create", "-", "", DESKTOP),
        ("webhooks:detail", "A-webhook", "", DESKTOP),
        ("webhooks:edit", "A-webhook", "", DESKTOP),
        ("webhooks:rotate", "A-webhook", "", DESKTOP),
        ("webhooks:delete", "A-webhook", "", DESKTOP),
    ],
    "secretariat": [
        ("pledges:review-queue", "-", "", DESKTOP),
        ("pledges:review-decision", "A-submitted", "", DESKTOP),
        ("pledges:update-review", "A-update-pending", "", DESKTOP),
        ("conversations:pledge-thread", "A-draft", "", DESKTOP),
        ("reports:overdue-list", "-", "", DESKTOP),
        ("reminders:remind-now", "A-published", "", DESKTOP),
        ("resources:manage", "-", "", DESKTOP),
        ("resources:create", "-", "", DESKTOP),
        ("resources:criteria", "-", "", DESKTOP),
        ("resources:decision", "A-practice", "", DESKTOP),
        ("imports:list", "-", "", DESKTOP),
        ("imports:detail", "import", "", DESKTOP),
        ("pledges:entity-unverify", "entity-A", "", DESKTOP),
        ("dashboards:dashboard", "-", "?country=KEN&objective=1", PHONE),
    ],
}


def _describe(role: str, path: str, width: int, violations: list[dict[str, Any]]) -> list[str]:
    lines = []
    for violation in violations:
        nodes = violation["nodes"]
        where = "; ".join(" ".join(map(str, node["target"])) for node in nodes[:4])
        more = f" (+{len(nodes) - 4})" if len(nodes) > 4 else ""
        lines.append(f"{role} {path} @{width}px: {violation['id']} — {where}{more}")
    return lines


def test_the_new_pages_have_no_axe_violations_as_any_role(
    live_server: Any, browser: Browser, world: World
) -> None:
    axe = Axe()
    found: list[str] = []
    for role, pages in PAGES.items():
        context = _context(browser, live_server.url, DESKTOP, world.users.get(role))
        page = context.new_page()
        for route, target, query, width in pages:
            values = world.targets[target]
            path = reverse(route, kwargs={k: values[k] for k in route_kwargs(route)}) + query
            page.set_viewport_size({"width": width, "height": 900})
            response = page.goto(live_server.url + path)
            assert response is not None
            assert response.ok, f"{role} {path}: {response.status}"
            if page.locator("canvas[data-chart]").count():  # contrast is checked on drawn charts
                ids = page.eval_on_selector_all("canvas[data-chart]", "cs => cs.map(c => c.id)")
                page.wait_for_function(DRAWN, arg=ids)
            results = axe.run(page, options=OPTIONS)
            found += _describe(role, path, width, results.response["violations"])
        context.close()

    assert not found, "axe-core violations:\n  " + "\n  ".join(found)
