"""Publishing several pledges at once ("Publish selected" in the review queue, the admin action)
updates the progress figures exactly like publishing them one by one: every objective they
count in is marked stale, every pledge is marked for the incremental run, one recompute is
queued after commit (the Jobs page's "usually recomputed within a minute"), and that run counts
every published pledge and clears the marks."""

from collections.abc import Callable
from typing import Any

import pytest
import redis
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from compacts.models import Compact, Objective
from compacts.progress_marks import NUDGE_KEY, RECOMPUTE_TASK
from indicators import runner
from indicators.models import ProgressSnapshot
from pledges.models import Pledge, PledgeProgressMark, ReviewState
from pledges.services import transition_pledge
from tests.indicators.conftest import (  # noqa: F401 (fixtures)
    queued_task_names,
    redis_client,
    task_queue,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_submitted(make_pledge: Callable[..., Pledge]) -> list[Pledge]:
    """Three submitted pledges serving three different objectives of the GCR."""
    gcr = Compact.objects.get(code="GCR")
    return [
        make_pledge(objectives=[Objective.objects.get(compact=gcr, number=n)]) for n in (1, 2, 3)
    ]


@pytest.fixture
def nudges(settings: Any, task_queue: str) -> str:  # noqa: F811
    """The after-commit nudge on, as in production, sending to this test's own queue."""
    settings.PROGRESS_NUDGE_ENABLED = True
    cache.delete(NUDGE_KEY)
    return task_queue


def figures_state() -> tuple[set[int], set[int]]:
    stale = set(
        Objective.objects.filter(progress_stale_since__isnull=False).values_list("pk", flat=True)
    )
    return stale, set(PledgeProgressMark.objects.values_list("pledge_id", flat=True))


def counted(pledges: list[Pledge]) -> list[int]:
    """Published pledges in each pledge's objective's overall snapshot, after a run."""
    return [
        ProgressSnapshot.objects.get(
            objective=p.objectives.get(), slice_kind="overall", slice_key=""
        ).figures["pledges"]
        for p in pledges
    ]


def publish_one_by_one(pledges: list[Pledge], secretariat: Any, **_: Any) -> None:
    for pledge in pledges:
        transition_pledge(pledge=pledge, action="publish", by=secretariat)


def publish_from_the_queue(pledges: list[Pledge], secretariat: Any, **_: Any) -> None:
    client = Client()
    client.force_login(secretariat)
    response = client.post(
        reverse("pledges:review-bulk-publish"), {"pledges": [p.reference for p in pledges]}
    )
    assert response.status_code == 302


def publish_from_the_admin(pledges: list[Pledge], site_admin: Any, **_: Any) -> None:
    client = Client()
    client.force_login(site_admin)
    response = client.post(
        reverse("admin:pledges_pledge_changelist"),
        {"action": "publish_selected", "_selected_action": [str(p.pk) for p in pledges]},
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    "publish", [publish_one_by_one, publish_from_the_queue, publish_from_the_admin]
)
def test_publishing_together_marks_and_recomputes_exactly_like_one_by_one(
    three_submitted: list[Pledge],
    secretariat: Any,
    site_admin: Any,
    nudges: str,
    redis_client: redis.Redis,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
    publish: Callable[..., None],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        publish(three_submitted, secretariat=secretariat, site_admin=site_admin)

    assert {p.review_state for p in Pledge.objects.all()} == {ReviewState.PUBLISHED}
    objectives = {p.objectives.get().pk for p in three_submitted}
    assert figures_state() == (objectives, {p.pk for p in three_submitted})
    # One nudge for the burst, as for three publications within the debounce delay.
    assert queued_task_names(redis_client, nudges) == [RECOMPUTE_TASK]

    outcome = runner.recompute_stale(triggered_by="test")

    assert set(outcome.objectives_done) == objectives
    assert counted(three_submitted) == [1, 1, 1]
    # (The pledge marks wait for a run with stored sums, as after single publications.)
    assert figures_state()[0] == set()


def test_in_the_inline_demo_a_bulk_publish_right_after_a_publish_is_recomputed_too(
    three_submitted: list[Pledge],
    secretariat: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """`make run` runs tasks inline and has no beat sweep to catch up later: a publication
    within the debounce delay of the previous one must not wait for an unrelated change."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.PROGRESS_NUDGE_ENABLED = True
    cache.delete(NUDGE_KEY)
    first, *rest = three_submitted

    with django_capture_on_commit_callbacks(execute=True):
        transition_pledge(pledge=first, action="publish", by=secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        publish_from_the_queue(rest, secretariat=secretariat)

    assert figures_state()[0] == set()
    assert counted(three_submitted) == [1, 1, 1]
