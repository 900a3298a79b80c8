"""Goals of multistakeholder pledges (MSPs): their managers set them, the pledges the MSP
accepted as members count targets towards them, and the engine, the MSP page and the API show
their progress like a forum goal's."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from bootstrap.demo.goals import create_goal_contributions
from core.models import AuditEntry
from forums.models import Forum
from goals import services
from goals.models import Goal, GoalContribution
from indicators import goal_progress, runner
from partnerships.models import (
    LeadStatus,
    MembershipState,
    MultistakeholderLead,
    MultistakeholderMembership,
    MultistakeholderPledge,
)
from pledges.models import Pledge, ReviewState, TargetUnit
from tests.factories import EntityFactory, MembershipFactory, UserFactory

from .conftest import make_pledge, make_target, report

pytestmark = pytest.mark.django_db


@dataclass
class MspWorld:
    msp: MultistakeholderPledge
    goal: Goal
    lead_member: User
    member: Pledge  # published, accepted as a member
    outsider: Pledge  # published, never a member


def _member_of(msp: MultistakeholderPledge, pledge: Pledge, state: str) -> None:
    MultistakeholderMembership.objects.create(
        msp=msp,
        pledge=pledge,
        state=state,
        requested_at=timezone.now(),
        decided_at=None if state == MembershipState.REQUESTED else timezone.now(),
    )


@pytest.fixture
def world(grf23: Forum, entity_a) -> MspWorld:
    msp = MultistakeholderPledge.objects.create(
        slug="goal-msp", title="Resettlement partners", compact=grf23.compact, forum=grf23
    )
    lead_entity = EntityFactory(name="Lead Organisation")
    lead_member = MembershipFactory(
        user=UserFactory(email="lead@example.org"), entity=lead_entity
    ).user
    MultistakeholderLead.objects.create(msp=msp, entity=lead_entity, status=LeadStatus.ACCEPTED)
    goal = Goal.objects.create(
        msp=msp, text="Resettle 500 refugees", unit=TargetUnit.PERSONS, target_value=500
    )
    member = make_pledge(grf23, entity=entity_a)
    _member_of(msp, member, MembershipState.ACCEPTED)
    return MspWorld(msp, goal, lead_member, member, make_pledge(grf23))


def test_a_goal_has_exactly_one_owner(world: MspWorld, grf23: Forum) -> None:
    for owners in ({}, {"forum": grf23, "msp": world.msp}):
        with pytest.raises(IntegrityError, match="goal_has_one_owner"), transaction.atomic():
            Goal.objects.create(text="Both or none", unit="persons", target_value=1, **owners)


def test_managers_add_edit_and_remove_goals_audited(world: MspWorld, client: Client) -> None:
    client.force_login(world.lead_member)
    url = reverse("goals:msp-goals", args=[world.msp.slug])
    assert url in client.get(f"/multistakeholder-pledges/{world.msp.slug}/").content.decode()

    refused = client.post(url, {"text": "", "unit": "percent", "target_value": "0"})
    assert refused.status_code == 400
    errors = refused.context["form"].errors
    assert {"text", "unit", "target_value"} <= set(errors)

    added = client.post(
        url,
        {"text": "Open 200 school places", "unit": "places", "target_value": "200",
         "target_year": "2027", "source": "https://example.org/msp"},
    )  # fmt: skip
    assert added.status_code == 302
    new = Goal.objects.get(msp=world.msp, text="Open 200 school places")
    assert (new.target_year, new.source, new.position) == (2027, "https://example.org/msp", 1)
    assert new.progress_stale_since is not None

    edit = reverse("goals:msp-goal-edit", args=[world.msp.slug, new.pk])
    bad_year = client.post(
        edit, {"text": "Open 300 places", "unit": "places", "target_value": "300",
               "target_year": "1990"},
    )  # fmt: skip
    assert bad_year.status_code == 400
    assert "target_year" in bad_year.context["form"].errors
    client.post(edit, {"text": "Open 300 places", "unit": "places", "target_value": "300"})
    new.refresh_from_db()
    assert (new.text, new.target_value, new.target_year) == ("Open 300 places", 300, None)

    remove = reverse("goals:msp-goal-remove", args=[world.msp.slug, new.pk])
    assert "Yes, remove it" in client.get(remove).content.decode()
    assert Goal.objects.filter(pk=new.pk).exists()  # GET only asks
    assert client.post(remove).status_code == 302
    assert not Goal.objects.filter(pk=new.pk).exists()
    actions = set(
        AuditEntry.objects.filter(object_id=str(new.pk), actor=world.lead_member).values_list(
            "action", flat=True
        )
    )
    assert actions == {"goals.goal.created", "goals.goal.changed", "goals.goal.removed"}


def test_non_managers_are_refused(world: MspWorld, member_a: User, client: Client) -> None:
    url = reverse("goals:msp-goals", args=[world.msp.slug])
    data = {"text": "Sneaky", "unit": "persons", "target_value": "10"}
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(member_a)  # edits a member pledge, does not lead the MSP
    assert client.get(url).status_code == 403
    assert client.post(url, data).status_code == 403
    remove = reverse("goals:msp-goal-remove", args=[world.msp.slug, world.goal.pk])
    assert client.post(remove).status_code == 403
    assert Goal.objects.filter(msp=world.msp).count() == 1
    with pytest.raises(PermissionDenied):
        services.save_msp_goal(
            msp=world.msp,
            data=services.GoalInput("Sneaky", "persons", Decimal(10)),
            by=member_a,
        )
    # Another MSP's goal is not reachable through this one's page.
    other = MultistakeholderPledge.objects.create(
        slug="other-msp", title="Other", compact=world.msp.compact
    )
    foreign = Goal.objects.create(msp=other, text="Other goal", unit="persons", target_value=1)
    client.force_login(world.lead_member)
    edit = reverse("goals:msp-goal-edit", args=[world.msp.slug, foreign.pk])
    assert client.get(edit).status_code == 404


def test_only_accepted_members_count_a_target_of_the_same_unit(
    world: MspWorld, member_a: User, secretariat: User, client: Client
) -> None:
    persons = make_target(world.member, "100")
    places = make_target(world.member, "20", TargetUnit.PLACES)
    client.force_login(secretariat)
    page = reverse("goals:pledge-goals", args=[world.member.reference])
    offered = client.get(page).context["form"].fields["goal"].queryset
    assert world.goal in offered  # beside the forums' goals
    outsider_page = reverse("goals:pledge-goals", args=[world.outsider.reference])
    assert world.goal not in client.get(outsider_page).context["form"].fields["goal"].queryset

    refused = client.post(page, {"target": places.pk, "goal": world.goal.pk})
    assert refused.status_code == 400
    assert "same unit" in refused.content.decode()
    with pytest.raises(ValidationError, match="accepted as members"):
        services.add_contribution(
            goal=world.goal, target=make_target(world.outsider, "50"), by=secretariat
        )
    requested = make_pledge(world.msp.forum)
    _member_of(world.msp, requested, MembershipState.REQUESTED)
    with pytest.raises(ValidationError, match="accepted as members"):
        services.add_contribution(
            goal=world.goal, target=make_target(requested, "50"), by=secretariat
        )

    assert client.post(page, {"target": persons.pk, "goal": world.goal.pk}).status_code == 302
    assert GoalContribution.objects.filter(goal=world.goal, target=persons).exists()


def test_the_engine_counts_only_published_accepted_members(world: MspWorld, client: Client) -> None:
    counted = make_target(world.member, "400")
    report(counted, "100", dt.date(2025, 3, 31))
    GoalContribution.objects.create(goal=world.goal, target=counted)
    # Counted while a member, then removed: it stops counting.
    left = make_pledge(world.msp.forum)
    _member_of(world.msp, left, MembershipState.REMOVED)
    GoalContribution.objects.create(goal=world.goal, target=make_target(left, "300"))
    draft = make_pledge(world.msp.forum, state=ReviewState.DRAFT)
    _member_of(world.msp, draft, MembershipState.ACCEPTED)
    GoalContribution.objects.create(goal=world.goal, target=make_target(draft, "300"))

    figures = goal_progress.compute_goals([world.goal.pk])[world.goal.pk]

    assert (figures["pledges"], figures["pledged"], figures["achieved"]) == (1, "400.00", "100.00")
    assert figures["pledged_share"] == "0.8000"
    # The pledges behind the figures are the same: the one that left is not listed.
    listed = [
        p["reference"]
        for p in client.get(f"/api/v1/pledges/?goal={world.goal.pk}").json()["results"]
    ]
    assert listed == [world.member.reference]


def test_a_membership_change_marks_the_msp_goals_stale(world: MspWorld) -> None:
    Goal.objects.update(progress_stale_since=None)
    world.msp.progress_stale_since = timezone.now()  # as the partnership services mark it
    world.msp.save(update_fields=["progress_stale_since"])

    assert goal_progress.mark_goals_of_stale_msps() == 1
    assert Goal.objects.get(pk=world.goal.pk).progress_stale_since is not None
    assert not Goal.objects.filter(forum__isnull=False, progress_stale_since__isnull=False).exists()


def test_the_msp_page_shows_its_goals_with_progress(world: MspWorld, client: Client) -> None:
    counted = make_target(world.member, "250")
    GoalContribution.objects.create(goal=world.goal, target=counted)
    goal_progress.recompute_goals([world.goal.pk])

    page = client.get(f"/multistakeholder-pledges/{world.msp.slug}/").content.decode()

    assert "Resettle 500 refugees" in page
    assert f'<a class="goal-pledged" href="/pledges/?goal={world.goal.pk}">250</a>' in page
    assert "50.0 % of the goal" in page
    assert "Manage goals" not in page  # anonymous
    listed = client.get(f"/pledges/?goal={world.goal.pk}").content.decode()
    assert world.member.reference in listed


def test_the_api_lists_msp_goals_with_their_slug_and_filters_by_it(
    world: MspWorld, client: Client
) -> None:
    GoalContribution.objects.create(goal=world.goal, target=make_target(world.member, "100"))
    goal_progress.recompute_goals([world.goal.pk], on=dt.date(2025, 6, 30))

    rows = client.get("/api/v1/goals/?msp=goal-msp").json()["results"]

    assert [(r["id"], r["msp"], r["forum"]) for r in rows] == [(world.goal.pk, "goal-msp", None)]
    assert rows[0]["progress"]["pledged"] == "100.00"
    forum_rows = client.get("/api/v1/goals/?forum=GRF23").json()["results"]
    assert forum_rows
    assert all(r["msp"] is None for r in forum_rows)
    by_compact = client.get("/api/v1/goals/?compact=GCR").json()["results"]
    assert world.goal.pk in {r["id"] for r in by_compact}
    schema = client.get("/api/schema/?format=json").json()
    params = {p["name"] for p in schema["paths"]["/api/v1/goals/"]["get"]["parameters"]}
    assert "msp" in params
    assert "msp" in schema["components"]["schemas"]["Goal"]["properties"]


def test_the_demo_gives_each_msp_a_goal_its_accepted_members_count_towards(
    world: MspWorld,
) -> None:
    Goal.objects.filter(msp=world.msp).delete()
    targets = [make_target(world.member, "10") for _ in range(8)]
    outsider_targets = {make_target(world.outsider, "10").pk for _ in range(8)}

    create_goal_contributions()

    goal = Goal.objects.get(msp=world.msp)
    assert goal.unit == TargetUnit.PERSONS
    assert goal.progress_stale_since is not None
    counted = set(GoalContribution.objects.filter(goal=goal).values_list("target_id", flat=True))
    assert counted
    assert counted <= {t.pk for t in targets}
    assert not counted & outsider_targets
    assert not MultistakeholderPledge.objects.filter(goals__isnull=True).exists()


def test_the_dashboard_goals_panel_shows_msp_goals_named_and_linked_after_forum_goals(
    world: MspWorld, grf23: Forum, client: Client
) -> None:
    Goal.objects.create(
        forum=grf23, text="Forum-wide goal", unit=TargetUnit.PERSONS, target_value=1000
    )
    counted = make_target(world.member, "250")
    GoalContribution.objects.create(goal=world.goal, target=counted)
    runner.recompute_all(triggered_by="test")  # the dashboard needs the compacts' snapshots

    page = client.get("/dashboard/?compact=GCR").content.decode()

    start = page.index('id="goals-heading"')
    panel = page[start : page.index("</section>", start)]
    assert panel.index("Forum-wide goal") < panel.index("Resettle 500 refugees")
    msp_link = f'href="/multistakeholder-pledges/{world.msp.slug}/#goal-{world.goal.pk}"'
    assert msp_link in panel
    assert "Multistakeholder pledge: Resettlement partners" in panel
    assert f'<a href="/pledges/?goal={world.goal.pk}">250</a>' in panel
    assert "50.0 %" in panel
    # The MSP page has the anchor the panel links to.
    msp_page = client.get(f"/multistakeholder-pledges/{world.msp.slug}/").content.decode()
    assert f'id="goal-{world.goal.pk}"' in msp_page
    # GCM's dashboard has no GCR goal.
    gcm = client.get("/dashboard/?compact=GCM").content.decode()
    assert "Resettle 500 refugees" not in gcm
