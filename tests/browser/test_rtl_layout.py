"""No page scrolls sideways, in Arabic (right to left) or English, on a desktop (1280 px) or a
phone (390 px), in a real headless Chromium, on demo data: the home page, the pledge browser, a
pledge, the dashboard, the pledge form (a member of an entity), the review queue (the
secretariat), a pledge's attachments page with its upload form and an update's page. A page
wider than the window names the elements that stick out.

On the same seeded server, the dashboard's charts draw right to left in Arabic and left to right
in English (an Arabic dashboard with country slices once answered 500).

Screenshots of the Arabic and French home page and dashboard land in
test-artifacts/layout-<language>-<page>-<width>.png, to check the glyphs and the mirroring."""

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page

from accounts.models import User
from attachments.models import Attachment
from pledges.models import Pledge, ReviewState
from tests.factories import MembershipFactory

from .test_dashboard import DRAWN

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (1280, 390)
# The elements that reach past the window's left or right edge (a right-to-left page overflows
# to the left), outside any scroll container: the outermost ones, then the innermost (usually
# the culprit).
OVERFLOW = """() => {
  const width = window.innerWidth;
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || (box.right <= width + 1 && box.left >= -1)) continue;
    let clipped = false;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") { clipped = true; break; }
    }
    if (clipped) continue;
    const name = [el.tagName.toLowerCase() + (el.id ? "#" + el.id : ""), ...el.classList].join(".");
    out.push(`${name} [${Math.round(box.left)}, ${Math.round(box.right)}]`);
  }
  const shown = out.length > 6 ? [...out.slice(0, 3), "…", ...out.slice(-3)] : out;
  return {scroll: document.documentElement.scrollWidth, width, out: shown};
}"""


def _context(browser: Browser, base: str, width: int, user: User | None) -> BrowserContext:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}])
    return context


# Web fonts change the width of text: measure with the page's own fonts. (Waiting for the network
# to be idle instead cost half a second a page.) Then the page's charts, in the same round trip.
FONTS_AND_CHARTS = """async () => {
  await document.fonts.ready;
  return Array.from(document.querySelectorAll("canvas[data-chart]"), c => c.id);
}"""
DIRECTION = """id => {
  const chart = Chart.getChart(document.getElementById(id));
  return {
    reverse: chart.options.scales.x.reverse,
    yPosition: chart.options.scales.y.position,
    legendRtl: chart.options.plugins.legend.rtl,
  };
}"""


def _open(page: Page, url: str) -> None:
    page.goto(url)  # the load event: styles, scripts and images are in
    ids = page.evaluate(FONTS_AND_CHARTS)
    if ids:
        # Chart.js sizes its canvases once drawn: measure the page as people see it.
        page.wait_for_function(DRAWN, arg=ids)


def test_no_page_scrolls_sideways_and_charts_follow_the_direction_in_arabic_or_english(
    live_server: Any,
    browser: Browser,
    reference_data: None,
    secretariat: User,
    artifacts: Path,
) -> None:
    call_command("seed_demo", pledges=120, force=True, verbosity=0)
    call_command("recompute_progress", verbosity=0)
    member = MembershipFactory(user__email="focal.point.with.a.long.address@ministry.example.org")
    published = Pledge.objects.filter(review_state=ReviewState.PUBLISHED)
    pledge = max(published, key=lambda p: len(p.title) + len(p.description))
    assert Pledge.objects.filter(review_state=ReviewState.SUBMITTED).exists()  # a full queue
    # The demo's files: a published pledge's attachments page (as the secretariat, with the
    # upload form) and an approved update's page, both with long demo file names.
    on_pledge = Attachment.objects.filter(
        update__isnull=True, pledge__review_state=ReviewState.PUBLISHED
    ).first()
    on_update = Attachment.objects.filter(update__review_state="approved").first()
    assert on_pledge is not None
    assert on_update is not None
    assert on_update.update is not None
    pages = {
        "attachments": (f"/pledges/{on_pledge.pledge.reference}/attachments/", secretariat),
        "update": (
            f"/pledges/{on_update.pledge.reference}/updates/{on_update.update.public_id}/",
            None,
        ),
        "home": ("/", None),
        "pledges": ("/pledges/", None),
        "pledge": (f"/pledges/{pledge.reference}/", None),
        "dashboard": ("/dashboard/", None),
        "msps": ("/multistakeholder-pledges/", None),
        "msp": ("/multistakeholder-pledges/resettlement/", None),
        "msp-dashboard": ("/dashboard/multistakeholder-pledges/resettlement/", None),
        "pledge-form": ("/my/pledges/new/", member.user),
        "review-queue": ("/review/", secretariat),
    }
    base = live_server.url
    wide: list[str] = []
    for width in WIDTHS:
        for who in (None, member.user, secretariat):
            context = _context(browser, base, width, who)
            page = context.new_page()
            for name, (path, user) in pages.items():
                if user != who:
                    continue
                shots = name in ("home", "dashboard")
                for language in ("ar", "en", "fr") if shots else ("ar", "en"):
                    _open(page, base + ("" if language == "en" else f"/{language}") + path)
                    if name == "dashboard" and width == WIDTHS[0] and language != "fr":
                        rtl = language == "ar"
                        chart = page.evaluate(DIRECTION, "chart-forum")
                        assert chart == {
                            "reverse": rtl,
                            "yPosition": "right" if rtl else "left",
                            "legendRtl": rtl,
                        }, f"the {language} dashboard's chart runs the wrong way: {chart}"
                    if language != "fr":
                        seen = page.evaluate(OVERFLOW)
                        if seen["scroll"] > seen["width"]:
                            wide.append(
                                f"{language} {name} at {width}px: {seen['scroll']}px wide, "
                                f"sticking out: {', '.join(seen['out']) or '?'}"
                            )
                    if shots and language != "en":
                        shot = artifacts / f"layout-{language}-{name}-{width}.png"
                        page.screenshot(path=str(shot), full_page=True)
            context.close()

    assert not wide, "Pages that scroll sideways:\n  " + "\n  ".join(wide)
