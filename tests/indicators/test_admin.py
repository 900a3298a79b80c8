"""The admin shows runs and snapshots read-only, and its "Recompute now" button queues a full
recompute for whoever holds the secretariat's review permission."""

from typing import Any

import pytest
import redis
from django.test import Client
from django.urls import reverse

from indicators import runner
from indicators.models import RecomputeRun
from tests.factories import UserFactory

from .conftest import queued_task_names

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client: Client, site_admin: Any) -> Client:
    client.force_login(site_admin)
    return client


@pytest.mark.parametrize("model", ["recomputerun", "progresssnapshot", "compactprogresssnapshot"])
def test_runs_and_snapshots_are_listed_but_cannot_be_added(
    admin_client_: Client, model: str, reference_data: None
) -> None:
    runner.recompute_all(compact_code="GCR")  # something to list

    changelist = admin_client_.get(reverse(f"admin:indicators_{model}_changelist"))
    add = admin_client_.get(reverse(f"admin:indicators_{model}_add"))

    assert changelist.status_code == 200
    assert add.status_code == 403


def test_the_run_list_has_a_recompute_now_button_that_queues_a_full_run(
    admin_client_: Client,
    site_admin: Any,
    task_queue: str,
    redis_client: redis.Redis,
    reference_data: None,
) -> None:
    changelist = admin_client_.get(reverse("admin:indicators_recomputerun_changelist"))
    assert reverse("admin:indicators_recomputerun_recompute") in changelist.content.decode()

    response = admin_client_.post(reverse("admin:indicators_recomputerun_recompute"), follow=True)

    assert "A full recompute is queued" in response.content.decode()
    assert queued_task_names(redis_client, task_queue) == ["indicators.recompute_all_progress"]


def test_staff_without_the_review_permission_cannot_recompute(
    client: Client, task_queue: str, redis_client: redis.Redis
) -> None:
    staff = UserFactory(email="staff@example.org", is_staff=True)
    client.force_login(staff)

    response = client.post(reverse("admin:indicators_recomputerun_recompute"))

    assert response.status_code == 403
    assert redis_client.llen(task_queue) == 0


def test_a_run_opens_read_only_and_cannot_be_deleted(
    admin_client_: Client, reference_data: None
) -> None:
    run = runner.recompute_all(compact_code="GCR").run
    change = reverse("admin:indicators_recomputerun_change", args=[run.pk])
    delete = reverse("admin:indicators_recomputerun_delete", args=[run.pk])

    response = admin_client_.get(change)

    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    assert admin_client_.post(delete, {"post": "yes"}).status_code == 403
    assert RecomputeRun.objects.filter(pk=run.pk).exists()
