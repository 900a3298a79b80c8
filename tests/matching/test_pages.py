"""The matching pages: the pledge page shows accepted matches to everybody (nothing else), the
matching page lets each side answer, suggestions lead to a proposal, and the secretariat's
queue lists seeking pledges with suggestions."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from matching import services
from matching.models import Match, Side
from pledges.models import Pledge
from tests.factories import PledgeFactory

from .conftest import position

pytestmark = pytest.mark.django_db


def _page(client: Client, pledge: Pledge) -> str:
    response = client.get(reverse("pledges:pledge-detail", args=[pledge.reference]))
    assert response.status_code == 200
    return response.content.decode()


def test_only_accepted_matches_appear_publicly_on_both_pledges(
    client: Client, seeking: Pledge, offering: Pledge, member_a: Any, member_b: Any
) -> None:
    match = services.propose_match(seeking=seeking, offering=offering, by=member_a)
    assert offering.reference not in _page(client, seeking)  # proposed: not public

    services.decide_match(match=match, accept=True, by=member_b)

    assert f"{offering.reference} — {offering.title}" in _page(client, seeking)
    assert f"{seeking.reference} — {seeking.title}" in _page(client, offering)
    matching_page = client.get(reverse("matching:pledge-matching", args=[seeking.reference]))
    assert offering.reference in matching_page.content.decode()


def test_an_accepted_match_of_a_withdrawn_pledge_disappears(
    client: Client, seeking: Pledge, offering: Pledge, member_a: Any, member_b: Any
) -> None:
    match = services.propose_match(seeking=seeking, offering=offering, by=member_a)
    services.decide_match(match=match, accept=True, by=member_b)
    Pledge.objects.filter(pk=seeking.pk).update(review_state="withdrawn")

    assert seeking.reference not in _page(client, offering)


def test_the_other_side_answers_on_its_matching_page(
    client: Client, seeking: Pledge, offering: Pledge, member_a: Any, member_b: Any
) -> None:
    match = services.propose_match(seeking=seeking, offering=offering, by=member_a)
    client.force_login(member_b)

    page = client.get(reverse("matching:pledge-matching", args=[offering.reference]))
    assert reverse("matching:match-decide", args=[match.public_id]) in page.content.decode()
    answered = client.post(
        reverse("matching:match-decide", args=[match.public_id]),
        {"response": "accept", "message": "Welcome"},
        follow=True,
    )

    match.refresh_from_db()
    assert (match.state, match.offering_message) == ("accepted", "Welcome")
    assert "Accepted" in answered.content.decode()


def test_a_suggestion_is_proposed_from_the_seeking_pledge_page(
    client: Client, seeking: Pledge, offering: Pledge, member_a: Any
) -> None:
    client.force_login(member_a)
    page = client.get(reverse("matching:pledge-matching", args=[seeking.reference]))
    assert "Propose this match" in page.content.decode()

    client.post(
        reverse("matching:match-propose"),
        {"seeking": seeking.reference, "offering": offering.reference, "from": seeking.reference},
    )

    assert Match.objects.get().proposed_by == member_a


def test_a_refused_proposal_says_why_beside_the_page(
    client: Client, seeking: Pledge, member_a: Any
) -> None:
    client.force_login(member_a)

    response = client.post(
        reverse("matching:match-propose"),
        {"seeking": seeking.reference, "offering": seeking.reference, "from": seeking.reference},
    )

    assert response.status_code == 400
    assert "A pledge cannot be matched with itself." in response.content.decode()
    assert not Match.objects.exists()


def test_outsiders_see_no_suggestions_nor_pending_matches(
    client: Client, seeking: Pledge, offering: Pledge, member_a: Any
) -> None:
    services.propose_match(seeking=seeking, offering=offering, by=member_a)

    page = client.get(reverse("matching:pledge-matching", args=[seeking.reference]))

    text = page.content.decode()
    assert offering.reference not in text  # neither suggested nor the pending match
    assert "Propose this match" not in text


def test_editors_add_what_a_draft_seeks_with_field_errors(
    client: Client, entity_a: Any, member_a: Any, financial: Any, kenya: Any
) -> None:
    draft = PledgeFactory(entity=entity_a)
    client.force_login(member_a)
    url = reverse("matching:position-add", args=[draft.reference])

    refused = client.post(url, {"side": "seeks", "support_type": "financial", "amount": "10"})
    assert refused.status_code == 400
    assert "Give the currency of the amount." in refused.content.decode()
    client.post(url, {"side": "seeks", "support_type": "financial", "countries": ["KE"]})

    assert list(draft.support_positions.values_list("side", "countries")) == [("seeks", "KE")]


def test_the_secretariat_queue_lists_seeking_pledges_with_suggestions(
    client: Client,
    seeking: Pledge,
    offering: Pledge,
    secretariat: Any,
    member_a: Any,
    member_b: Any,
    entity_a: Any,
    forum: Any,
    financial: Any,
) -> None:
    matched = PledgeFactory(entity=entity_a, forum=forum, review_state="published")
    position(matched, Side.SEEKS, financial)
    done = services.propose_match(seeking=matched, offering=offering, by=member_a)
    services.decide_match(match=done, accept=True, by=member_b)
    client.force_login(secretariat)

    page = client.get(reverse("matching:matching-queue")).content.decode()

    assert seeking.reference in page
    assert matched.reference not in page  # it has an accepted match
    assert f"{offering.reference} — {offering.title}" in page  # suggested for `seeking`


def test_the_public_history_never_shows_match_proposals_or_answers(
    client: Client, seeking: Pledge, offering: Pledge, member_a: Any, member_b: Any
) -> None:
    match = services.propose_match(
        seeking=seeking, offering=offering, by=member_a, message="Private note to B"
    )
    services.decide_match(match=match, accept=False, by=member_b, message="Not with you")
    url = reverse("pledges:pledge-history", args=[seeking.reference])

    public = client.get(url).content.decode()
    client.force_login(member_a)
    insider = client.get(url).content.decode()

    assert "Private note to B" not in public
    assert "Match declined" not in public
    assert "Match proposed" in insider
    assert "Match declined" in insider


def test_editors_change_what_a_draft_offers(
    client: Client, entity_a: Any, member_a: Any, member_b: Any, financial: Any, technical: Any
) -> None:
    draft = PledgeFactory(entity=entity_a)
    offer = position(draft, Side.OFFERS, financial, description="Grants")
    url = reverse("matching:position-edit", args=[offer.pk])
    client.force_login(member_b)
    assert client.get(url).status_code == 404  # another entity's draft
    client.force_login(member_a)

    form = client.get(url).content.decode()
    assert "Grants" in form
    client.post(url, {"side": "offers", "support_type": "technical", "description": "Experts"})

    offer.refresh_from_db()
    assert (offer.support_type, offer.description) == (technical, "Experts")


def test_the_secretariat_queue_says_so_when_no_pledge_waits_for_a_match(
    client: Client, secretariat: Any
) -> None:
    client.force_login(secretariat)

    page = client.get(reverse("matching:matching-queue")).content.decode()

    assert "No pledge is waiting for a match." in page


def test_the_offering_pledge_page_suggests_needs_and_proposes_the_match(
    client: Client, seeking: Pledge, offering: Pledge, member_b: Any, member_a: Any
) -> None:
    client.force_login(member_b)
    page = client.get(reverse("matching:pledge-matching", args=[offering.reference]))
    text = page.content.decode()
    assert "Pledges that need what this pledge offers" in text
    assert f'name="seeking" value="{seeking.reference}"' in text

    response = client.post(
        reverse("matching:match-propose"),
        {"seeking": seeking.reference, "offering": offering.reference, "from": offering.reference},
    )

    assert response.status_code == 302
    assert offering.reference in response["Location"]
    match = Match.objects.get()
    assert (match.seeking, match.offering, match.proposed_by) == (seeking, offering, member_b)
    assert match.offering_decision == "accepted"
    # The seeking side sees it to answer, and no longer gets the offer suggested.
    client.force_login(member_a)
    seeking_page = client.get(reverse("matching:pledge-matching", args=[seeking.reference]))
    assert "Suggested offers" not in seeking_page.content.decode()


def test_outsiders_see_no_suggested_needs(
    client: Client, seeking: Pledge, offering: Pledge
) -> None:
    page = client.get(reverse("matching:pledge-matching", args=[offering.reference]))

    assert "Pledges that need what this pledge offers" not in page.content.decode()
    assert seeking.reference not in page.content.decode()
