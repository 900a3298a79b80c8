"""The secretariat's Jobs page and its "Recompute now" button, as each member of the cast; the
button's run by a real worker is in test_worker.py."""

import datetime as dt
from typing import Any

import pytest
import redis
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from compacts.models import Objective
from compacts.progress_marks import mark_objectives_stale
from config.celery import app as celery_app
from indicators import runner
from indicators.models import RecomputeRun, RunKind, RunStatus

from .conftest import queued_task_names

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.indicators.urls")]


def add_run(minutes_ago: int, **values: Any) -> RecomputeRun:
    started = timezone.now() - dt.timedelta(minutes=minutes_ago)
    defaults: dict[str, Any] = {
        "kind": RunKind.INCREMENTAL,
        "status": RunStatus.SUCCEEDED,
        "started_at": started,
        "finished_at": started + dt.timedelta(seconds=2),
        "duration_ms": 1500,
        "objectives_done": 3,
    }
    return RecomputeRun.objects.create(**{**defaults, **values})


@pytest.fixture
def secretariat_client(client: Client, secretariat: Any) -> Client:
    client.force_login(secretariat)
    return client


@pytest.mark.parametrize("url_name", ["indicators:jobs", "indicators:recompute-now"])
def test_anonymous_is_sent_to_log_in(client: Client, url_name: str, task_queue: str) -> None:
    url = reverse(url_name)

    response = client.post(url) if url_name.endswith("now") else client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("url_name", ["indicators:jobs", "indicators:recompute-now"])
def test_members_and_staff_without_the_review_permission_are_refused(
    client: Client,
    member_a: Any,
    url_name: str,
    task_queue: str,
    redis_client: redis.Redis,
) -> None:
    member_a.is_staff = True
    member_a.save()
    client.force_login(member_a)
    url = reverse(url_name)

    response = client.post(url) if url_name.endswith("now") else client.get(url)

    assert response.status_code == 403
    assert redis_client.llen(task_queue) == 0


def test_the_page_lists_runs_newest_first_with_their_details(
    secretariat_client: Client, reference_data: None
) -> None:
    add_run(60, kind=RunKind.FULL, triggered_by="nightly schedule", objectives_done=27)
    add_run(
        5,
        status=RunStatus.FAILED,
        attempt=3,
        error="OperationalError: the database went away\n\nTraceback (most recent call last): …",
    )
    add_run(
        1,
        status=RunStatus.RUNNING,
        finished_at=None,
        duration_ms=None,
        objectives_done=0,
        heartbeat_at=timezone.now(),  # alive: its worker beats every 20 s
    )

    response = secretariat_client.get(reverse("indicators:jobs"))

    assert response.status_code == 200
    html = response.content.decode()
    rows = [run.pk for run in response.context["runs"]]
    assert rows == list(RecomputeRun.objects.order_by("-started_at").values_list("pk", flat=True))
    for text in [
        "Full recompute",
        "Changed objectives",
        "Failed",
        "Running",
        "still running",
        "OperationalError: the database went away",
    ]:
        assert text in html
    assert "Traceback" not in html, "only the first line of an error is shown"
    assert "1.5 s" in html
    assert "nightly schedule" in html
    assert response.context["last_full"].triggered_by == "nightly schedule"


def test_the_page_says_how_many_objectives_wait_and_since_when(
    secretariat_client: Client, reference_data: None
) -> None:
    assert (
        "No objective is waiting"
        in secretariat_client.get(reverse("indicators:jobs")).content.decode()
    )
    ids = list(Objective.objects.values_list("pk", flat=True)[:3])
    mark_objectives_stale(ids)

    response = secretariat_client.get(reverse("indicators:jobs"))

    assert response.context["stale_count"] == 3
    assert response.context["stale_since"] is not None
    assert "3 objectives have changes waiting to be recomputed" in response.content.decode()


def test_the_page_says_whether_todays_changes_use_the_stored_sums(
    secretariat_client: Client, reference_data: None
) -> None:
    before = secretariat_client.get(reverse("indicators:jobs")).content.decode()
    assert "No full recompute has stored today's sums yet" in before

    runner.recompute_all(triggered_by="test")

    after = secretariat_client.get(reverse("indicators:jobs")).content.decode()
    assert "applied to the sums stored by today's full recompute" in after


def test_runs_are_paginated(secretariat_client: Client, reference_data: None) -> None:
    for minutes in range(30):
        add_run(minutes)

    first = secretariat_client.get(reverse("indicators:jobs"))
    second = secretariat_client.get(reverse("indicators:jobs"), {"page": 2})

    assert len(first.context["runs"]) == 25
    assert len(second.context["runs"]) == 5
    current = 'aria-current="page"><span class="visually-hidden">Page </span>1<'
    assert current in first.content.decode()
    assert 'href="?page=2" rel="next"' in first.content.decode()


def test_recompute_now_queues_one_full_run_and_refuses_a_second_while_it_waits(
    secretariat_client: Client,
    secretariat: Any,
    task_queue: str,
    redis_client: redis.Redis,
    reference_data: None,
) -> None:
    url = reverse("indicators:recompute-now")

    first = secretariat_client.post(url, follow=True)
    second = secretariat_client.post(url, follow=True)

    assert "A full recompute is queued" in first.content.decode()
    assert "already queued or running" in second.content.decode()
    assert queued_task_names(redis_client, task_queue) == ["indicators.recompute_all_progress"]
    assert first.redirect_chain == [(reverse("indicators:jobs"), 302)]


def test_recompute_now_only_accepts_post(secretariat_client: Client) -> None:
    assert secretariat_client.get(reverse("indicators:recompute-now")).status_code == 405


@pytest.fixture
def demo_mode(settings: Any) -> None:
    """The zero-setup demo: no Redis for the locks, tasks run inline when queued. (Celery reads
    its configuration through Django's settings, so the `settings` fixture reaches it.)"""
    settings.REDIS_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert celery_app.conf.task_always_eager is True


def test_in_the_demo_recompute_now_runs_at_once(
    secretariat_client: Client, secretariat: Any, reference_data: None, demo_mode: None
) -> None:
    response = secretariat_client.post(reverse("indicators:recompute-now"), follow=True)

    assert "Progress was recomputed for every objective" in response.content.decode()
    run = RecomputeRun.objects.get()
    assert (run.kind, run.status, run.triggered_by) == (
        RunKind.FULL,
        RunStatus.SUCCEEDED,
        secretariat.email,
    )
    assert run.objectives_done == Objective.objects.count()


def test_the_nav_link_shows_for_the_secretariat_only(
    rf: RequestFactory, secretariat: Any, member_a: Any
) -> None:
    from django.contrib.auth.context_processors import PermWrapper

    def nav(user: Any) -> str:
        request = rf.get(reverse("indicators:jobs"))
        request.user = user
        request.resolver_match = None
        return render_to_string(
            "includes/nav_indicators.html", {"perms": PermWrapper(user)}, request=request
        )

    assert reverse("indicators:jobs") in nav(secretariat)
    assert nav(member_a).strip() == ""
