"""Asking to join an existing entity: search, choose, and the refusals for duplicates."""

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from pledges.models import Membership, MembershipStatus
from pledges.views.entities import JOIN_RESULTS_LIMIT
from tests.factories import EntityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/entities/join/"


@pytest.fixture
def applicant(client: Client) -> Any:
    user = UserFactory(email="applicant@example.org")
    client.force_login(user)
    return user


def test_route_is_the_agreed_one_when_reversed() -> None:
    assert reverse("pledges:entity-join") == URL


def test_search_lists_matching_entities_as_choices_when_queried(
    client: Client, applicant: Any
) -> None:
    wanted = EntityFactory(name="Norwegian Refugee Council", acronym="NRC")
    by_acronym = EntityFactory(name="Danish Refugee Council", acronym="DRC")
    EntityFactory(name="Save the Children")

    by_name = client.get(URL, {"q": "refugee council"})
    acronym = client.get(URL, {"q": "drc"})

    assert f'value="{wanted.public_id}"' in by_name.text
    assert f'value="{by_acronym.public_id}"' in by_name.text
    assert "Save the Children" not in by_name.text
    assert f'value="{by_acronym.public_id}"' in acronym.text
    assert f'value="{wanted.public_id}"' not in acronym.text
    assert "<legend>" in by_name.text  # the radio group is a labelled fieldset


def test_empty_state_offers_registration_when_nothing_matches(
    client: Client, applicant: Any
) -> None:
    response = client.get(URL, {"q": "nothing like this"})

    assert "No entity matches" in response.text
    assert f'href="{reverse("pledges:entity-register")}"' in response.text
    assert 'type="radio"' not in response.text


def test_results_are_capped_with_a_hint_when_many_match(
    client: Client, applicant: Any, django_assert_max_num_queries: Any
) -> None:
    for index in range(JOIN_RESULTS_LIMIT + 5):
        EntityFactory(name=f"Partner {index:03d}")

    # 5 today (session, user, 2 permission look-ups, one list with type and country joined).
    with django_assert_max_num_queries(10):
        response = client.get(URL, {"q": "partner"})

    assert response.text.count('type="radio"') == JOIN_RESULTS_LIMIT
    assert "Only the first" in response.text


def test_link_preselects_one_entity_when_it_names_it(client: Client, applicant: Any) -> None:
    entity = EntityFactory(name="Open Doors")

    response = client.get(URL, {"entity": str(entity.public_id)})

    assert f'value="{entity.public_id}"' in response.text
    assert "checked" in response.text
    assert client.get(URL, {"entity": "not-a-uuid"}).status_code == 200


def test_request_is_pending_and_the_secretariat_told_when_asked(
    client: Client, applicant: Any, secretariat: Any, django_capture_on_commit_callbacks: Any
) -> None:
    entity = EntityFactory(name="Open Doors")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{URL}?q=open", {"entity": str(entity.public_id)}, follow=True)

    membership = Membership.objects.get(user=applicant, entity=entity)
    assert membership.status == MembershipStatus.PENDING
    assert response.redirect_chain[-1][0] == reverse("pledges:my-entities")
    assert "Your request to join Open Doors is sent" in response.text
    assert [m.to for m in mail.outbox] == [["secretariat@example.org"]]


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (MembershipStatus.ACTIVE, "You already act for Open Doors."),
        (MembershipStatus.PENDING, "Your request to join Open Doors is pending."),
    ],
)
def test_clear_error_is_shown_when_already_member_or_pending(
    client: Client, applicant: Any, status: str, message: str
) -> None:
    entity = EntityFactory(name="Open Doors")
    MembershipFactory(user=applicant, entity=entity, status=status)

    response = client.post(f"{URL}?q=open", {"entity": str(entity.public_id)})

    assert response.status_code == 200
    assert 'role="alert"' in response.text
    assert message in response.text
    assert 'id="id_entity_error"' in response.text
    assert Membership.objects.get(user=applicant, entity=entity).status == status


def test_request_is_opened_again_when_it_was_declined(client: Client, applicant: Any) -> None:
    entity = EntityFactory(name="Open Doors")
    MembershipFactory(user=applicant, entity=entity, status=MembershipStatus.DECLINED)

    response = client.post(URL, {"entity": str(entity.public_id)})

    assert response.status_code == 302
    assert Membership.objects.get(user=applicant, entity=entity).status == MembershipStatus.PENDING


@pytest.mark.parametrize("value", ["", "not-a-uuid", "7d7f3b7e-0000-4000-8000-000000000000"])
def test_error_is_shown_and_nothing_saved_when_no_valid_entity_is_chosen(
    client: Client, applicant: Any, value: str
) -> None:
    EntityFactory(name="Open Doors")

    response = client.post(f"{URL}?q=open", {"entity": value})

    assert response.status_code == 200
    assert 'role="alert"' in response.text
    assert not Membership.objects.filter(user=applicant).exists()
