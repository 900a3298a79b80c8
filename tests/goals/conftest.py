"""Shared set-up of the goals tests: a goal of GRF 2023 and pledges of the GCR to count."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from compacts.models import Objective
from forums.models import Forum
from goals.models import Goal
from pledges.models import (
    Pledge,
    PledgeTarget,
    PledgeUpdate,
    PledgeUpdateActual,
    ReviewState,
    TargetUnit,
    UpdateReviewState,
)
from tests.factories import EntityFactory, PledgeFactory


@pytest.fixture
def grf23(reference_data: None) -> Forum:
    return Forum.objects.get(code="GRF23")


@pytest.fixture
def goal(grf23: Forum) -> Goal:
    """A goal of 1,000 persons (the worked example of docs/progress.md)."""
    return Goal.objects.create(
        forum=grf23,
        text="Resettle 1,000 refugees",
        unit=TargetUnit.PERSONS,
        target_value=Decimal("1000"),
        target_year=2030,
        position=50,
    )


def make_pledge(
    forum: Forum, *, state: str = ReviewState.PUBLISHED, verified: bool = True, **extra: Any
) -> Pledge:
    return PledgeFactory(
        forum=forum,
        entity=extra.pop("entity", None) or EntityFactory(is_verified=verified),
        review_state=state,
        objectives=[Objective.objects.get(compact=forum.compact, number=3)],
        **extra,
    )


def make_target(pledge: Pledge, value: str, unit: str = TargetUnit.PERSONS) -> PledgeTarget:
    return PledgeTarget.objects.create(
        pledge=pledge,
        metric=f"Refugees resettled ({value})",
        unit=unit,
        target_value=Decimal(value),
    )


def report(
    target: PledgeTarget, value: str, on: dt.date, *, approved: bool = True
) -> PledgeUpdateActual:
    update = PledgeUpdate.objects.create(
        pledge=target.pledge,
        entity_id=target.pledge.entity_id,
        status="in_progress",
        narrative="Report",
        reported_on=on,
        review_state=UpdateReviewState.APPROVED if approved else UpdateReviewState.PENDING,
        reviewed_at=dt.datetime.combine(on, dt.time(12), tzinfo=dt.UTC) if approved else None,
    )
    return PledgeUpdateActual.objects.create(update=update, target=target, value=Decimal(value))
