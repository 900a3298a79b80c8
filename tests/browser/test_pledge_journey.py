"""The whole pledge lifecycle as people live it, in a real headless Chromium:

a stakeholder creates and submits a pledge → the secretariat requests changes → the stakeholder
fixes and resubmits → the secretariat publishes → an anonymous visitor finds it through search and
facets → the stakeholder reports progress → the secretariat approves the update → the pledge's
timeline shows it. Everybody logs in through the real login form; screenshots of each step land in
test-artifacts/journey-*.png.
"""

import re
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import Browser, Page, expect

from pledges.models import Pledge, ReviewState, UpdateReviewState
from pledges.roles import ensure_secretariat_group
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "journey-pass-2026"
TITLE = "Open national schools to refugee children"
DESCRIPTION = (
    "The Ministry of Education will enrol refugee children in national primary schools in "
    "Turkana and Garissa counties, train teachers and recognise prior learning."
)


def account(email: str, **extra: Any) -> Any:
    user = UserFactory(email=email, password=PASSWORD, **extra)
    # allauth requires a confirmed address before a password login.
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def log_in(browser: Browser, base: str, email: str) -> Page:
    page = browser.new_context().new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill('input[name="login"]', email)
    page.fill('input[name="password"]', PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    # Stakeholders land on their workspace, the secretariat on its review queue.
    expect(page).to_have_url(re.compile(r"/(my|review)/$"))
    return page


def shot(page: Page, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"journey-{name}.png"), full_page=True)


def test_pledge_goes_from_draft_to_published_with_an_approved_update(
    live_server: Any, browser: Browser, reference_data: None, artifacts: Path
) -> None:
    base = live_server.url
    stakeholder = account("focal@ministry.example.org")
    MembershipFactory(user=stakeholder, entity__name="Ministry of Education of Kenya")
    reviewer = account("reviewer@secretariat.example.org", is_staff=True)
    reviewer.groups.add(ensure_secretariat_group()[0])

    # 1. The stakeholder creates a pledge and submits it for review.
    s = log_in(browser, base, "focal@ministry.example.org")
    s.goto(f"{base}/my/pledges/new/")
    s.check('input[name="compact"][data-compact="GCR"]')
    s.get_by_label("Forum", exact=True).select_option(label="Global Refugee Forum 2023")
    s.get_by_label("Title", exact=True).fill(TITLE)
    s.get_by_label("Description", exact=True).fill(DESCRIPTION)
    s.locator('fieldset.compact-group[data-compact="GCR"] input[name="objectives"]').nth(1).check()
    s.get_by_label("Beneficiary countries").select_option("KE")
    shot(s, artifacts, "1-form")
    s.locator('button[name="intent"][value="submit"]').click()
    expect(s.locator(".messages")).to_contain_text("submitted for review")
    reference = re.search(r"/pledges/([A-Z0-9]+-\d+)/", s.url).group(1)
    assert Pledge.objects.get(reference=reference).review_state == ReviewState.SUBMITTED

    # 2. The secretariat finds it in the review queue and requests changes, with a reason.
    r = log_in(browser, base, "reviewer@secretariat.example.org")
    r.goto(f"{base}/review/")
    shot(r, artifacts, "2-queue")
    r.get_by_role("link", name=reference).first.click()
    r.locator("summary", has_text="Request changes").click()
    r.fill("#reason-request_changes", "Please add a quantified target for enrolment.")
    r.locator("form:has(#reason-request_changes) button[type=submit]").click()
    expect(r.locator(".messages")).to_contain_text(reference)
    assert Pledge.objects.get(reference=reference).review_state == ReviewState.CHANGES_REQUESTED

    # 3. The stakeholder reads the reason, adds a target and resubmits.
    s.goto(f"{base}/pledges/{reference}/")
    expect(s.get_by_text("Please add a quantified target for enrolment.")).to_be_visible()
    s.get_by_role("link", name="Edit", exact=True).click()
    s.fill('input[name="targets-0-metric"]', "Refugee children enrolled")
    s.select_option('select[name="targets-0-unit"]', "persons")
    s.fill('input[name="targets-0-target_value"]', "10000")
    s.locator('button[name="intent"][value="submit"]').click()
    expect(s.locator(".messages")).to_contain_text(reference)
    assert Pledge.objects.get(reference=reference).review_state == ReviewState.RESUBMITTED

    # 4. The secretariat publishes it.
    r.goto(f"{base}/pledges/{reference}/")
    r.get_by_role("button", name="Publish", exact=True).click()
    expect(r.locator(".messages")).to_contain_text(reference)
    assert Pledge.objects.get(reference=reference).review_state == ReviewState.PUBLISHED

    # 5. An anonymous visitor finds it through full-text search and a country facet.
    a = browser.new_context().new_page()
    a.goto(f"{base}/pledges/")
    a.fill('input[name="q"]', "refugee schools")
    a.get_by_role("button", name="Search").click()
    a.check('input[name="country"][value="KE"]')
    a.get_by_role("button", name="Apply filters").click()
    expect(a).to_have_url(re.compile(r"country=KE"))
    shot(a, artifacts, "5-search")
    a.get_by_role("link", name=re.compile(TITLE)).first.click()
    expect(a.get_by_role("heading", level=1)).to_contain_text(TITLE)

    # 6. The stakeholder reports progress against the target.
    s.goto(f"{base}/pledges/{reference}/")
    s.get_by_role("link", name="Report progress").click()
    s.check('input[name="status"][value="in_progress"]')
    s.get_by_label("Report date").fill("2026-06-30")
    narrative = "2,500 refugee children enrolled in 40 schools this year."
    s.get_by_label("Narrative", exact=True).fill(narrative)
    s.get_by_label("Refugee children enrolled").fill("2500")
    s.get_by_role("button", name="Submit update").click()
    expect(s.locator(".messages")).to_be_visible()
    pledge = Pledge.objects.get(reference=reference)
    assert pledge.updates.get().review_state == UpdateReviewState.PENDING

    # Not yet public: pending updates do not appear on the public timeline.
    a.goto(f"{base}/pledges/{reference}/")
    expect(a.get_by_text("2,500 refugee children enrolled")).to_have_count(0)

    # 7. The secretariat approves the update from its queue.
    r.goto(f"{base}/review/updates/")
    r.get_by_role("link", name=re.compile(reference)).first.click()
    r.get_by_role("button", name="Approve").click()
    expect(r.locator(".messages")).to_be_visible()

    # 8. The public timeline shows the approved update and the pledge's new status.
    a.goto(f"{base}/pledges/{reference}/")
    expect(
        a.get_by_text("2,500 refugee children enrolled in 40 schools this year.")
    ).to_be_visible()
    shot(a, artifacts, "8-timeline")
    pledge.refresh_from_db()
    assert pledge.implementation_status == "in_progress"
