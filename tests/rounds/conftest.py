"""Builders for issue 17 items 4 and 6: published pledges of entity A (at GRF 2023, or outside
any forum), a co-pledging entity C with its member, and reporting rounds."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from compacts.models import Compact
from forums.models import ReportingRound
from pledges.models import Entity, ParticipantStatus, Pledge, PledgeParticipant
from pledges.services import create_pledge, transition_pledge
from tests.factories import EntityFactory, MembershipFactory, UserFactory, pledge_input


@pytest.fixture
def publish(
    reference_data: None, entity_a: Entity, member_a: Any, secretariat: Any
) -> Callable[..., Pledge]:
    """`publish(**overrides)`: a pledge of entity A created, submitted and published through
    the services."""

    def make(**overrides: Any) -> Pledge:
        pledge = create_pledge(data=pledge_input(entity=entity_a, **overrides), by=member_a)
        transition_pledge(pledge=pledge, action="submit", by=member_a)
        return transition_pledge(pledge=pledge, action="publish", by=secretariat)

    return make


@pytest.fixture
def published(publish: Callable[..., Pledge]) -> Pledge:
    """A published GCR pledge of entity A, announced at GRF 2023."""
    return publish()


@pytest.fixture
def between_forums(publish: Callable[..., Pledge]) -> Pledge:
    """A published GCR pledge of entity A announced outside any forum."""
    return publish(forum=None, announced_on=dt.date(2025, 3, 1))


def co_pledger(
    pledge: Pledge,
    *,
    status: str = ParticipantStatus.ACCEPTED,
    verified: bool = True,
    language: str = "en",
) -> tuple[Entity, Any]:
    """A co-pledging entity on `pledge` in `status`, and an active member of it."""
    entity = EntityFactory(name=f"Co-pledger {status} {verified}", is_verified=verified)
    user = UserFactory(email=f"co-{status}-{verified}@example.org", language=language)
    MembershipFactory(user=user, entity=entity)
    PledgeParticipant.objects.create(pledge=pledge, entity=entity, status=status)
    return entity, user


@pytest.fixture
def make_round(reference_data: None) -> Callable[..., ReportingRound]:
    def make(**overrides: Any) -> ReportingRound:
        values: dict[str, Any] = {
            "compact": Compact.objects.get(code="GCR"),
            "title": "GCR reporting round 2026",
            "opens_on": dt.date(2026, 11, 1),
            "closes_on": dt.date(2026, 12, 31),
        }
        values.update(overrides)
        return ReportingRound.objects.create(**values)

    return make


@pytest.fixture
def logged_in(client: Client) -> Callable[[Any], Client]:
    def login(user: Any) -> Client:
        if user is not None:
            client.force_login(user)
        return client

    return login
