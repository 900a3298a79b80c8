"""Builders for the review-queue pages: pledges and progress updates made through the services,
the way the secretariat finds them in real life."""

import datetime as dt
import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from core.models import Currency
from pledges.models import Entity, Pledge, PledgeUpdate
from pledges.services import (
    TargetInput,
    UpdateInput,
    create_pledge,
    submit_update,
    transition_pledge,
)
from tests.factories import pledge_input


@pytest.fixture
def make_pledge(
    reference_data: None, entity_a: Entity, member_a: Any, secretariat: Any
) -> Callable[..., Pledge]:
    """Create a complete pledge of entity A (GCR at GRF 2023 unless `compact_code="GCM"`) and
    move it to `state` ("draft", "submitted", "resubmitted" or "published"). `submitted_at`
    back-dates the submission so tests can control the queue order."""

    def build(
        *,
        state: str = "submitted",
        compact_code: str = "GCR",
        submitted_at: dt.datetime | None = None,
        by: Any = None,
        **overrides: Any,
    ) -> Pledge:
        author = by or member_a
        data = pledge_input(**{"entity": entity_a, **overrides}, compact_code=compact_code)
        pledge = create_pledge(data=data, by=author)
        if state != "draft":
            transition_pledge(pledge=pledge, action="submit", by=author)
        if state == "resubmitted":
            transition_pledge(
                pledge=pledge, action="request_changes", by=secretariat, reason="Add a target."
            )
            transition_pledge(pledge=pledge, action="resubmit", by=author)
        elif state == "published":
            transition_pledge(pledge=pledge, action="publish", by=secretariat)
        if submitted_at is not None:
            Pledge.objects.filter(pk=pledge.pk).update(submitted_at=submitted_at)
        pledge.refresh_from_db()
        return pledge

    return build


@pytest.fixture
def published_pledge(make_pledge: Callable[..., Pledge]) -> Pledge:
    """A published pledge of entity A with an amount and two quantified targets."""
    return make_pledge(
        state="published",
        amount=Decimal("1000000"),
        currency=Currency.objects.get(code="USD"),
        targets=[
            TargetInput(metric="Children enrolled", unit="persons", target_value=Decimal("10000")),
            TargetInput(metric="Share in school", unit="percent", target_value=Decimal("80")),
        ],
    )


@pytest.fixture
def make_update(member_a: Any) -> Callable[..., PledgeUpdate]:
    """Submit a progress update on a published pledge of entity A; `created_at` back-dates it."""

    reports = itertools.count(1)

    def build(pledge: Pledge, *, created_at: dt.datetime | None = None, **overrides: Any):
        # Each report differs: the same report submitted again is the same update.
        values: dict[str, Any] = {
            "status": "in_progress",
            "narrative": f"Enrolment started in three counties (report {next(reports)}).",
            "reported_on": dt.date(2024, 6, 30),
        }
        values.update(overrides)
        update = submit_update(pledge=pledge, data=UpdateInput(**values), by=member_a)
        if created_at is not None:
            PledgeUpdate.objects.filter(pk=update.pk).update(created_at=created_at)
            update.refresh_from_db()
        return update

    return build


@pytest.fixture
def secretariat_client(client: Client, secretariat: Any) -> Client:
    client.force_login(secretariat)
    return client


def days_ago(days: int) -> dt.datetime:
    return dt.datetime.now(tz=dt.UTC) - dt.timedelta(days=days)
