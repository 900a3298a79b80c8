"""Suggested offers for a seeking pledge, best first, with the parts of their score."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matching import services
from matching.models import Side
from matching.suggestions import suggestions, suggestions_for
from pledges.models import Pledge
from tests.factories import PledgeFactory

from .conftest import position

pytestmark = pytest.mark.django_db


def test_the_better_offer_ranks_first_with_its_score_explained(
    seeking: Pledge,
    offering: Pledge,
    entity_b: Any,
    forum: Any,
    objectives: list[Any],
    technical: Any,
    kenya: Any,
    uganda: Any,
) -> None:
    """`offering` shares Kenya, objective 1, the type of support and words with the need;
    the weaker offer shares only Kenya."""
    weaker = PledgeFactory(
        entity=entity_b, forum=forum, review_state="published", objectives=objectives[2:]
    )
    position(weaker, Side.OFFERS, technical, countries=[kenya, uganda], description="Roads")
    unrelated = PledgeFactory(entity=entity_b, forum=forum, review_state="published")
    position(unrelated, Side.OFFERS, technical, countries=[uganda], description="Bridges")

    found = suggestions(seeking)

    assert [s.other for s in found] == [offering, weaker]  # nothing shared: not suggested
    best, second = found
    assert (best.shared_countries, best.shared_objectives) == (1, 1)
    assert (best.same_support_type, best.same_thematic_area) == (True, False)
    assert best.text_points > 0  # teachers, refugee, schools
    assert best.score == 3 + 2 + 4 + best.text_points
    assert (second.shared_countries, second.shared_objectives, second.text_points) == (1, 0, 0)
    assert second.score == 3


def test_unpublished_own_and_already_matched_offers_are_not_suggested(
    seeking: Pledge,
    offering: Pledge,
    entity_b: Any,
    forum: Any,
    financial: Any,
    kenya: Any,
    member_a: Any,
) -> None:
    draft = PledgeFactory(entity=entity_b, forum=forum)
    position(draft, Side.OFFERS, financial, countries=[kenya], description="teachers")
    position(seeking, Side.OFFERS, financial, countries=[kenya], description="teachers")
    assert [s.other for s in suggestions(seeking)] == [offering]

    services.propose_match(seeking=seeking, offering=offering, by=member_a)

    assert suggestions(seeking) == []


def test_many_seeking_pledges_are_ranked_in_one_query(
    seeking: Pledge, offering: Pledge, entity_a: Any, forum: Any, financial: Any, uganda: Any
) -> None:
    other = PledgeFactory(entity=entity_a, forum=forum, review_state="published")
    position(other, Side.SEEKS, financial, countries=[uganda])

    with CaptureQueriesContext(connection) as queries:
        found = suggestions_for([seeking.pk, other.pk], limit=3)

    reads = [q["sql"] for q in queries if q["sql"].lstrip().startswith(("WITH", "SELECT"))]
    assert len(reads) == 2  # the ranking, then the suggested offers for display
    assert [s.other for s in found[seeking.pk]] == [offering]
    assert found[other.pk] == []


def test_an_offering_pledge_gets_needs_suggested_ranked_the_same_way(
    seeking: Pledge,
    offering: Pledge,
    entity_a: Any,
    forum: Any,
    objectives: list[Any],
    technical: Any,
    kenya: Any,
    uganda: Any,
) -> None:
    """The other direction: `offering`'s offer (financial, Kenya, teachers) against the needs
    of published pledges. `seeking` shares all; a weaker need shares only Kenya; a need with
    nothing in common, a draft's need and an offer are not suggested."""
    weaker = PledgeFactory(
        entity=entity_a, forum=forum, review_state="published", objectives=objectives[2:]
    )
    position(weaker, Side.SEEKS, technical, countries=[kenya, uganda], description="Roads")
    unrelated = PledgeFactory(entity=entity_a, forum=forum, review_state="published")
    position(unrelated, Side.SEEKS, technical, countries=[uganda], description="teachers")
    draft = PledgeFactory(entity=entity_a, forum=forum)
    position(draft, Side.SEEKS, technical, countries=[kenya], description="teachers")
    other_offer = PledgeFactory(entity=entity_a, forum=forum, review_state="published")
    position(other_offer, Side.OFFERS, technical, countries=[kenya], description="teachers")

    found = suggestions(offering, side=Side.OFFERS)

    assert [s.other for s in found] == [seeking, weaker]
    best, second = found
    assert all(not s.for_seeking for s in found)
    assert best.candidate.side == Side.SEEKS
    assert (best.shared_countries, best.shared_objectives, best.same_support_type) == (1, 1, True)
    assert best.text_points > 0  # teachers, refugee, schools
    assert best.score == 3 + 2 + 4 + best.text_points
    assert second.score == 3
    # The seeking direction is unchanged: `seeking` gets the two offers suggested.
    offers = suggestions(seeking)
    assert [s.other for s in offers] == [offering, other_offer]
    assert all(s.for_seeking for s in offers)


def test_needs_already_in_an_open_match_with_the_offer_are_not_suggested(
    seeking: Pledge, offering: Pledge, member_b: Any
) -> None:
    assert [s.other for s in suggestions(offering, side=Side.OFFERS)] == [seeking]

    services.propose_match(seeking=seeking, offering=offering, by=member_b)

    assert suggestions(offering, side=Side.OFFERS) == []
