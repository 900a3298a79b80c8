"""An approved progress update counts publicly only while its reporting entity is verified
(`pledges.models.approved_update_q`): a co-pledger that loses its verification takes its
reports out of the round's progress, the secretariat report and the progress engine's figures
(money disbursed, achieved values), as it takes them out of the API and the pledge's status."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from compacts.models import Compact, Objective
from core.models import Currency
from forums.models import ReportingRound
from goals.models import Goal, GoalContribution
from indicators import engine, runner
from indicators.goal_progress import compute_goals
from indicators.models import ProgressSnapshot, SliceKind
from pledges.models import Entity, Pledge, TargetUnit
from pledges.selectors import round_progress
from pledges.services import (
    TargetInput,
    UpdateInput,
    review_update,
    submit_update,
    unverify_entity,
    verify_entity,
)
from reports.selectors import Scope, approved_updates, build_report

from .conftest import co_pledger

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(
    publish: Callable[..., Pledge],
    make_round: Callable[..., ReportingRound],
    secretariat: Any,
    frozen_now: dt.datetime,
) -> dict[str, Any]:
    """A published pledge of A (100 persons, USD 1,000) whose co-pledger C reported in the open
    round: USD 400 disbursed, 60 persons reached; approved."""
    round_ = make_round()
    pledge = publish(
        amount=Decimal(1000),
        currency=Currency.objects.get(code="USD"),
        targets=[TargetInput(metric="People", unit=TargetUnit.PERSONS, target_value=Decimal(100))],
    )
    entity, user = co_pledger(pledge)
    target = pledge.targets.get()
    data = UpdateInput(
        status="in_progress",
        narrative="Our share.",
        reported_on=dt.date(2026, 11, 10),
        round=round_,
        disbursed_amount=Decimal(400),
        actuals={target.pk: Decimal(60)},
    )
    update = submit_update(pledge=pledge, data=data, by=user, entity=entity)
    review_update(update=update, action="approve", by=secretariat)
    return {"round": round_, "pledge": pledge, "entity": entity}


def _report_counts(round_: ReportingRound) -> dict[str, Any]:
    scope = Scope(compact=Compact.objects.get(code="GCR"), round=round_)
    report = build_report(scope, since=dt.date(2026, 1, 1), on=dt.date(2026, 11, 19))
    return {
        "approved": report.updates_approved,
        "pledges": report.updates_pledges,
        "in_progress": dict(report.updates_by_status)["In progress"],
        "round_reported": report.round_reported,
        "listed": approved_updates(scope, dt.date(2026, 1, 1)).count(),
    }


def _engine_figures(goal: Goal) -> dict[str, Any]:
    objective = Objective.objects.get(compact__code="GCR", number=2)
    figures = engine.compute_objectives([objective.pk], on=dt.date(2026, 11, 19))[
        (objective.pk, SliceKind.OVERALL, "")
    ]
    return {
        "disbursed_usd": figures["money"]["disbursed_usd"],
        "reported": figures["targets"][TargetUnit.PERSONS]["reported"],
        "achieved": figures["targets"][TargetUnit.PERSONS]["achieved_sum"],
        "goal_achieved": compute_goals([goal.pk])[goal.pk]["achieved"],
    }


def test_an_unverified_co_pledger_s_update_leaves_the_round_s_progress(
    scene: dict[str, Any], secretariat: Any
) -> None:
    before = round_progress(scene["round"])
    unverify_entity(entity=scene["entity"], reason="Not who it said.", by=secretariat)
    after = round_progress(scene["round"])

    assert (before.asked, before.reported, before.overdue) == (1, 1, 0)
    assert (after.asked, after.reported, after.overdue) == (1, 0, 1)
    assert list(Pledge.objects.overdue_in_round(scene["round"])) == [scene["pledge"]]


def test_an_unverified_co_pledger_s_update_leaves_the_secretariat_report(
    scene: dict[str, Any], secretariat: Any
) -> None:
    before = _report_counts(scene["round"])
    unverify_entity(entity=scene["entity"], reason="Not who it said.", by=secretariat)

    assert before == {
        "approved": 1,
        "pledges": 1,
        "in_progress": 1,
        "round_reported": 1,
        "listed": 1,
    }
    assert _report_counts(scene["round"]) == dict.fromkeys(before, 0)


def test_an_unverified_co_pledger_s_money_and_achieved_values_leave_the_progress_figures(
    scene: dict[str, Any], secretariat: Any
) -> None:
    # A collective goal the pledge's target contributes to sums achieved values too.
    goal = Goal.objects.create(
        forum=scene["pledge"].forum, text="People", unit=TargetUnit.PERSONS, target_value=1000
    )
    GoalContribution.objects.create(goal=goal, target=scene["pledge"].targets.get())
    runner.recompute_all(triggered_by="test")
    before = _engine_figures(goal)

    unverify_entity(entity=scene["entity"], reason="Not who it said.", by=secretariat)
    after = _engine_figures(goal)
    # The withdrawal marks the pledge: an incremental run stores what a fresh one computes.
    runner.recompute_stale(triggered_by="test")
    stored = ProgressSnapshot.objects.get(
        objective__compact__code="GCR",
        objective__number=2,
        slice_kind=SliceKind.OVERALL,
        date=dt.date(2026, 11, 19),
    ).figures

    assert before == {
        "disbursed_usd": "400.00",
        "reported": 1,
        "achieved": "60.00",
        "goal_achieved": "60.00",
    }
    assert after == {
        "disbursed_usd": None,
        "reported": 0,
        "achieved": None,
        "goal_achieved": None,
    }
    assert stored["money"]["disbursed_usd"] is None
    assert stored["targets"][TargetUnit.PERSONS]["reported"] == 0

    verify_entity(entity=Entity.objects.get(pk=scene["entity"].pk), by=secretariat)
    assert _engine_figures(goal) == before


def test_an_unverified_co_pledger_s_update_leaves_the_public_pledge_page(
    scene: dict[str, Any], secretariat: Any, client: Client
) -> None:
    page = f"/pledges/{scene['pledge'].reference}/"
    shown = f"Reported by {scene['entity'].name}"
    before = client.get(page).content.decode()
    unverify_entity(entity=scene["entity"], reason="Not who it said.", by=secretariat)

    assert shown in before
    assert shown not in client.get(page).content.decode()
