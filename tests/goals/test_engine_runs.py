"""Goal progress in the engine's runs: a stale goal is recomputed by the sweep and its mark
cleared; a pledge change (which marks objectives) recomputes the goals too; a mark moved during
the run survives for the next one."""

import datetime as dt

import pytest
from django.utils import timezone

from goals import services
from goals.models import Goal, GoalContribution, GoalProgressSnapshot
from indicators import runner
from pledges.models import ReviewState
from pledges.progress_marks import progress_changed

from .conftest import make_pledge, make_target, report

pytestmark = pytest.mark.django_db


def test_counting_a_target_makes_the_sweep_compute_the_goal_and_clear_its_mark(
    goal: Goal, secretariat
) -> None:
    target = make_target(make_pledge(goal.forum), "400")
    report(target, "120", dt.date(2025, 3, 31))
    services.add_contribution(goal=goal, target=target, by=secretariat)

    outcome = runner.recompute_stale(triggered_by="test")

    assert outcome.run is not None
    assert outcome.goals_done >= 1
    figures = GoalProgressSnapshot.objects.get(goal=goal).figures
    assert (figures["pledged"], figures["achieved"]) == ("400.00", "120.00")
    assert Goal.objects.get(pk=goal.pk).progress_stale_since is None


def test_a_pledge_change_marking_objectives_recomputes_the_goals(goal: Goal) -> None:
    pledge = make_pledge(goal.forum, state=ReviewState.SUBMITTED)
    target = make_target(pledge, "250")
    GoalContribution.objects.create(goal=goal, target=target)
    runner.recompute_all(triggered_by="test")
    assert GoalProgressSnapshot.objects.get(goal=goal).figures["pledged"] == "0.00"

    # Publishing goes through the pledge services, which mark the pledge and its objectives
    # (pledges.progress_marks), never its goals.
    pledge.review_state = ReviewState.PUBLISHED
    pledge.published_at = timezone.now()
    pledge.save()
    progress_changed([pledge.pk], pledge.objectives.values_list("pk", flat=True))
    outcome = runner.recompute_stale(triggered_by="test")

    assert outcome.goals_done == 1  # only the goal the pledge counts towards
    assert GoalProgressSnapshot.objects.get(goal=goal).figures["pledged"] == "250.00"
    assert Goal.objects.get(pk=goal.pk).progress_stale_since is None


def test_an_objective_change_leaves_goals_of_other_pledges_alone(goal: Goal) -> None:
    runner.recompute_all(triggered_by="test")
    computed_at = GoalProgressSnapshot.objects.get(goal=goal).computed_at
    unrelated = make_pledge(goal.forum)
    progress_changed([unrelated.pk], unrelated.objectives.values_list("pk", flat=True))

    outcome = runner.recompute_stale(triggered_by="test")

    assert outcome.goals_done == 0
    assert GoalProgressSnapshot.objects.get(goal=goal).computed_at == computed_at


def test_a_goal_marked_during_the_run_keeps_its_mark_for_the_next(goal: Goal, secretariat) -> None:
    target = make_target(make_pledge(goal.forum), "10")
    services.add_contribution(goal=goal, target=target, by=secretariat)

    runner.recompute_stale(before_clear=lambda: services.mark_goals_stale([goal.pk]))

    assert Goal.objects.get(pk=goal.pk).progress_stale_since is not None
    runner.recompute_stale()
    assert Goal.objects.get(pk=goal.pk).progress_stale_since is None
