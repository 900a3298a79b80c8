"""`pledges.duplicates.similar_pledges`: which existing pledges a new one is warned about, in
which order, and that nobody is shown a pledge they may not see."""

from collections.abc import Callable
from typing import Any

import pytest

from pledges.duplicates import DraftFields, similar_pledges
from pledges.models import Entity, Forum, Pledge

pytestmark = pytest.mark.django_db


def _refs(found: list[Any]) -> list[str]:
    return [row.reference for row in found]


def test_a_near_identical_title_of_the_same_entity_ranks_first(
    add: Callable[..., Pledge], entity_a: Entity, other_entity: Entity
) -> None:
    subject = add("Include refugee children in national schools in Kenya", entity=entity_a)
    twin = add("Include refugee children in the national schools of Kenya", entity=entity_a)
    others = add("Include refugee children in national schools in Kenya", entity=other_entity)
    add("Include refugee children in national health systems", entity=other_entity)
    add("Resettlement places for Syrian refugees", entity=other_entity)

    found = similar_pledges(subject, viewer=None)

    assert _refs(found)[:2] == [twin.reference, others.reference]
    assert subject.reference not in _refs(found)  # never its own duplicate
    assert "Resettlement" not in " ".join(row.title for row in found)
    assert found[0].same_entity
    assert found[0].same_forum
    assert "same entity" in found[0].reasons
    assert found[0].reasons[0].startswith("title ")
    assert found[0].score > found[1].score


def test_draft_fields_find_the_entitys_pledge_before_it_is_saved(
    add: Callable[..., Pledge], entity_a: Entity, member_a: Any
) -> None:
    existing = add("Scholarships for refugee students", entity=entity_a, countries=("KE", "UG"))
    forum = Forum.objects.get(code="GRF23")

    found = similar_pledges(
        DraftFields(
            title="Scholarships for refugee students",
            entity_id=entity_a.pk,
            forum_id=forum.pk,
            country_codes=("KE", "ET"),
        ),
        viewer=member_a,
    )

    assert _refs(found) == [existing.reference]
    assert found[0].shared_countries == 1
    assert "1 of 2 beneficiary countries in common" in found[0].reasons


def test_another_entitys_draft_is_never_listed_but_its_published_pledge_is(
    add: Callable[..., Pledge],
    entity_a: Entity,
    other_entity: Entity,
    member_a: Any,
    secretariat: Any,
) -> None:
    subject = add("Vocational training for refugee women", entity=entity_a, state="draft")
    hidden = add("Vocational training for refugee women", entity=other_entity, state="draft")
    submitted = add("Vocational training for refugee women", entity=other_entity, state="submitted")
    public = add("Vocational training for refugee women", entity=other_entity)
    own_draft = add("Vocational training for refugee women", entity=entity_a, state="draft")

    seen_by_member = _refs(similar_pledges(subject, viewer=member_a))
    seen_by_anyone = _refs(similar_pledges(subject, viewer=None))
    seen_by_reviewer = _refs(similar_pledges(subject, viewer=secretariat))

    assert hidden.reference not in seen_by_member
    assert submitted.reference not in seen_by_member
    assert set(seen_by_member) == {public.reference, own_draft.reference}
    assert seen_by_anyone == [public.reference]
    assert {hidden.reference, submitted.reference, public.reference} <= set(seen_by_reviewer)


def test_one_common_word_and_nothing_else_is_not_a_duplicate(
    add: Callable[..., Pledge], entity_a: Entity, other_entity: Entity
) -> None:
    subject = add("Solar power for refugee camps", entity=entity_a, forum="GRF19")
    add("Legal aid for refugee families", entity=other_entity, countries=("UG",))

    assert similar_pledges(subject, viewer=None) == []


def test_at_most_limit_pledges_best_first(
    add: Callable[..., Pledge], entity_a: Entity, other_entity: Entity
) -> None:
    subject = add("Mental health care for refugee youth", entity=entity_a)
    for _ in range(7):
        add("Mental health care for refugee youth", entity=other_entity)

    found = similar_pledges(subject, viewer=None, limit=3)

    assert len(found) == 3
    assert [row.score for row in found] == sorted((row.score for row in found), reverse=True)


def test_an_empty_title_of_no_entity_finds_nothing(add: Callable[..., Pledge]) -> None:
    add("Anything at all")

    assert similar_pledges(DraftFields(title="  "), viewer=None) == []
