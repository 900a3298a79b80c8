"""The demo's entities carry the look-alike keys that register_entity stores, so that on a
seeded database a look-alike of a demo State is refused like any other (issue 14, item 2)."""

from typing import Any

import pytest

from pledges.exceptions import LookalikeName
from pledges.models import Entity, EntityType
from pledges.names import cased_name_skeleton, name_skeleton
from pledges.services import register_entity
from tests.bootstrap.test_seed_demo import seed_demo
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_look_alike_of_a_demo_state_is_refused_when_seeded(
    reference_data: None, settings: Any
) -> None:
    settings.DEBUG = True
    seed_demo(pledges=60)

    assert not Entity.objects.filter(
        name_skeleton__isnull=True, cased_name_skeleton__isnull=True
    ).exists()
    kenya = Entity.objects.get(name="Government of Kenya")
    assert kenya.name_skeleton == name_skeleton(kenya.name)
    assert kenya.cased_name_skeleton == cased_name_skeleton(kenya.name)
    with pytest.raises(LookalikeName) as refused:
        register_entity(
            by=UserFactory(),
            name="Gоvernment of Kenya",  # Cyrillic о
            entity_type=EntityType.objects.get(code="ngo"),
        )
    assert refused.value.existing == kenya
