"""The shipped goals and figures of GRF 2023 (bootstrap/data/forum_goals.json) and the demo's
contributions."""

from decimal import Decimal

import pytest
from django.utils import translation

from bootstrap.demo.goals import create_goal_contributions
from bootstrap.reference import load_reference_data
from goals.models import Goal, GoalContribution, OfficialFigure

from .conftest import make_pledge, make_target

pytestmark = pytest.mark.django_db


def test_grf23_ships_its_two_goals_and_its_stated_figures_with_sources(
    reference_data: None,
) -> None:
    goals = list(Goal.objects.filter(forum__code="GRF23", is_reference=True))
    assert [(g.target_value, g.target_year, g.unit) for g in goals] == [
        (Decimal("1000000"), 2030, "persons"),
        (Decimal("3000000"), 2030, "persons"),
    ]
    assert all("https://" in g.source for g in goals)
    figures = OfficialFigure.objects.filter(forum__code="GRF23")
    assert sorted(f.value for f in figures) == [
        5,
        47,
        86,
        168,
        300,
        427,
        1600,
        4200,
        10000,
        250000000,
        2200000000,
    ]
    assert all(f.source.startswith("https://") for f in figures)
    with translation.override("fr"):
        assert goals[0].text.startswith("Réinstaller")
        assert goals[0].shows_unofficial_translation


def test_loading_again_changes_nothing_and_update_marks_a_changed_goal(
    reference_data: None,
) -> None:
    goal = Goal.objects.get(forum__code="GRF23", position=1)
    Goal.objects.filter(pk=goal.pk).update(target_value=5)

    load_reference_data()
    assert Goal.objects.get(pk=goal.pk).target_value == 5  # kept without --update
    load_reference_data(update=True)

    goal.refresh_from_db()
    assert goal.target_value == Decimal("1000000")
    assert goal.progress_stale_since is not None
    assert OfficialFigure.objects.filter(forum__code="GRF23").count() == 11


def test_the_demo_counts_targets_of_the_goals_unit_at_their_forum(reference_data: None) -> None:
    grf23 = Goal.objects.filter(forum__code="GRF23").first().forum
    targets = [make_target(make_pledge(grf23), "10") for _ in range(8)]
    places = make_target(make_pledge(grf23), "10", "places")

    added = create_goal_contributions()

    counted = set(GoalContribution.objects.values_list("target_id", flat=True))
    assert added == len(counted) > 0
    assert counted <= {t.pk for t in targets}
    assert places.pk not in counted
    assert GoalContribution.objects.values("goal").distinct().count() == 2
