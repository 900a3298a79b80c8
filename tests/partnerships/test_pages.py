"""The MSP pages: what the public sees (and does not), and the workspace journeys with their
refusals (403 for a signed-in user without the right, 404 for what does not exist)."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from indicators import engine
from partnerships.models import (
    LeadStatus,
    MembershipOrigin,
    MembershipState,
    MultistakeholderLead,
    MultistakeholderMembership,
    MultistakeholderPledge,
)
from pledges.models import ReviewState
from tests.caching import clear_run_cache
from tests.factories import EntityFactory, PledgeFactory

from .conftest import World

pytestmark = pytest.mark.django_db


def _member(world: World, pledge, state: str = MembershipState.ACCEPTED) -> None:
    now = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    MultistakeholderMembership.objects.create(
        msp=world.msp,
        pledge=pledge,
        state=state,
        origin=MembershipOrigin.SECRETARIAT,
        requested_at=now,
        decided_at=None if state == MembershipState.REQUESTED else now,
    )


def _login(client: Client, user) -> Client:
    client.force_login(user)
    return client


def test_the_list_is_paginated_sorted_and_has_an_empty_state(client: Client, world: World) -> None:
    url = reverse("partnerships:msp-list")
    MultistakeholderPledge.objects.all().delete()
    assert "No multistakeholder pledge is recorded yet." in client.get(url).content.decode()
    for n in range(30):
        MultistakeholderPledge.objects.create(
            slug=f"msp-{n:02d}", title=f"MSP {n:02d}", compact=world.pledge.compact
        )
    first = client.get(url).content.decode()
    assert "MSP 00" in first
    assert "MSP 29" not in first
    assert "MSP 29" in client.get(url, {"page": 2}).content.decode()
    newest = client.get(url, {"sort": "newest"}).content.decode()
    assert newest.index("MSP 29") < newest.index("MSP 28")
    assert client.get(url, {"sort": "nonsense"}).status_code == 200


def test_the_detail_shows_only_public_leads_and_published_members(
    client: Client, world: World
) -> None:
    _member(world, world.pledge)
    draft = PledgeFactory(entity=world.pledge.entity, forum=world.pledge.forum, title="Secret")
    _member(world, draft)
    asked = PledgeFactory(
        entity=world.pledge.entity,
        forum=world.pledge.forum,
        review_state=ReviewState.PUBLISHED,
        title="Only asked",
    )
    _member(world, asked, MembershipState.REQUESTED)
    MultistakeholderLead.objects.create(
        msp=world.msp, entity=EntityFactory(name="Invited Only"), status=LeadStatus.INVITED
    )
    MultistakeholderLead.objects.create(
        msp=world.msp,
        entity=EntityFactory(name="Unverified Lead", is_verified=False),
        status=LeadStatus.ACCEPTED,
    )
    engine.recompute_msps([world.msp.pk])
    page = client.get(reverse("partnerships:msp-detail", args=["resettlement"])).content.decode()
    assert "Lead Organisation" in page
    assert "Invited Only" not in page
    assert "Unverified Lead" not in page
    assert world.pledge.reference in page
    assert "Secret" not in page
    assert "Only asked" not in page
    # The figures link to the browser filtered to the members, and say who computed them.
    assert "/pledges/?msp=resettlement" in page
    assert "not official figures" in page
    figures = page[page.index('id="figures-heading"') :]
    assert ">1</a>" in figures  # one member pledge counted


def test_an_unknown_msp_is_404(client: Client, world: World) -> None:
    assert client.get(reverse("partnerships:msp-detail", args=["nope"])).status_code == 404


def test_the_pledges_entity_asks_to_join_and_a_lead_accepts(client: Client, world: World) -> None:
    join = reverse("partnerships:pledge-join", args=[world.pledge.reference])
    _login(client, world.member_a)
    assert client.get(join).status_code == 200
    response = client.post(join, {"msp": world.msp.pk, "message": "Please"})
    assert response.status_code == 302
    membership = MultistakeholderMembership.objects.get()
    assert membership.state == MembershipState.REQUESTED

    _login(client, world.lead_member)
    requests = client.get(reverse("partnerships:msp-requests", args=[world.msp.slug]))
    assert world.pledge.reference in requests.content.decode()
    decide = reverse("partnerships:membership-decide", args=[membership.pk])
    confirm = client.get(decide, {"decision": "accept"})
    assert "Confirm the decision" in confirm.content.decode()
    assert client.post(decide, {"decision": "accept", "message": "Welcome"}).status_code == 302
    membership.refresh_from_db()
    assert membership.state == MembershipState.ACCEPTED
    assert membership.message == "Welcome"


def test_a_bad_decision_shows_field_errors_and_changes_nothing(
    client: Client, world: World
) -> None:
    _member(world, world.pledge, MembershipState.REQUESTED)
    membership = MultistakeholderMembership.objects.get()
    _login(client, world.lead_member)
    decide = reverse("partnerships:membership-decide", args=[membership.pk])
    response = client.post(decide, {"decision": "maybe", "message": "x" * 2001})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    membership.refresh_from_db()
    assert membership.state == MembershipState.REQUESTED


def test_outsiders_get_403_and_anonymous_visitors_the_login_page(
    client: Client, world: World, secretariat
) -> None:
    _member(world, world.pledge, MembershipState.REQUESTED)
    membership = MultistakeholderMembership.objects.get()
    managed = [
        reverse("partnerships:msp-requests", args=[world.msp.slug]),
        reverse("partnerships:msp-members", args=[world.msp.slug]),
        reverse("partnerships:msp-outcomes", args=[world.msp.slug]),
        reverse("partnerships:membership-decide", args=[membership.pk]),
    ]
    secretariat_only = [
        reverse("partnerships:msp-create"),
        reverse("partnerships:msp-edit", args=[world.msp.slug]),
        reverse("partnerships:msp-leads", args=[world.msp.slug]),
    ]
    join = reverse("partnerships:pledge-join", args=[world.pledge.reference])
    for url in [*managed, *secretariat_only, join]:
        assert client.get(url).status_code == 302, url  # to the login page
    _login(client, world.outsider)
    for url in [*managed, *secretariat_only, join]:
        assert client.get(url).status_code == 403, url
    _login(client, world.lead_member)
    for url in managed:
        assert client.get(url).status_code == 200, url
    for url in secretariat_only:
        assert client.get(url).status_code == 403, url
    _login(client, secretariat)
    for url in [*managed, *secretariat_only]:
        assert client.get(url).status_code == 200, url


def test_a_draft_of_another_entity_is_404_on_the_join_page(client: Client, world: World) -> None:
    draft = PledgeFactory(forum=world.pledge.forum)
    _login(client, world.outsider)
    url = reverse("partnerships:pledge-join", args=[draft.reference])
    assert client.get(url).status_code == 404


def test_the_secretariat_creates_an_msp_and_invites_a_lead(
    client: Client, world: World, secretariat
) -> None:
    _login(client, secretariat)
    before = MultistakeholderPledge.objects.count()
    bad = client.post(reverse("partnerships:msp-create"), {"title": "", "status": "active"})
    assert bad.status_code == 200
    assert MultistakeholderPledge.objects.count() == before
    taken = client.post(
        reverse("partnerships:msp-create"),
        {"title": "Resettlement", "compact": world.msp.compact_id, "status": "active"},
    )
    assert "Another multistakeholder pledge has this code." in taken.content.decode()
    response = client.post(
        reverse("partnerships:msp-create"),
        {"title": "Education in emergencies", "compact": world.msp.compact_id, "status": "active"},
    )
    assert response.status_code == 302
    msp = MultistakeholderPledge.objects.get(slug="education-in-emergencies")
    entity = EntityFactory(name="Climate Group", acronym="CG")
    leads = reverse("partnerships:msp-leads", args=[msp.slug])
    assert client.post(leads, {"entity": "cg"}).status_code == 302
    assert msp.leads.get().entity == entity
    unknown = client.post(leads, {"entity": "Nobody"})
    assert "No verified entity has this name or acronym." in unknown.content.decode()


def test_the_secretariat_links_a_pledge_and_edits_key_outcomes(
    client: Client, world: World, secretariat
) -> None:
    _login(client, secretariat)
    members = reverse("partnerships:msp-members", args=[world.msp.slug])
    assert client.post(members, {"reference": world.pledge.reference}).status_code == 302
    assert MultistakeholderMembership.objects.get().state == MembershipState.ACCEPTED
    outcomes = reverse("partnerships:msp-outcomes", args=[world.msp.slug])
    data = {
        "outcomes-TOTAL_FORMS": "2",
        "outcomes-INITIAL_FORMS": "0",
        "outcomes-0-text": "Resettle 1 million refugees",
        "outcomes-0-unit": "persons",
        "outcomes-0-target_value": "1000000",
        "outcomes-0-target_year": "2030",
        "outcomes-1-text": "",
    }
    assert client.post(outcomes, data).status_code == 302
    assert list(world.msp.key_outcomes.values_list("text", flat=True)) == [
        "Resettle 1 million refugees"
    ]
    page = client.get(reverse("partnerships:msp-detail", args=[world.msp.slug]))
    assert "Resettle 1 million refugees" in page.content.decode()


def test_the_pledge_browser_filters_and_counts_by_msp(client: Client, world: World) -> None:
    _member(world, world.pledge)
    other = PledgeFactory(
        entity=world.pledge.entity,
        forum=world.pledge.forum,
        review_state=ReviewState.PUBLISHED,
        title="Not a member",
    )
    _member(world, other, MembershipState.REQUESTED)  # asked only: not a member yet
    page = client.get(reverse("pledges:pledge-list"), {"msp": "resettlement"}).content.decode()
    assert world.pledge.reference in page
    assert "Not a member" not in page
    facet = page[page.index('id="facet-msp"') :]
    assert "Resettlement" in facet[: facet.index("</fieldset>")]
    api = client.get("/api/v1/pledges/", {"msp": "resettlement"}).json()
    assert [p["reference"] for p in api["results"]] == [world.pledge.reference]
    assert client.get("/api/v1/pledges/", {"msp": "nope"}).status_code == 400


def test_the_dashboard_slice_charts_the_members_figures(client: Client, world: World) -> None:
    _member(world, world.pledge)
    url = reverse("dashboards:msp", args=[world.msp.slug])
    assert "The figures have not been computed yet." in client.get(url).content.decode()
    engine.recompute_msps([world.msp.pk])
    clear_run_cache()  # the dashboard caches per snapshot version; tests bump nothing
    page = client.get(url).content.decode()
    assert "Implementation status of the member pledges" in page
    assert "/pledges/?msp=resettlement&amp;implementation_status=none" in page
    csv = client.get(reverse("dashboards:msp-csv", args=[world.msp.slug, "status"]))
    assert csv.status_code == 200
    assert "No update yet,1," in csv.content.decode()
    assert client.get(reverse("dashboards:msp-csv", args=[world.msp.slug, "x"])).status_code == 404
    assert client.get(reverse("dashboards:msp", args=["nope"])).status_code == 404


def test_the_pledge_page_links_its_entity_to_the_join_page(client: Client, world: World) -> None:
    join = reverse("partnerships:pledge-join", args=[world.pledge.reference])
    page = reverse("pledges:pledge-detail", args=[world.pledge.reference])
    assert join not in client.get(page).content.decode()
    _login(client, world.member_a)
    assert join in client.get(page).content.decode()


def test_the_join_form_offers_only_msps_the_pledge_is_not_in(client: Client, world: World) -> None:
    other = MultistakeholderPledge.objects.create(
        slug="other-msp", title="Other MSP", compact=world.pledge.compact
    )
    # This pledge was declined by `other` and another pledge asked to join it: `other` is
    # still offered (a declined request is not a current membership).
    now = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    MultistakeholderMembership.objects.create(
        msp=other,
        pledge=world.pledge,
        state=MembershipState.DECLINED,
        requested_at=now,
        decided_at=now,
    )
    MultistakeholderMembership.objects.create(
        msp=other,
        pledge=PledgeFactory(entity=world.pledge.entity, forum=world.pledge.forum),
        state=MembershipState.REQUESTED,
        requested_at=now,
    )
    _login(client, world.member_a)
    page = client.get(reverse("partnerships:pledge-join", args=[world.pledge.reference]))
    options = page.content.decode()
    assert f'value="{world.msp.pk}"' in options
    assert f'value="{other.pk}"' in options
    _member(world, world.pledge, MembershipState.REQUESTED)
    page = client.get(reverse("partnerships:pledge-join", args=[world.pledge.reference]))
    assert f'value="{world.msp.pk}"' not in page.content.decode()
