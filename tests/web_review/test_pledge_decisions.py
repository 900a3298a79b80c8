"""Single decisions from the review queue: publish, request changes, reject."""

from collections.abc import Callable

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from core.audit import entries_for
from pledges.models import Pledge, ReviewState

pytestmark = pytest.mark.django_db

QUEUE = "pledges:review-queue"


def decide(client: Client, pledge: Pledge, **data: str):
    return client.post(reverse("pledges:review-decision", args=[pledge.reference]), data)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_pledge_is_published_when_the_secretariat_publishes_it(
    secretariat_client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    pledge = make_pledge()

    response = decide(secretariat_client, pledge, action="publish")

    assert response.status_code == 302
    assert response.url == reverse(QUEUE)
    pledge.refresh_from_db()
    assert pledge.review_state == ReviewState.PUBLISHED
    assert messages_of(response) == [f"{pledge.reference} is published."]


def test_reviewer_returns_to_the_same_filtered_page_when_a_decision_is_made(
    secretariat_client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    pledge = make_pledge()
    back = reverse(QUEUE) + "?state=submitted&page=1"

    response = decide(secretariat_client, pledge, action="publish", next=back)

    assert response.url == back


def test_decision_never_redirects_off_site_when_next_points_elsewhere(
    secretariat_client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    pledge = make_pledge()

    response = decide(secretariat_client, pledge, action="publish", next="https://evil.example/")

    assert response.url == reverse(QUEUE)


@pytest.mark.parametrize("action", ["request_changes", "reject"])
def test_decision_is_refused_and_nothing_changes_when_no_reason_is_given(
    secretariat_client: Client, make_pledge: Callable[..., Pledge], action: str
) -> None:
    pledge = make_pledge()

    response = decide(secretariat_client, pledge, action=action, reason="   ")

    assert response.status_code == 400
    assert 'role="alert"' in response.text
    assert "Give a reason: the submitter will see it." in response.text
    assert 'aria-invalid="true"' in response.text
    pledge.refresh_from_db()
    assert pledge.review_state == ReviewState.SUBMITTED
    assert f"pledges.pledge.{action}" not in [e.action for e in entries_for(pledge)]


def test_changes_are_requested_with_the_reason_recorded_when_a_reason_is_given(
    secretariat_client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    pledge = make_pledge()

    response = decide(
        secretariat_client, pledge, action="request_changes", reason="Add a measurable target."
    )

    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.review_state == ReviewState.CHANGES_REQUESTED
    entry = entries_for(pledge).filter(action="pledges.pledge.request_changes").get()
    assert entry.reason == "Add a measurable target."
    assert messages_of(response) == [
        f"Changes requested on {pledge.reference}; the submitter will see your reason."
    ]


def test_pledge_is_rejected_with_the_reason_recorded_when_a_reason_is_given(
    secretariat_client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    pledge = make_pledge()

    decide(secretariat_client, pledge, action="reject", reason="Duplicate of GRF23-00001.")

    pledge.refresh_from_db()
    assert pledge.review_state == ReviewState.REJECTED
    assert entries_for(pledge).get(action="pledges.pledge.reject").reason == (
        "Duplicate of GRF23-00001."
    )


def test_reviewer_is_told_when_the_pledge_was_already_decided(
    secretariat_client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    pledge = make_pledge(state="published")

    response = decide(secretariat_client, pledge, action="reject", reason="Too late.")

    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.review_state == ReviewState.PUBLISHED
    [message] = messages_of(response)
    assert pledge.reference in message
    assert "is published, so “Reject” is not possible now." in message


def test_publication_is_refused_with_the_reason_when_the_entity_is_not_verified(
    secretariat_client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    pledge = make_pledge()
    type(pledge.entity).objects.filter(pk=pledge.entity_id).update(
        is_verified=False, verified_at=None
    )

    response = decide(secretariat_client, pledge, action="publish")

    assert response.status_code == 400
    assert "has not been verified by the secretariat yet" in response.text
    pledge.refresh_from_db()
    assert pledge.review_state == ReviewState.SUBMITTED


def test_unknown_action_is_refused_when_posted(
    secretariat_client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    pledge = make_pledge()

    response = decide(secretariat_client, pledge, action="withdraw")

    assert response.status_code == 400
    pledge.refresh_from_db()
    assert pledge.review_state == ReviewState.SUBMITTED


def test_decision_page_offers_the_three_decisions_when_the_pledge_waits(
    secretariat_client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    pledge = make_pledge()

    page = secretariat_client.get(reverse("pledges:review-decision", args=[pledge.reference])).text

    for action in ("publish", "request_changes", "reject"):
        assert f'name="action" value="{action}"' in page
    assert '<label for="id_reason">' in page


def test_decision_page_says_there_is_nothing_to_decide_when_the_pledge_is_published(
    secretariat_client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    pledge = make_pledge(state="published")

    page = secretariat_client.get(reverse("pledges:review-decision", args=[pledge.reference])).text

    assert "there is nothing to decide" in page
    assert 'name="action"' not in page
