"""Two of issue 17's journeys in a real headless Chromium, each person logging in through the
real login form:

- an entity asks for its published pledge to join a multistakeholder pledge, a member of the
  MSP's lead entity accepts, and the MSP's public page then lists the pledge;
- a pledge that seeks support gets an offer suggested, its entity proposes the match, the
  offering entity accepts it, and both public pledge pages show the match.

Screenshots of each step land in test-artifacts/msp-*.png and matching-*.png.
"""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from compacts.models import Compact
from core.models import Country
from forums.models import Forum
from matching.models import Match, MatchState, Side, SupportPosition
from partnerships.models import (
    LeadStatus,
    MembershipState,
    MultistakeholderLead,
    MultistakeholderMembership,
    MultistakeholderPledge,
)
from pledges.models import Pledge, SupportType
from tests.browser.test_pledge_journey import account, log_in, shot
from tests.factories import EntityFactory, MembershipFactory, PledgeFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _published(reference: str, title: str, entity: Any) -> Pledge:
    return PledgeFactory(
        reference=reference,
        title=title,
        entity=entity,
        forum=Forum.objects.get(code="GRF23"),
        review_state="published",
        objectives=[],
    )


def test_an_entity_asks_to_join_an_msp_and_a_lead_accepts(
    live_server: Any, browser: Browser, reference_data: None, artifacts: Path
) -> None:
    base = live_server.url
    ministry = EntityFactory(name="Ministry of Education of Kenya")
    MembershipFactory(user=account("focal@ministry.example.org"), entity=ministry)
    lead_entity = EntityFactory(name="Education Alliance Secretariat")
    MembershipFactory(user=account("lead@alliance.example.org"), entity=lead_entity)
    msp = MultistakeholderPledge.objects.create(
        slug="journey-education",
        title="Journey alliance for refugee education",
        compact=Compact.objects.get(code="GCR"),
        forum=Forum.objects.get(code="GRF23"),
    )
    MultistakeholderLead.objects.create(msp=msp, entity=lead_entity, status=LeadStatus.ACCEPTED)
    pledge = _published("GRF23-09001", "Refugee children in national schools", ministry)

    # 1. The pledge's entity opens "Join a multistakeholder pledge" from its pledge page.
    s = log_in(browser, base, "focal@ministry.example.org")
    s.goto(f"{base}/pledges/{pledge.reference}/")
    s.get_by_role("link", name="Join a multistakeholder pledge").click()
    expect(s.get_by_role("heading", level=1)).to_contain_text(pledge.reference)
    s.get_by_label("Multistakeholder pledge").select_option(label=msp.title)
    s.get_by_label("Message").fill("We enrol 10,000 refugee children by 2027.")
    shot(s, artifacts, "msp-1-ask")
    s.get_by_role("button", name="Ask to join").click()
    expect(s.locator(".messages")).to_be_visible()
    membership = MultistakeholderMembership.objects.get(msp=msp, pledge=pledge)
    assert membership.state == MembershipState.REQUESTED

    # 2. A member of the lead entity finds the request under "Join requests" and accepts it.
    lead = log_in(browser, base, "lead@alliance.example.org")
    lead.goto(f"{base}/multistakeholder-pledges/{msp.slug}/")
    lead.get_by_role("link", name="Join requests").click()
    expect(lead.get_by_text("We enrol 10,000 refugee children by 2027.")).to_be_visible()
    shot(lead, artifacts, "msp-2-requests")
    lead.get_by_role("link", name=f"Accept — {pledge.reference}").click()
    expect(lead.get_by_label("Accept")).to_be_checked()
    lead.get_by_label("Message").fill("Welcome to the alliance.")
    lead.get_by_role("button", name="Confirm the decision").click()
    expect(lead.locator(".messages")).to_contain_text(pledge.reference)
    expect(lead.get_by_text("No request is waiting for a decision.")).to_be_visible()
    membership.refresh_from_db()
    assert membership.state == MembershipState.ACCEPTED
    assert membership.message == "Welcome to the alliance."

    # 3. Anybody now sees the pledge among the MSP's members, and the entity sees the answer.
    a = browser.new_context().new_page()
    a.goto(f"{base}/multistakeholder-pledges/{msp.slug}/")
    members = a.get_by_role("region", name="Member pledges", exact=True)
    expect(members.get_by_role("link", name=pledge.title)).to_be_visible()
    expect(members).to_contain_text(pledge.reference)
    shot(a, artifacts, "msp-3-public")
    s.goto(f"{base}/my/pledges/{pledge.reference}/multistakeholder-pledges/")
    expect(s.locator("#memberships-heading + ul")).to_contain_text("Accepted")


