"""Pledges for the duplicate warning: a draft of entity A and others' pledges around it."""

from collections.abc import Callable
from typing import Any

import pytest

from pledges.models import Entity, Pledge
from tests.factories import PledgeRows


@pytest.fixture
def rows(reference_data: None) -> PledgeRows:
    # Numbered clear of the references the services hand out (GRF23-00001 on).
    return PledgeRows(first=500)


@pytest.fixture
def other_entity(member_b: Any) -> Entity:
    return member_b.memberships.get().entity


@pytest.fixture
def add(rows: PledgeRows) -> Callable[..., Pledge]:
    """`add(title, entity=…, state=…, forum=…, countries=…)`: one pledge row."""

    def build(title: str, **fields: Any) -> Pledge:
        return rows(title=title, **fields)

    return build
