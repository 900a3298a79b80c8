"""Counting a pledge target towards a goal: who may, which targets, and what it records."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.audit import entries_for
from forums.models import Forum
from goals import services
from goals.models import Goal, GoalContribution
from pledges.models import ReviewState, TargetUnit
from tests.factories import PledgeFactory

from .conftest import make_pledge, make_target

pytestmark = pytest.mark.django_db


def test_an_editor_counts_a_draft_target_towards_a_goal_audited_and_marked(
    goal: Goal, member_a, entity_a
) -> None:
    target = make_target(make_pledge(goal.forum, state=ReviewState.DRAFT, entity=entity_a), "300")

    contribution = services.add_contribution(goal=goal, target=target, by=member_a)

    assert contribution.goal == goal
    assert contribution.created_by == member_a
    entry = entries_for(target.pledge).get()
    assert entry.action == "goals.contribution.added"
    assert entry.actor == member_a
    assert entry.data["goal"] == goal.pk
    goal.refresh_from_db()
    assert goal.progress_stale_since is not None


def test_a_target_of_another_unit_is_refused_on_the_goal_field(goal: Goal, secretariat) -> None:
    target = make_target(make_pledge(goal.forum), "50", TargetUnit.PLACES)

    with pytest.raises(ValidationError) as refused:
        services.add_contribution(goal=goal, target=target, by=secretariat)

    assert "same unit" in refused.value.message_dict["goal"][0]
    assert not GoalContribution.objects.exists()


def test_a_goal_of_the_other_compact_and_a_second_count_are_refused(
    goal: Goal, secretariat
) -> None:
    imrf = Forum.objects.get(code="IMRF22")
    gcm_target = make_target(
        PledgeFactory(forum=imrf, review_state=ReviewState.PUBLISHED, objectives=[]), "10"
    )
    with pytest.raises(ValidationError) as other_compact:
        services.add_contribution(goal=goal, target=gcm_target, by=secretariat)
    assert "other compact" in other_compact.value.message_dict["goal"][0]

    target = make_target(make_pledge(goal.forum), "10")
    services.add_contribution(goal=goal, target=target, by=secretariat)
    with pytest.raises(ValidationError) as twice:
        services.add_contribution(goal=goal, target=target, by=secretariat)
    assert "already counts" in twice.value.message_dict["goal"][0]


def test_only_the_pledges_editors_or_the_secretariat_may_count_a_target(
    goal: Goal, member_a, entity_a, member_b, secretariat
) -> None:
    published = make_target(make_pledge(goal.forum, entity=entity_a), "10")
    draft = make_target(make_pledge(goal.forum, state=ReviewState.DRAFT, entity=entity_a), "10")

    with pytest.raises(PermissionDenied):  # another entity's member
        services.add_contribution(goal=goal, target=draft, by=member_b)
    with pytest.raises(PermissionDenied):  # members no longer edit a published pledge
        services.add_contribution(goal=goal, target=published, by=member_a)
    services.add_contribution(goal=goal, target=published, by=secretariat)

    assert list(GoalContribution.objects.values_list("target_id", flat=True)) == [published.pk]


def test_removing_a_count_is_audited_and_marks_the_goal(goal: Goal, secretariat) -> None:
    target = make_target(make_pledge(goal.forum), "10")
    contribution = services.add_contribution(goal=goal, target=target, by=secretariat)
    Goal.objects.filter(pk=goal.pk).update(progress_stale_since=None)

    services.remove_contribution(contribution=contribution, by=secretariat)

    assert not GoalContribution.objects.exists()
    assert entries_for(target.pledge).first().action == "goals.contribution.removed"
    assert Goal.objects.get(pk=goal.pk).progress_stale_since is not None


def test_a_goal_saved_through_the_service_is_validated(goal: Goal) -> None:
    goal.unit = TargetUnit.PERCENT
    with pytest.raises(ValidationError):
        services.save_goal(goal=goal)
    goal.refresh_from_db()
    goal.target_value = Decimal("2000")
    services.save_goal(goal=goal)
    assert Goal.objects.get(pk=goal.pk).target_value == Decimal("2000")
