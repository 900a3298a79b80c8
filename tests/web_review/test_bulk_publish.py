"""Bulk publish from the review queue: all the ticked pledges, or none of them."""

from collections.abc import Callable

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from pledges.models import Entity, Pledge, ReviewState
from tests.factories import MembershipFactory, UserFactory

from .conftest import days_ago

pytestmark = pytest.mark.django_db

BULK = "pledges:review-bulk-publish"


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def states(pledges: list[Pledge]) -> list[str]:
    return [Pledge.objects.get(pk=p.pk).review_state for p in pledges]


def test_every_ticked_pledge_is_published_when_all_can_be(
    secretariat_client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    pledges = [make_pledge() for _ in range(11)] + [make_pledge(state="resubmitted")]
    back = reverse("pledges:review-queue") + "?state=submitted"

    response = secretariat_client.post(
        reverse(BULK), {"pledges": [p.reference for p in pledges], "next": back}
    )

    assert response.status_code == 302
    assert response.url == back
    assert set(states(pledges)) == {ReviewState.PUBLISHED}
    assert messages_of(response) == ["12 pledges published."]


def test_message_is_singular_when_one_pledge_is_published(
    secretariat_client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    pledge = make_pledge()

    response = secretariat_client.post(reverse(BULK), {"pledges": [pledge.reference]})

    assert messages_of(response) == ["1 pledge published."]


def test_nothing_is_published_and_the_refusal_is_named_when_one_pledge_cannot_be_published(
    secretariat_client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    # The draft sits between two publishable pledges (by submission date), so the refusal
    # comes after one pledge was already published inside the transaction.
    first = make_pledge(submitted_at=days_ago(10))
    not_ready = make_pledge(state="draft")
    # A draft has no submission date; give it one between the other two.
    Pledge.objects.filter(pk=not_ready.pk).update(submitted_at=days_ago(5))
    last = make_pledge(submitted_at=days_ago(1))

    response = secretariat_client.post(
        reverse(BULK), {"pledges": [last.reference, not_ready.reference, first.reference]}
    )

    assert response.status_code == 302
    assert states([first, not_ready, last]) == [
        ReviewState.SUBMITTED,
        ReviewState.DRAFT,
        ReviewState.SUBMITTED,
    ]
    [message] = messages_of(response)
    assert message.startswith(f"Nothing was published: {not_ready.reference} cannot be published.")
    assert "draft" in message
    assert first.reference not in message
    assert last.reference not in message


def test_nothing_is_published_and_the_entity_is_named_when_it_is_not_verified(
    secretariat_client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    ok = make_pledge(submitted_at=days_ago(3))
    newcomer = MembershipFactory(user=UserFactory(email="newcomer@example.org"))
    unverified = make_pledge(entity=newcomer.entity, by=newcomer.user, submitted_at=days_ago(2))
    Entity.objects.filter(pk=newcomer.entity_id).update(is_verified=False, verified_at=None)

    response = secretariat_client.post(
        reverse(BULK), {"pledges": [ok.reference, unverified.reference]}
    )

    assert states([ok, unverified]) == [ReviewState.SUBMITTED, ReviewState.SUBMITTED]
    [message] = messages_of(response)
    assert f"{unverified.reference} cannot be published" in message
    assert f"{newcomer.entity.name} has not been verified" in message
    assert ok.reference not in message


def test_reviewer_is_asked_to_tick_a_pledge_when_none_is_ticked(
    secretariat_client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    pledge = make_pledge()

    response = secretariat_client.post(reverse(BULK), {})

    assert response.status_code == 302
    assert messages_of(response) == ["Tick at least one pledge to publish."]
    assert states([pledge]) == [ReviewState.SUBMITTED]


def test_unknown_reference_is_reported_and_nothing_published_when_posted(
    secretariat_client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    pledge = make_pledge()

    response = secretariat_client.post(
        reverse(BULK), {"pledges": [pledge.reference, "GRF23-99999"]}
    )

    assert messages_of(response) == ["There is no pledge GRF23-99999."]
    assert states([pledge]) == [ReviewState.SUBMITTED]


def test_queue_offers_bulk_publish_with_labelled_checkboxes_when_pledges_wait(
    secretariat_client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    pledge = make_pledge()

    page = secretariat_client.get(reverse("pledges:review-queue")).text

    assert f'action="{reverse(BULK)}"' in page
    assert 'form="bulk-publish"' in page
    assert f'value="{pledge.reference}"' in page
