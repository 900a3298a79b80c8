"""Unverified entities stay private (issue 14, item 3): the join search and the invite form
resolve only the entities the user may see, and the id of somebody else's unverified entity
answers exactly like an unknown id."""

import re
import uuid
from typing import Any

import pytest
from django.test import Client

from pledges.models import Entity, Membership, PledgeParticipant, ReviewState
from tests.factories import EntityFactory, MembershipFactory, PledgeFactory, UserFactory

pytestmark = pytest.mark.django_db

JOIN = "/entities/join/"
CLAIM = "Government of Atlantis"


@pytest.fixture
def claim() -> Entity:
    """An entity somebody registered and the secretariat has not verified yet."""
    entity = EntityFactory(name=CLAIM, acronym="GOA", is_verified=False)
    MembershipFactory(user=UserFactory(email="claimant@example.org"), entity=entity)
    return entity


@pytest.fixture
def stranger(client: Client) -> Any:
    user = UserFactory(email="stranger@example.org")
    client.force_login(user)
    return user


def _without_ids(text: str, *values: Any) -> str:
    """The page with the posted ids and the per-response tokens (CSRF, CSP nonce) blanked."""
    for value in values:
        text = text.replace(str(value), "ID")
    return re.sub(r'(csrfmiddlewaretoken" value|nonce)="[^"]*"', r'\1=""', text)


def test_join_search_does_not_list_an_unverified_entity(
    client: Client, stranger: Any, claim: Entity
) -> None:
    by_name = client.get(JOIN, {"q": "Atlantis"})
    by_acronym = client.get(JOIN, {"q": "goa"})
    by_link = client.get(JOIN, {"entity": str(claim.public_id)})

    for response in (by_name, by_acronym, by_link):
        assert CLAIM not in response.text
        assert f'value="{claim.public_id}"' not in response.text


def test_join_request_for_an_unverified_entity_answers_like_an_unknown_id(
    client: Client, stranger: Any, claim: Entity
) -> None:
    unknown = uuid.uuid4()

    hidden = client.post(JOIN, {"entity": str(claim.public_id)})
    missing = client.post(JOIN, {"entity": str(unknown)})

    assert hidden.status_code == missing.status_code == 200
    assert _without_ids(hidden.text, claim.public_id, unknown) == _without_ids(
        missing.text, claim.public_id, unknown
    )
    assert not Membership.objects.filter(user=stranger).exists()


def test_join_search_still_lists_verified_entities(client: Client, stranger: Any) -> None:
    verified = EntityFactory(name="Atlantis Refugee Council")

    response = client.get(JOIN, {"q": "Atlantis"})

    assert f'value="{verified.public_id}"' in response.text


@pytest.fixture
def own_published(client: Client, member_a: Any, entity_a: Entity) -> Any:
    client.force_login(member_a)
    return PledgeFactory(entity=entity_a, review_state=ReviewState.PUBLISHED)


def test_invite_search_does_not_offer_an_unverified_entity(
    client: Client, own_published: Any, claim: Entity
) -> None:
    response = client.get(f"/pledges/{own_published.reference}/", {"invite_q": "Atlantis"})

    assert response.status_code == 200
    assert CLAIM not in response.text


def test_invite_of_an_unverified_entity_by_its_number_answers_like_an_unknown_number(
    client: Client, own_published: Any, claim: Entity
) -> None:
    unknown = Entity.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    url = f"/pledges/{own_published.reference}/participants/"

    hidden = client.post(url, {"entity": claim.pk, "role": "co_pledger", "invite_q": ""})
    missing = client.post(url, {"entity": unknown, "role": "co_pledger", "invite_q": ""})

    assert hidden.status_code == missing.status_code == 200
    assert "That entity does not exist" in hidden.text
    assert _without_ids(hidden.text, claim.pk, unknown) == _without_ids(
        missing.text, claim.pk, unknown
    )
    assert CLAIM not in hidden.text
    assert not PledgeParticipant.objects.exists()
