"""Registering a name that looks like an existing entity's from the web: refused on the name
field, linking to the existing entity only where the person may see it; and the register page
says what waits for verification (issue 14, items 2 and 17)."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from pledges.models import Entity, EntityType
from tests.factories import EntityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/entities/register/"


@pytest.fixture
def applicant(client: Client, reference_data: None) -> Any:
    user = UserFactory(email="applicant@example.org")
    client.force_login(user)
    return user


def _post(client: Client, name: str, entity_type: str = "ngo") -> Any:
    return client.post(URL, {"name": name, "entity_type": entity_type, "country": "KE"})


def test_look_alike_of_a_verified_entity_links_to_its_page_when_of_another_type(
    client: Client, applicant: Any
) -> None:
    france = EntityFactory(
        name="Government of France", entity_type=EntityType.objects.get(code="state")
    )

    response = _post(client, "Gоvernment of\u00a0Fr\u200bance")  # Cyrillic о, NBSP, ZWSP

    assert response.status_code == 200
    [error] = response.context["form"].errors["name"]
    assert "“Government of France” is already registered" in error
    assert f'href="{reverse("pledges:entity-detail", args=[france.public_id])}"' in error
    assert f'href="{reverse("pledges:entity-join")}?entity={france.public_id}"' in error
    assert Entity.objects.count() == 1


def test_look_alike_of_someone_elses_unverified_entity_is_refused_without_naming_it(
    client: Client, applicant: Any
) -> None:
    claim = EntityFactory(name="Ministry of Health of Ruritania", is_verified=False)

    response = _post(client, "MINISTRY OF HEALTH OF RURITANIA")

    [error] = response.context["form"].errors["name"]
    assert "awaiting verification" in error
    assert "Ministry of Health of Ruritania" not in response.text.replace(
        'value="MINISTRY OF HEALTH OF RURITANIA"', ""
    )
    assert str(claim.public_id) not in response.text
    assert Entity.objects.count() == 1


def test_look_alike_of_ones_own_unverified_entity_links_to_ones_entities(
    client: Client, applicant: Any
) -> None:
    MembershipFactory(
        user=applicant, entity=EntityFactory(name="Refugee Voices", is_verified=False)
    )

    response = _post(client, "refugee voices")

    [error] = response.context["form"].errors["name"]
    assert "You have already registered “Refugee Voices”" in error
    assert f'href="{reverse("pledges:my-entities")}"' in error


def test_page_says_submission_waits_for_verification_when_shown(
    client: Client, applicant: Any
) -> None:
    response = client.get(URL)

    assert "its pledges cannot be submitted for review" in response.text
    assert "You will receive an e-mail when the secretariat" in response.text
    assert "before any of its pledges is published" not in response.text


def test_success_message_says_submission_waits_when_registered(
    client: Client, applicant: Any
) -> None:
    response = client.post(
        URL, {"name": "Open Doors", "entity_type": "ngo", "country": "KE"}, follow=True
    )

    assert "they can be submitted for review once the secretariat has verified" in response.text
