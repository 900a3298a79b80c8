"""Decisions from the review queue with reasons of any allowed length: taken (no 500), kept
whole in the audit trail and the pledge's history, and shown whole to the submitter."""

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from core.audit import entries_for
from pledges.models import Pledge, ReviewState
from pledges.review_forms import REASON_MAX_LENGTH
from tests.reasons import LENGTHS, reason_of

pytestmark = pytest.mark.django_db

TARGETS = {"request_changes": ReviewState.CHANGES_REQUESTED, "reject": ReviewState.REJECTED}


def decide(client: Client, pledge: Pledge, action: str, reason: str):
    return client.post(
        reverse("pledges:review-decision", args=[pledge.reference]),
        {"action": action, "reason": reason},
    )


@pytest.mark.parametrize("length", LENGTHS)
@pytest.mark.parametrize("action", TARGETS)
def test_a_long_reason_from_the_queue_is_taken_and_kept_whole(
    secretariat_client: Client, make_pledge: Callable[..., Pledge], action: str, length: int
) -> None:
    pledge = make_pledge()
    reason = reason_of(length)

    response = decide(secretariat_client, pledge, action, reason)

    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.review_state == TARGETS[action]
    assert entries_for(pledge).first().reason == reason
    assert pledge.history.latest().history_change_reason.endswith(reason)
    history = secretariat_client.get(f"/pledges/{pledge.reference}/history/").content.decode()
    assert history.count(reason) == 2


def test_a_reason_over_the_limit_is_a_field_error_on_the_decision_form(
    secretariat_client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    pledge = make_pledge()

    response = decide(secretariat_client, pledge, "reject", reason_of(REASON_MAX_LENGTH + 1))

    assert response.status_code == 400
    assert response.context["form"].errors["reason"]
    pledge.refresh_from_db()
    assert pledge.review_state == ReviewState.SUBMITTED
