"""The partner API: goals with their latest progress, official figures, the forum resource
with its figures (and its former participation keys), and pledges filtered by goal."""

import datetime as dt

import pytest
from django.test import Client

from goals.models import Goal, GoalContribution
from indicators import goal_progress

from .conftest import make_pledge, make_target, report

pytestmark = pytest.mark.django_db


def test_goals_list_their_latest_progress_and_the_pledges_behind_it(
    goal: Goal, client: Client
) -> None:
    target = make_target(make_pledge(goal.forum), "400")
    report(target, "100", dt.date(2025, 3, 31))
    GoalContribution.objects.create(goal=goal, target=target)
    goal_progress.recompute_goals([goal.pk], on=dt.date(2025, 6, 30))

    body = client.get("/api/v1/goals/?forum=GRF23").json()

    found = {row["id"]: row for row in body["results"]}
    assert set(found) == set(Goal.objects.filter(forum__code="GRF23").values_list("pk", flat=True))
    mine = found[goal.pk]
    assert mine["unit"] == "persons"
    assert mine["target_value"] == "1000.00"
    assert mine["progress"]["pledged"] == "400.00"
    assert mine["progress"]["achieved_share"] == "0.1000"
    assert mine["progress"]["date"] == "2025-06-30"
    assert mine["pledges_url"].endswith(f"/api/v1/pledges/?goal={goal.pk}")
    reference_goals = [row for row in body["results"] if row["id"] != goal.pk]
    assert {row["target_value"] for row in reference_goals} == {"1000000.00", "3000000.00"}
    assert all(row["progress"] is None and row["source"] for row in reference_goals)

    pledges = client.get(f"/api/v1/pledges/?goal={goal.pk}").json()["results"]
    assert [p["reference"] for p in pledges] == [target.pledge.reference]


def test_official_figures_and_the_forum_resource_carry_their_sources(
    reference_data: None, client: Client
) -> None:
    figures = client.get("/api/v1/official-figures/?forum=GRF23").json()["results"]
    money = next(f for f in figures if f["unit"] == "usd")
    assert (money["value"], money["qualifier"], money["as_of"]) == (
        "2200000000.00",
        "more than",
        "2023-12-15",
    )
    assert all(f["source"] for f in figures)

    forum = client.get("/api/v1/forums/GRF23/").json()
    assert len(forum["official_figures"]) == 11
    # The keys the forum answered before its figures moved, from the shipped figures.
    assert forum["participants"] == 4200
    assert forum["online_participants"] == 10000
    assert forum["countries_represented"] == 168


def test_the_forum_api_still_answers_the_former_participation_keys_from_migrated_figures(
    goal: Goal, client: Client
) -> None:
    goal.forum.official_figures.filter(legacy_field="participants").delete()
    goal.forum.official_figures.filter(legacy_field="online_participants").delete()
    goal.forum.official_figures.create(
        label="Participants (migrated)",
        value=3000,
        unit="persons",
        source="Forum record (source not recorded)",
        legacy_field="participants",
    )
    forum = client.get("/api/v1/forums/GRF23/").json()
    assert forum["participants"] == 3000
    assert forum["online_participants"] is None


def test_the_openapi_document_describes_goals_and_official_figures(
    reference_data: None, client: Client
) -> None:
    schema = client.get("/api/schema/?format=json").json()
    assert "/api/v1/goals/" in schema["paths"]
    assert "/api/v1/official-figures/{id}/" in schema["paths"]
    forum = schema["components"]["schemas"]["ForumWithFigures"]["properties"]
    assert "official_figures" in forum
    assert "Deprecated" in forum["participants"]["description"]
