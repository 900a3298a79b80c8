"""Builders for pledge service tests: real reference data, entity A with its member."""

from collections.abc import Callable
from typing import Any

import pytest

from compacts.models import Compact, Objective
from core.models import Country
from forums.models import Forum
from pledges.models import Entity, Pledge
from pledges.services import PledgeInput, create_pledge

GCM_DESCRIPTION = "A programme to open regular pathways for migrant workers. " * 8  # 456 chars


@pytest.fixture
def make_input(reference_data: None, entity_a: Entity) -> Callable[..., PledgeInput]:
    """A complete, valid GCR pledge of entity A at GRF 2023; keyword arguments override."""

    def build(**overrides: Any) -> PledgeInput:
        compact = Compact.objects.get(code=overrides.pop("compact_code", "GCR"))
        forum_code = "GRF23" if compact.code == "GCR" else "IMRF26"
        values: dict[str, Any] = {
            "title": "Include refugee children in national schools",
            "description": "We will enrol 10,000 refugee children in national schools by 2027.",
            "compact": compact,
            "forum": Forum.objects.get(code=forum_code),
            "entity": entity_a,
            "objectives": [Objective.objects.get(compact=compact, number=2)],
            "beneficiary_countries": [Country.objects.get(code="KE")],
        }
        if compact.code == "GCM":
            values["description"] = GCM_DESCRIPTION
        values.update(overrides)
        return PledgeInput(**values)

    return build


@pytest.fixture
def draft(make_input: Callable[..., PledgeInput], member_a: Any) -> Pledge:
    """A complete draft of entity A."""
    return create_pledge(data=make_input(), by=member_a)
