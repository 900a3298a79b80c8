"""What people see: the forum page keeps the forum's official figures (with sources) apart
from what the tracker computes, goals show their computed progress linked to the pledges behind
it, and a pledge's editors count its targets towards goals on the goals page."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from goals.models import Goal, GoalContribution
from indicators import goal_progress, runner
from pledges.models import ReviewState, TargetUnit

from .conftest import make_pledge, make_target, report

pytestmark = pytest.mark.django_db


def _section(page: str, heading_id: str) -> str:
    """The HTML of the <section> whose heading has this id."""
    start = page.index(f'id="{heading_id}"')
    return page[start : page.index("</section>", start)]


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_forum_page_shows_official_figures_with_sources_apart_from_computed_sums(
    goal: Goal, client: Client
) -> None:
    make_pledge(goal.forum)

    page = client.get("/forums/GRF23/").content.decode()

    official = _plain(_section(page, "official-figures-heading"))
    assert "Official figures" in official
    assert "more than USD 2,200,000,000" in official
    assert "Government delegations" in official
    assert "168" in official
    assert "more than 4,200" in official
    assert "more than 10,000" in official
    assert "summary-global-refugee-forum-2023-co-hosts-and-co-convenors" in official
    assert "global-forum-closes-over-2-2bn-pledges" in official
    computed = _section(page, "figures-heading")
    assert "Computed by the tracker" in computed
    assert "not an official figure" in computed
    # The tracker's count of its own pledges is not in the official block, and links to them.
    assert 'href="/pledges/?forum=GRF23">1</a>' in computed
    assert "2,200,000,000" not in computed


def test_a_goal_shows_its_computed_progress_linked_to_the_pledges_behind_it(
    goal: Goal, client: Client
) -> None:
    counted = make_target(make_pledge(goal.forum), "400")
    report(counted, "500", dt.date(2025, 3, 31))
    GoalContribution.objects.create(goal=goal, target=counted)
    other = make_pledge(goal.forum)  # announced there, not counted towards the goal
    goal_progress.recompute_goals([goal.pk])

    page = client.get("/forums/GRF23/").content.decode()
    goals = _section(page, "goals-heading")
    assert "Resettle 1,000 refugees" in goals
    assert f'<a class="goal-pledged" href="/pledges/?goal={goal.pk}">400</a>' in goals
    assert f'<a class="goal-achieved" href="/pledges/?goal={goal.pk}">400</a>' in goals  # capped
    assert "40.0 % of the goal" in goals
    assert "not an official figure" in goals

    listed = client.get(f"/pledges/?goal={goal.pk}").content.decode()
    assert counted.pledge.reference in listed
    assert other.reference not in listed


def test_a_goal_not_computed_yet_says_so_instead_of_showing_zero(
    goal: Goal, client: Client
) -> None:
    goals = _section(client.get("/forums/GRF23/").content.decode(), "goals-heading")
    assert "Progress has not been computed yet." in goals


def test_a_pledges_editor_counts_a_target_towards_a_goal_on_the_goals_page(
    goal: Goal, member_a, entity_a, client: Client
) -> None:
    pledge = make_pledge(goal.forum, state=ReviewState.DRAFT, entity=entity_a)
    target = make_target(pledge, "300")
    places = make_target(pledge, "20", TargetUnit.PLACES)
    client.force_login(member_a)
    url = reverse("goals:pledge-goals", args=[pledge.reference])
    assert url in client.get(f"/pledges/{pledge.reference}/").content.decode()

    refused = client.post(url, {"target": places.pk, "goal": goal.pk})
    assert refused.status_code == 400
    assert "a target counts only towards a goal of the same unit" in refused.content.decode()

    added = client.post(url, {"target": target.pk, "goal": goal.pk})
    assert added.status_code == 302
    contribution = GoalContribution.objects.get()
    assert contribution.target == target
    listed = client.get(url).content.decode()
    assert "Targets counted towards goals" in listed
    assert goal.text in listed

    client.post(reverse("goals:contribution-remove", args=[pledge.reference, contribution.pk]))
    assert not GoalContribution.objects.exists()


def test_the_goals_page_is_refused_to_others_and_hidden_for_unseen_pledges(
    goal: Goal, member_a, entity_a, member_b, client: Client
) -> None:
    draft = make_pledge(goal.forum, state=ReviewState.DRAFT, entity=entity_a)
    published = make_pledge(goal.forum, entity=entity_a)
    client.force_login(member_b)
    assert client.get(reverse("goals:pledge-goals", args=[draft.reference])).status_code == 404
    assert client.get(reverse("goals:pledge-goals", args=[published.reference])).status_code == 403


def test_the_pledge_history_names_the_goal_counting_in_words(
    goal: Goal, secretariat, client: Client
) -> None:
    pledge = make_pledge(goal.forum)
    target = make_target(pledge, "10")
    client.force_login(secretariat)
    client.post(
        reverse("goals:pledge-goals", args=[pledge.reference]),
        {"target": target.pk, "goal": goal.pk},
    )

    history = client.get(f"/pledges/{pledge.reference}/history/").content.decode()
    assert "Target counted towards a collective goal" in history


def test_the_dashboard_has_a_goals_panel_linked_to_the_pledges_behind_each_goal(
    goal: Goal, client: Client
) -> None:
    counted = make_target(make_pledge(goal.forum), "250")
    GoalContribution.objects.create(goal=goal, target=counted)
    runner.recompute_all(triggered_by="test")  # the dashboard needs the compacts' snapshots

    page = client.get("/dashboard/?compact=GCR").content.decode()

    panel = _section(page, "goals-heading")
    assert "Resettle 1,000 refugees" in panel
    assert f'<a href="/pledges/?goal={goal.pk}">250</a>' in panel
    assert "25.0 %" in panel
    gcm = client.get("/dashboard/?compact=GCM").content.decode()
    assert 'id="goals-heading"' not in gcm  # GRF goals belong to the GCR
