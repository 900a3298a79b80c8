"""The secretariat's queue: entities to verify and requests to join, each decided through the
entity services."""

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from pledges.models import Entity, Membership, MembershipRole, MembershipStatus
from pledges.views.entities import QUEUE_PAGE_SIZE
from tests.factories import EntityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/review/entities/"


@pytest.fixture
def reviewer(client: Client, secretariat: Any) -> Any:
    client.force_login(secretariat)
    return secretariat


def _registered(name: str, registrant: Any, **fields: Any) -> Entity:
    entity = EntityFactory(name=name, is_verified=False, **fields)
    MembershipFactory(user=registrant, entity=entity, role=MembershipRole.FOCAL_POINT)
    return entity


def _request(user: Any, entity: Entity) -> Membership:
    return MembershipFactory(user=user, entity=entity, status=MembershipStatus.PENDING)


def _age(obj: Any, days: int) -> None:
    type(obj).objects.filter(pk=obj.pk).update(
        created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=days)
    )


def test_route_is_the_agreed_one_when_reversed() -> None:
    assert reverse("pledges:entity-admin-queue") == URL


def test_empty_states_are_shown_when_nothing_waits(client: Client, reviewer: Any) -> None:
    EntityFactory(is_verified=True)

    response = client.get(URL)

    assert "No entity is waiting for verification." in response.text
    assert "No request to join an entity is waiting." in response.text


def test_unverified_entity_shows_what_is_known_oldest_first_when_listed(
    client: Client, reviewer: Any
) -> None:
    newer = _registered("Newer Org", UserFactory())
    older = _registered(
        "Older Org",
        UserFactory(email="founder@example.org", full_name="Fatima Founder"),
        website="https://older.example",
        description="Runs schools.",
    )
    _age(newer, 2)
    _age(older, 1)

    response = client.get(URL)

    text = response.text
    assert text.index("Older Org") < text.index("Newer Org")
    card = text.split("Older Org", 1)[1].split('<li class="card"', 1)[0]
    for fact in (
        "NGO / civil society",
        "Kenya",
        'href="https://older.example"',
        "Runs schools.",
        "Fatima Founder",
        "founder@example.org",
        '<time datetime="2026-01-02',
    ):
        assert fact in card, fact
    assert f'value="{older.public_id}"' in card
    assert 'value="verify"' in card


def test_pending_requests_are_listed_oldest_first_when_waiting(
    client: Client, reviewer: Any, entity_a: Entity
) -> None:
    late = _request(UserFactory(email="late@example.org"), entity_a)
    early = _request(UserFactory(email="early@example.org"), entity_a)
    _age(late, 5)
    _age(early, 3)
    MembershipFactory(user=UserFactory(email="decided@example.org"), entity=entity_a)

    response = client.get(URL)

    text = response.text
    assert text.index("early@example.org") < text.index("late@example.org")
    assert "decided@example.org" not in text
    assert 'value="approve"' in text
    assert 'value="decline"' in text


def test_entity_is_verified_with_a_message_when_the_secretariat_verifies(
    client: Client, reviewer: Any
) -> None:
    entity = _registered("Open Doors", UserFactory())

    response = client.post(
        f"{URL}?requests_page=2", {"action": "verify", "entity": str(entity.public_id)}
    )

    assert response.status_code == 302
    assert response.url == f"{URL}?requests_page=2"  # back to the page the reviewer was on
    entity.refresh_from_db()
    assert entity.is_verified
    assert entity.verified_at is not None
    page = client.get(response.url)
    assert "Open Doors is now verified." in page.text
    assert "No entity is waiting for verification." in page.text


@pytest.mark.parametrize(
    ("action", "status", "message"),
    [
        ("approve", MembershipStatus.ACTIVE, "Ann Applicant now acts for"),
        ("decline", MembershipStatus.DECLINED, "The request of Ann Applicant to join"),
    ],
)
def test_request_is_decided_and_the_user_mailed_when_the_secretariat_decides(
    client: Client,
    reviewer: Any,
    entity_a: Entity,
    django_capture_on_commit_callbacks: Any,
    action: str,
    status: str,
    message: str,
) -> None:
    applicant = UserFactory(email="ann@example.org", full_name="Ann Applicant")
    membership = _request(applicant, entity_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"action": action, "membership": membership.pk}, follow=True)

    membership.refresh_from_db()
    assert membership.status == status
    assert message in response.text
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ann@example.org"]
    assert entity_a.name in mail.outbox[0].subject


def test_clear_message_is_shown_when_the_request_was_already_decided(
    client: Client, reviewer: Any, entity_a: Entity
) -> None:
    membership = _request(UserFactory(), entity_a)
    Membership.objects.filter(pk=membership.pk).update(status=MembershipStatus.DECLINED)

    response = client.post(URL, {"action": "approve", "membership": membership.pk}, follow=True)

    assert "This request has already been decided." in response.text
    assert Membership.objects.get(pk=membership.pk).status == MembershipStatus.DECLINED


def test_clear_message_is_shown_when_the_entity_is_already_verified(
    client: Client, reviewer: Any, entity_a: Entity
) -> None:
    response = client.post(
        URL, {"action": "verify", "entity": str(entity_a.public_id)}, follow=True
    )

    assert f"{entity_a.name} is already verified." in response.text


@pytest.mark.parametrize(
    "data",
    [
        {"action": "delete", "membership": "1"},
        {"action": "verify"},
        {"action": "approve", "membership": "x"},
        {"action": "verify", "entity": "not-a-uuid"},
    ],
)
def test_malformed_decision_is_a_bad_request_when_posted(
    client: Client, reviewer: Any, data: dict[str, str]
) -> None:
    assert client.post(URL, data).status_code == 400


def test_unknown_target_is_not_found_when_posted(client: Client, reviewer: Any) -> None:
    missing = "7d7f3b7e-0000-4000-8000-000000000000"

    assert client.post(URL, {"action": "verify", "entity": missing}).status_code == 404
    assert client.post(URL, {"action": "decline", "membership": 999999}).status_code == 404


def test_queue_is_paginated_with_a_query_cap_when_long(
    client: Client, reviewer: Any, entity_a: Entity, django_assert_max_num_queries: Any
) -> None:
    for index in range(QUEUE_PAGE_SIZE + 2):
        _registered(f"Waiting {index:03d}", UserFactory())
        _request(UserFactory(), entity_a)

    # 9 today (session, user, 2 permission look-ups, 2 counts, 2 lists, 1 prefetch of the
    # registrants); the cap leaves room for other areas' menus but not for a query per row.
    with django_assert_max_num_queries(14):
        first = client.get(URL)
    with django_assert_max_num_queries(14):
        second = client.get(URL, {"entities_page": 2, "requests_page": 2})

    assert first.text.count('value="verify"') == QUEUE_PAGE_SIZE
    assert first.text.count('value="approve"') == QUEUE_PAGE_SIZE
    assert "?entities_page=2" in first.text
    assert second.text.count('value="verify"') == 2
    assert second.text.count('value="approve"') == 2
    # Paging one list keeps the other list's page.
    assert "entities_page=1&amp;requests_page=2" in second.text
