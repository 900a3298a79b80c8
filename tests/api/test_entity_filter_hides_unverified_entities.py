"""`?entity=` resolves only the entities the caller may see (issue 14, item 3): the id of an
unverified entity answers like an unknown id, so the filter never confirms that it exists."""

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.factories import EntityFactory, MembershipFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/pledges/"


@pytest.mark.parametrize("who", ["anonymous", "partner", "member_b"])
def test_unverified_entity_id_answers_like_an_unknown_id(
    api_as: Callable[[str], APIClient], who: str, member_a: Any
) -> None:
    claim = EntityFactory(name="Government of Atlantis", is_verified=False)
    MembershipFactory(user=member_a, entity=claim)
    unknown = uuid.uuid4()
    client = api_as(who)

    hidden = client.get(URL, {"entity": str(claim.public_id)})
    missing = client.get(URL, {"entity": str(unknown)})

    assert hidden.status_code == missing.status_code == 400
    assert str(hidden.json()).replace(str(claim.public_id), "ID") == str(missing.json()).replace(
        str(unknown), "ID"
    )


def test_members_of_an_unverified_entity_can_filter_by_it(
    api_as: Callable[[str], APIClient], member_a: Any
) -> None:
    claim = EntityFactory(name="Government of Atlantis", is_verified=False)
    MembershipFactory(user=member_a, entity=claim)

    assert api_as("member_a").get(URL, {"entity": str(claim.public_id)}).status_code == 200
