"""The worked example of docs/progress.md, "Collective goals", computed by the engine: every
number the docs state is asserted here."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from goals import services
from goals.models import Goal, GoalContribution, GoalProgressSnapshot
from indicators import goal_progress
from pledges.models import ReviewState, TargetUnit

from .conftest import make_pledge, make_target, report

pytestmark = pytest.mark.django_db

ON = dt.date(2025, 6, 30)


def test_the_worked_example_gives_the_documented_figures(goal: Goal, secretariat) -> None:
    forum = goal.forum
    assert forum is not None
    p1 = make_pledge(forum)
    t1 = make_target(p1, "400")
    report(t1, "150", dt.date(2024, 3, 31))
    report(t1, "300", dt.date(2025, 3, 31))
    places = make_target(p1, "50", TargetUnit.PLACES)
    t2 = make_target(make_pledge(forum), "500")
    report(t2, "650", dt.date(2025, 1, 31))
    t3 = make_target(make_pledge(forum), "200")
    report(t3, "100", dt.date(2025, 2, 28), approved=False)
    t4 = make_target(make_pledge(forum, state=ReviewState.WITHDRAWN), "1000")
    report(t4, "1000", dt.date(2024, 6, 30))
    t5 = make_target(make_pledge(forum, verified=False), "300")
    report(t5, "300", dt.date(2024, 6, 30))
    for target in (t1, t2, t3, t4, t5):
        GoalContribution.objects.create(goal=goal, target=target)
    with pytest.raises(ValidationError) as refused:
        services.add_contribution(goal=goal, target=places, by=secretariat)
    assert "goal" in refused.value.message_dict

    assert goal_progress.recompute_goals([goal.pk], on=ON) == 1

    figures = GoalProgressSnapshot.objects.get(goal=goal, date=ON).figures
    assert figures == {
        "goal_target": "1000.00",
        "pledges": 3,
        "targets": 3,
        "reported": 2,
        "pledged": "1100.00",
        "achieved": "800.00",
        "pledged_share": "1.1000",
        "achieved_share": "0.8000",
    }


def test_a_goal_nothing_counts_towards_has_zero_pledged_and_no_achieved(goal: Goal) -> None:
    goal_progress.recompute_goals([goal.pk], on=ON)

    figures = GoalProgressSnapshot.objects.get(goal=goal, date=ON).figures
    assert (figures["pledged"], figures["achieved"], figures["achieved_share"]) == (
        "0.00",
        None,
        None,
    )
