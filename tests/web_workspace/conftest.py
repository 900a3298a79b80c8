"""Builders for the workspace pages: real reference data, entity A (with member A) and entity B
(with member B), pledges in each review state, and the POST data of the pledge editor."""

import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from compacts.models import Compact, Objective
from core.models import Currency
from forums.models import Forum
from pledges.models import Entity, Pledge, TargetUnit
from pledges.services import (
    PledgeInput,
    TargetInput,
    create_pledge,
    transition_pledge,
)
from tests.factories import GCM_DESCRIPTION, pledge_input


@pytest.fixture
def entity_b(member_b: Any) -> Entity:
    return member_b.memberships.get().entity


@pytest.fixture
def make_input(reference_data: None, entity_a: Entity) -> Callable[..., PledgeInput]:
    """A complete, valid GCR pledge of entity A at GRF 2023; keyword arguments override."""
    return functools.partial(pledge_input, entity=entity_a)


@pytest.fixture
def draft(make_input: Callable[..., PledgeInput], member_a: Any) -> Pledge:
    """A complete draft of entity A, with one target."""
    data = make_input(
        targets=[
            TargetInput(metric="Children enrolled", unit=TargetUnit.PERSONS, target_value=10000)
        ]
    )
    return create_pledge(data=data, by=member_a)


@pytest.fixture
def submitted(draft: Pledge, member_a: Any) -> Pledge:
    return transition_pledge(pledge=draft, action="submit", by=member_a)


@pytest.fixture
def published(make_input: Callable[..., PledgeInput], member_a: Any, secretariat: Any) -> Pledge:
    """A published pledge of entity A with an amount and two targets."""
    data = make_input(
        title="Fund teachers for refugee schools",
        amount=Decimal("1000000"),
        currency=Currency.objects.get(code="USD"),
        targets=[
            TargetInput(metric="Children enrolled", unit=TargetUnit.PERSONS, target_value=10000),
            TargetInput(metric="Share in school", unit=TargetUnit.PERCENT, target_value=80),
        ],
    )
    pledge = create_pledge(data=data, by=member_a)
    transition_pledge(pledge=pledge, action="submit", by=member_a)
    return transition_pledge(pledge=pledge, action="publish", by=secretariat)


@pytest.fixture
def b_draft(reference_data: None, entity_b: Entity, member_b: Any) -> Pledge:
    """A draft of entity B (hidden from member A)."""
    data = pledge_input(
        entity=entity_b,
        title="B's private draft",
        description="Not yet public.",
        objectives=[Objective.objects.get(compact__code="GCR", number=1)],
        beneficiary_countries=[],
    )
    return create_pledge(data=data, by=member_b)


@pytest.fixture
def logged_in(client: Client) -> Callable[[Any], Client]:
    """`logged_in(user)`: the test client, signed in as `user` (or anonymous for None)."""

    def login(user: Any) -> Client:
        if user is not None:
            client.force_login(user)
        return client

    return login


@pytest.fixture
def editor_data(reference_data: None, entity_a: Entity) -> Callable[..., dict[str, Any]]:
    """POST data of the pledge editor for a complete GCR pledge of entity A; keyword arguments
    override fields; `targets=[{...}, …]` gives the target rows."""

    def build(*, pledge: Pledge | None = None, **overrides: Any) -> dict[str, Any]:
        compact = Compact.objects.get(code=overrides.pop("compact_code", "GCR"))
        targets: list[dict[str, Any]] = overrides.pop("targets", [])
        data: dict[str, Any] = {
            "entity": entity_a.pk,
            "compact": compact.pk,
            "forum": Forum.objects.get(code="GRF23" if compact.code == "GCR" else "IMRF26").pk,
            "title": "Include refugee children in national schools",
            "description": "We will enrol 10,000 refugee children in national schools by 2027.",
            "objectives": [Objective.objects.get(compact=compact, number=2).pk],
            "geography_scope": "national",
            "beneficiary_countries": ["KE"],
            "contact_name": "",
            "contact_email": "",
            "start_date": "",
            "end_date": "",
            "amount": "",
            "currency": "",
            "support_platform": "",
            "intent": "draft",
            "targets-TOTAL_FORMS": str(len(targets)),
            "targets-INITIAL_FORMS": str(sum(1 for t in targets if t.get("id"))),
            "targets-MIN_NUM_FORMS": "0",
            "targets-MAX_NUM_FORMS": "50",
        }
        if compact.code == "GCM":
            data["description"] = GCM_DESCRIPTION
        if pledge is not None:
            data["version"] = pledge.version
        for index, row in enumerate(targets):
            for key, value in row.items():
                data[f"targets-{index}-{key}"] = value
        data.update(overrides)
        return data

    return build
