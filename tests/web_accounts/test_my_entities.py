"""'My entities': the user's memberships with their state and what to do next."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from pledges.models import MembershipRole, MembershipStatus
from pledges.views.entities import MY_ENTITIES_PAGE_SIZE
from tests.factories import EntityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/my/entities/"


@pytest.fixture
def person(client: Client) -> Any:
    user = UserFactory()
    client.force_login(user)
    return user


def test_route_is_the_agreed_one_when_reversed() -> None:
    assert reverse("pledges:my-entities") == URL


def test_empty_state_offers_register_and_join_when_the_user_has_no_membership(
    client: Client, person: Any
) -> None:
    response = client.get(URL)

    assert "You do not act for any entity yet." in response.text
    assert f'href="{reverse("pledges:entity-register")}"' in response.text
    assert f'href="{reverse("pledges:entity-join")}"' in response.text


def test_each_membership_shows_its_status_role_and_verification_when_listed(
    client: Client, person: Any
) -> None:
    MembershipFactory(
        user=person,
        entity=EntityFactory(name="Alpha Org", is_verified=True),
        role=MembershipRole.FOCAL_POINT,
    )
    MembershipFactory(
        user=person,
        entity=EntityFactory(name="Beta Org", is_verified=False),
        status=MembershipStatus.PENDING,
    )
    declined = MembershipFactory(
        user=person, entity=EntityFactory(name="Gamma Org"), status=MembershipStatus.DECLINED
    )

    response = client.get(URL)
    cards = {
        name: response.text.split(name, 1)[1].split("</li>", 1)[0]
        for name in ("Alpha Org", "Beta Org", "Gamma Org")
    }

    assert "Focal point" in cards["Alpha Org"]
    assert "Active" in cards["Alpha Org"]
    assert "Verified" in cards["Alpha Org"]
    assert "Pending approval" in cards["Beta Org"]
    assert "Awaiting verification" in cards["Beta Org"]
    assert "The secretariat will review your request" in cards["Beta Org"]
    assert "Declined" in cards["Gamma Org"]
    # A declined request can be made again, straight from the list (a POST with CSRF token).
    assert f'action="{reverse("pledges:entity-join")}"' in cards["Gamma Org"]
    assert f'value="{declined.entity.public_id}"' in cards["Gamma Org"]
    assert "csrfmiddlewaretoken" in cards["Gamma Org"]


def test_unverified_entity_explains_publication_waits_when_the_member_is_active(
    client: Client, person: Any
) -> None:
    MembershipFactory(user=person, entity=EntityFactory(is_verified=False))

    response = client.get(URL)

    assert "submitted for review (and then published) once the secretariat has verified" in (
        response.text
    )


def test_list_is_paginated_with_a_query_cap_when_long(
    client: Client, person: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(MY_ENTITIES_PAGE_SIZE + 3):
        MembershipFactory(user=person, entity=EntityFactory())
    MembershipFactory(user=UserFactory())  # someone else's

    # 6 today (session, user, 2 permission look-ups, count, list): never one per row.
    with django_assert_max_num_queries(10):
        first = client.get(URL)
    second = client.get(URL, {"page": 2})

    assert first.text.count('class="card"') == MY_ENTITIES_PAGE_SIZE
    assert 'rel="next"' in first.text
    assert second.text.count('class="card"') == 3
    assert 'rel="prev"' in second.text
