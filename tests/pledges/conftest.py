"""Builders for pledge service tests: real reference data, entity A with its member."""

import functools
from collections.abc import Callable
from typing import Any

import pytest

from pledges.models import Entity, Pledge
from pledges.services import PledgeInput, create_pledge
from tests.factories import pledge_input


@pytest.fixture
def make_input(reference_data: None, entity_a: Entity) -> Callable[..., PledgeInput]:
    """A complete, valid GCR pledge of entity A at GRF 2023; keyword arguments override."""
    return functools.partial(pledge_input, entity=entity_a)


@pytest.fixture
def draft(make_input: Callable[..., PledgeInput], member_a: Any) -> Pledge:
    """A complete draft of entity A."""
    return create_pledge(data=make_input(), by=member_a)
