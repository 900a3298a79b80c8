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

    assert [s.offering for s in found] == [offering, weaker]  # nothing shared: not suggested
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
    assert [s.offering for s in suggestions(seeking)] == [offering]

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
    assert [s.offering for s in found[seeking.pk]] == [offering]
    assert found[other.pk] == []
