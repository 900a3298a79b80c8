"""Fixtures of the import tests: the messy sample files and the entities they name."""

from pathlib import Path

import pytest

from core.models import Country
from pledges.models import Entity, EntityType
from tests.factories import EntityFactory

FILES = Path(__file__).parent / "files"


@pytest.fixture
def known_entities(reference_data: None) -> dict[str, Entity]:
    """The verified entities the sample files name; the others are created by the import."""
    state = EntityType.objects.get(code="state")
    return {
        "kenya": EntityFactory(
            name="Government of Kenya", country=Country.objects.get(code="KE"), entity_type=state
        ),
        "canada": EntityFactory(
            name="Government of Canada", country=Country.objects.get(code="CA"), entity_type=state
        ),
        "france": EntityFactory(
            name="Gouvernement de la République française",
            country=Country.objects.get(code="FR"),
            entity_type=state,
        ),
    }


def sample(name: str) -> bytes:
    return (FILES / name).read_bytes()
