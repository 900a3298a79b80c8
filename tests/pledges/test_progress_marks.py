"""Changes that feed progress figures mark the objectives they touch, durably and in the same
transaction; changes that do not feed figures leave the marks alone."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from compacts.models import Objective
from pledges.models import Pledge
from pledges.services import (
    PledgeInput,
    UpdateInput,
    review_update,
    submit_update,
    transition_pledge,
    update_pledge,
)

pytestmark = pytest.mark.django_db


def stale() -> set[tuple[str, int]]:
    return set(
        Objective.objects.filter(progress_stale_since__isnull=False).values_list(
            "compact__code", "number"
        )
    )


def test_drafting_and_submitting_mark_nothing(draft: Pledge, member_a: Any) -> None:
    transition_pledge(pledge=draft, action="submit", by=member_a)

    assert stale() == set()


def test_publishing_marks_the_pledges_objectives(
    draft: Pledge, member_a: Any, secretariat: Any
) -> None:
    transition_pledge(pledge=draft, action="submit", by=member_a)
    transition_pledge(pledge=draft, action="publish", by=secretariat)

    assert stale() == {("GCR", 2)}


def test_withdrawing_a_published_pledge_marks_its_objectives(
    draft: Pledge, member_a: Any, secretariat: Any
) -> None:
    transition_pledge(pledge=draft, action="submit", by=member_a)
    transition_pledge(pledge=draft, action="publish", by=secretariat)
    Objective.objects.update(progress_stale_since=None)

    transition_pledge(pledge=draft, action="withdraw", by=member_a)

    assert stale() == {("GCR", 2)}


def test_correcting_a_published_pledge_marks_old_and_new_objectives(
    draft: Pledge, make_input: Callable[..., PledgeInput], member_a: Any, secretariat: Any
) -> None:
    transition_pledge(pledge=draft, action="submit", by=member_a)
    transition_pledge(pledge=draft, action="publish", by=secretariat)
    Objective.objects.update(progress_stale_since=None)

    objective_3 = Objective.objects.get(compact__code="GCR", number=3)
    update_pledge(pledge=draft, data=make_input(objectives=[objective_3]), by=secretariat)

    assert stale() == {("GCR", 2), ("GCR", 3)}


def test_only_an_approved_update_marks_objectives(
    draft: Pledge, member_a: Any, secretariat: Any
) -> None:
    transition_pledge(pledge=draft, action="submit", by=member_a)
    published = transition_pledge(pledge=draft, action="publish", by=secretariat)
    Objective.objects.update(progress_stale_since=None)
    data = UpdateInput(status="in_progress", narrative="Started.", reported_on=dt.date(2025, 1, 1))

    update = submit_update(pledge=published, data=data, by=member_a)
    assert stale() == set()
    review_update(update=update, action="approve", by=secretariat)

    assert stale() == {("GCR", 2)}


def test_marks_roll_back_with_a_refused_change(
    draft: Pledge, member_a: Any, secretariat: Any
) -> None:
    transition_pledge(pledge=draft, action="submit", by=member_a)
    transition_pledge(pledge=draft, action="publish", by=secretariat)
    Objective.objects.update(progress_stale_since=None)

    with pytest.raises(Exception):  # noqa: B017, PT011 - any refusal will do
        transition_pledge(pledge=draft, action="supersede", by=secretariat, reason="")

    assert stale() == set()