def test_a_need_is_matched_to_an_offer_and_the_other_side_accepts(
    live_server: Any, browser: Browser, reference_data: None, artifacts: Path
) -> None:
    base = live_server.url
    host = EntityFactory(name="Ministry of Interior of Chad")
    MembershipFactory(user=account("focal@chad.example.org"), entity=host)
    donor = EntityFactory(name="Education Cannot Wait Fund")
    MembershipFactory(user=account("grants@fund.example.org"), entity=donor)
    seeking = _published("GRF23-09101", "Schools for refugee children in eastern Chad", host)
    offering = _published("GRF23-09201", "Grants for refugee education", donor)
    financial = SupportType.objects.get(code="financial")
    chad = Country.objects.get(code="TD")
    need = SupportPosition.objects.create(
        pledge=seeking,
        side=Side.SEEKS,
        support_type=financial,
        description="Funding for teachers and classrooms in refugee schools",
    )
    need.countries.set([chad])
    offer = SupportPosition.objects.create(
        pledge=offering,
        side=Side.OFFERS,
        support_type=financial,
        description="Grants for teachers in refugee schools",
    )
    offer.countries.set([chad])

    # 1. The seeking entity sees the offer suggested, with why, and proposes the match.
    s = log_in(browser, base, "focal@chad.example.org")
    s.goto(f"{base}/pledges/{seeking.reference}/matching/")
    suggestion = s.locator("#suggestions li").filter(has_text=offering.reference)
    expect(suggestion).to_contain_text("shared countries 1")
    expect(suggestion).to_contain_text("same type of support")
    shot(s, artifacts, "matching-1-suggested")
    suggestion.get_by_role("button", name="Propose this match").click()
    expect(s.locator(".messages")).to_contain_text("Match proposed")
    match = Match.objects.get(seeking=seeking, offering=offering)
    assert match.state == MatchState.PROPOSED

    # 2. Not public yet: an anonymous visitor sees no match on either pledge.
    a = browser.new_context().new_page()
    a.goto(f"{base}/pledges/{offering.reference}/")
    expect(a.locator("#matching")).to_contain_text("No accepted match.")

    # 3. The offering entity answers on its pledge's matching page, with a message.
    o = log_in(browser, base, "grants@fund.example.org")
    o.goto(f"{base}/pledges/{offering.reference}/matching/")
    row = o.locator("#matches li").filter(has_text=seeking.reference)
    expect(row).to_contain_text("Proposed")
    row.get_by_label("Message (optional)").fill("Glad to fund the teachers.")
    shot(o, artifacts, "matching-2-answer")
    row.get_by_role("button", name="Accept").click()
    expect(o.locator("#matches li").filter(has_text=seeking.reference)).to_contain_text("Accepted")
    match.refresh_from_db()
    assert match.state == MatchState.ACCEPTED
    assert match.offering_message == "Glad to fund the teachers."

    # 4. Both public pledge pages now show the accepted match, each naming the other pledge.
    for here, there in ((seeking, offering), (offering, seeking)):
        a.goto(f"{base}/pledges/{here.reference}/")
        expect(a.locator("#matching")).to_contain_text(there.reference)
    shot(a, artifacts, "matching-3-public")
