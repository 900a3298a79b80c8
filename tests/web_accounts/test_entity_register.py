"""Registering a new entity from the web: valid, invalid, and a name that already exists."""

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from pledges.models import Entity, EntityType, MembershipRole, MembershipStatus
from pledges.services import register_entity
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/entities/register/"


@pytest.fixture
def applicant(client: Client, reference_data: None) -> Any:
    user = UserFactory(email="applicant@example.org")
    client.force_login(user)
    return user


def _valid(**overrides: str) -> dict[str, str]:
    return {
        "name": "Refugee Voices",
        "acronym": "RV",
        "entity_type": "refugee_led",
        "country": "KE",
        "website": "https://refugeevoices.example",
        "description": "A refugee-led network in Nairobi.",
        **overrides,
    }


def test_route_is_the_agreed_one_when_reversed() -> None:
    assert reverse("pledges:entity-register") == URL


def test_form_lists_types_and_countries_when_shown(client: Client, applicant: Any) -> None:
    response = client.get(URL)

    assert response.status_code == 200
    for field in ("name", "acronym", "entity_type", "country", "website", "description"):
        assert f'<label for="id_{field}">' in response.text
    assert 'value="refugee_led"' in response.text
    assert 'value="KE"' in response.text
    assert 'name="csrfmiddlewaretoken"' in response.text


def test_entity_is_registered_with_the_user_as_focal_point_when_valid(
    client: Client, applicant: Any, secretariat: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, _valid(), follow=True)

    entity = Entity.objects.get(name="Refugee Voices")
    assert response.redirect_chain[-1][0] == reverse("pledges:my-entities")
    assert "is registered and you act for it" in response.text
    assert entity.acronym == "RV"
    assert entity.entity_type.code == "refugee_led"
    assert entity.country_id == "KE"
    assert entity.website == "https://refugeevoices.example"
    assert not entity.is_verified
    membership = entity.memberships.get()
    assert membership.user == applicant
    assert membership.role == MembershipRole.FOCAL_POINT
    assert membership.status == MembershipStatus.ACTIVE
    assert [m.to for m in mail.outbox] == [["secretariat@example.org"]]


def test_optional_fields_may_stay_empty_when_registering(client: Client, applicant: Any) -> None:
    response = client.post(
        URL, _valid(acronym="", country="", website="", description="", name="  Lone Org ")
    )

    assert response.status_code == 302
    entity = Entity.objects.get(name="Lone Org")
    assert entity.country is None
    assert entity.website == ""


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"entity_type": ""}, "entity_type"),
        ({"entity_type": "no-such-type"}, "entity_type"),
        ({"country": "XX"}, "country"),
        ({"website": "not a url"}, "website"),
        ({"acronym": "A" * 31}, "acronym"),
    ],
)
def test_errors_are_shown_on_the_field_and_nothing_saved_when_invalid(
    client: Client, applicant: Any, overrides: dict[str, str], field: str
) -> None:
    response = client.post(URL, _valid(**overrides))

    assert response.status_code == 200
    assert 'role="alert"' in response.text
    assert f'href="#id_{field}"' in response.text  # the summary links to the field
    assert f'id="id_{field}_error"' in response.text
    assert f'aria-describedby="id_{field}_error"' in response.text or (
        f"id_{field}_helptext id_{field}_error" in response.text
    )
    assert not Entity.objects.exists()


def test_duplicate_name_shows_the_services_error_with_a_join_link_when_already_registered(
    client: Client, applicant: Any
) -> None:
    existing = register_entity(
        by=UserFactory(), name="Refugee Voices", entity_type=EntityType.objects.get(code="ngo")
    )
    Entity.objects.filter(pk=existing.pk).update(is_verified=True, verified_at=existing.created_at)

    response = client.post(URL, _valid(name="refugee voices", entity_type="ngo"))

    assert response.status_code == 200
    errors = response.context["form"].errors["name"]
    assert "is already registered, and this name looks the same." in errors[0]
    join_link = f"{reverse('pledges:entity-join')}?entity={existing.public_id}"
    assert f'href="{join_link}"' in response.text
    assert Entity.objects.count() == 1


def test_page_is_refused_when_the_method_is_not_get_or_post(client: Client, applicant: Any) -> None:
    assert client.delete(URL).status_code == 405
