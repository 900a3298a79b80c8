"""Redis down: public pages, the API and writes keep working. The cache and the throttles let
requests through, the recompute nudge fails quietly, and the stale marks — rows in PostgreSQL,
written in the same transaction as the change — wait until a sweep runs with Redis back, which
clears them and writes the snapshot."""

import logging
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from compacts.models import Objective
from indicators.models import RecomputeRun, RunStatus
from indicators.tasks import recompute_stale_progress_task
from pledges.models import Pledge, ReviewState
from pledges.services import transition_pledge
from tests.indicators.conftest import overall_pledges

from .conftest import RedisOutage

pytestmark = pytest.mark.django_db

GCR_2 = {"compact__code": "GCR", "number": 2}


def stale_objectives() -> set[str]:
    return {
        f"{o.compact.code}-{o.number}"
        for o in Objective.objects.filter(progress_stale_since__isnull=False).select_related(
            "compact"
        )
    }


@pytest.fixture
def published(submitted_pledge: Callable[..., Pledge], secretariat: User, settings: Any) -> Pledge:
    """A pledge published while Redis was up (so the public pages have something to show),
    with its stale mark already recomputed away."""
    pledge = transition_pledge(pledge=submitted_pledge(), action="publish", by=secretariat)
    recompute_stale_progress_task.apply(kwargs={"triggered_by": "test setup"})
    assert stale_objectives() == set()
    return pledge


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/pledges/",
        "/pledges/?q=schools",
        "/objectives/GCR/2/",
        "/forums/GRF23/",
        "/dashboard/",
        "/healthz",
    ],
)
def test_public_pages_answer_200_with_redis_down(
    published: Pledge, redis_down: RedisOutage, client: Client, path: str
) -> None:
    response = client.get(path)

    assert response.status_code == 200, response.content[:500]


def test_a_published_pledge_page_still_shows_it_with_redis_down(
    published: Pledge, redis_down: RedisOutage, client: Client
) -> None:
    response = client.get(f"/pledges/{published.reference}/")

    assert response.status_code == 200
    assert published.title in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/api/v1/pledges/", "/api/v1/progress/?compact=GCR", "/api/v1/compacts/"]
)
def test_api_lists_answer_200_with_redis_down_because_throttles_forgive(
    published: Pledge, redis_down: RedisOutage, path: str
) -> None:
    client = APIClient()

    for _ in range(3):  # several calls: the throttle's cache is consulted each time
        response = client.get(path)
        assert response.status_code == 200, response.content[:500]


@pytest.mark.django_db(transaction=True)  # real commits, so the after-commit nudge runs
def test_writes_succeed_with_redis_down_and_the_sweep_catches_up_once_it_is_back(
    submitted_pledge: Callable[..., Pledge],
    member_a: User,
    secretariat: User,
    redis_down: RedisOutage,
    caplog: pytest.LogCaptureFixture,
) -> None:
    objective = Objective.objects.get(**GCR_2)
    api = APIClient()
    api.force_authenticate(member_a)
    web = Client()
    web.force_login(secretariat)

    # A member creates and submits a pledge through the API…
    created = api.post(
        "/api/v1/pledges/",
        {
            "title": "Scholarships for refugee students",
            "description": "Two hundred scholarships a year at national universities.",
            "compact": "GCR",
            "forum": "GRF23",
            "objectives": [2],
            "beneficiary_countries": ["KE"],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    reference = created.json()["reference"]
    submitted = api.post(
        f"/api/v1/pledges/{reference}/submit/", {}, format="json", HTTP_IF_MATCH=created["ETag"]
    )
    assert submitted.status_code == 200, submitted.content
    # …and the secretariat publishes it from the review queue.
    with caplog.at_level(logging.WARNING, logger="compacts.progress_marks"):
        decided = web.post(
            f"/review/pledges/{reference}/decision/", {"action": "publish", "reason": ""}
        )
    assert decided.status_code == 302
    assert Pledge.objects.get(reference=reference).review_state == ReviewState.PUBLISHED
    assert "the sweep will catch up" in caplog.text
    # The change is recorded as needing a recompute, durably, although no task could be queued.
    assert stale_objectives() == {"GCR-2"}
    assert overall_pledges(objective) is None

    redis_down.end()
    recompute_stale_progress_task.apply(kwargs={"triggered_by": "periodic sweep"})

    assert stale_objectives() == set()
    assert overall_pledges(objective) == 1
    run = RecomputeRun.objects.get()
    assert (run.status, run.triggered_by) == (RunStatus.SUCCEEDED, "periodic sweep")


@pytest.mark.django_db(transaction=True)
def test_a_broker_outage_alone_costs_a_write_under_two_seconds_and_loses_nothing(
    submitted_pledge: Callable[..., Pledge],
    secretariat: User,
    redis_down: RedisOutage,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The cache is up (the nudge's debounce succeeds) but the broker is not: the publish
    still commits, the failed enqueue is swallowed after kombu's short retry."""
    settings.CACHES = redis_down.live["CACHES"]
    pledge = submitted_pledge()

    began = time.monotonic()
    transition_pledge(pledge=pledge, action="publish", by=secretariat)
    took = time.monotonic() - began

    assert Pledge.objects.get(pk=pledge.pk).review_state == ReviewState.PUBLISHED
    assert stale_objectives() == {"GCR-2"}
    assert took < 2, f"publishing took {took:.1f} s with the broker down"
    assert "could not nudge" in caplog.text.lower()


def test_the_jobs_page_and_its_recompute_button_answer_clearly_with_redis_down(
    reference_data: None, secretariat: User, redis_down: RedisOutage
) -> None:
    client = Client()
    client.force_login(secretariat)

    page = client.get("/review/jobs/")
    pressed = client.post("/review/jobs/recompute/", follow=True)

    assert page.status_code == 200
    assert pressed.status_code == 200
    assert "The recompute could not be queued" in pressed.content.decode()
    assert not RecomputeRun.objects.exists()
