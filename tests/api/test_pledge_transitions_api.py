"""Review actions as POSTs on /api/v1/pledges/{reference}/…: each transition by its actor,
refusals by state (409), by role (401/403/404), a missing reason (400) and a stale If-Match
(412), none of which changes anything."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from rest_framework.test import APIClient

from accounts.models import User
from pledges.models import Pledge, ReviewState
from pledges.services import PledgeInput, create_pledge, transition_pledge

pytestmark = pytest.mark.django_db

S = ReviewState


@pytest.fixture
def own_draft(make_input: Callable[..., PledgeInput], member_a: User) -> Pledge:
    return create_pledge(data=make_input(), by=member_a)


@pytest.fixture
def in_state(own_draft: Pledge, member_a: User, secretariat: User) -> Callable[[str], Pledge]:
    """Move entity A's draft to `state` through the services."""
    paths = {
        S.DRAFT: [],
        S.SUBMITTED: [("submit", member_a)],
        S.PUBLISHED: [("submit", member_a), ("publish", secretariat)],
        S.CHANGES_REQUESTED: [("submit", member_a), ("request_changes", secretariat)],
        S.RESUBMITTED: [
            ("submit", member_a),
            ("request_changes", secretariat),
            ("resubmit", member_a),
        ],
    }

    def move(state: str) -> Pledge:
        for action, by in paths[state]:
            transition_pledge(pledge=own_draft, action=action, by=by, reason="Needed")
        return Pledge.objects.get(pk=own_draft.pk)

    return move


def post(client: APIClient, pledge: Pledge, action: str, **data: Any) -> Any:
    return client.post(f"/api/v1/pledges/{pledge.reference}/{action}/", data, format="json")


def state_of(pledge: Pledge) -> tuple[str, int]:
    fresh = Pledge.objects.get(pk=pledge.pk)
    return fresh.review_state, fresh.version


@pytest.mark.parametrize(
    ("start", "action", "who", "reason", "target"),
    [
        (S.DRAFT, "submit", "member_a", "", S.SUBMITTED),
        (S.DRAFT, "withdraw", "member_a", "", S.WITHDRAWN),
        (S.SUBMITTED, "publish", "secretariat", "", S.PUBLISHED),
        (S.SUBMITTED, "request-changes", "secretariat", "Name the end date.", S.CHANGES_REQUESTED),
        (S.SUBMITTED, "reject", "secretariat", "Out of scope.", S.REJECTED),
        (S.RESUBMITTED, "publish", "secretariat", "", S.PUBLISHED),
        (S.CHANGES_REQUESTED, "resubmit", "member_a", "", S.RESUBMITTED),
        (S.PUBLISHED, "withdraw", "member_a", "Funding cut.", S.WITHDRAWN),
        (S.PUBLISHED, "supersede", "secretariat", "Replaced by a new pledge.", S.SUPERSEDED),
    ],
)
def test_transition_moves_the_pledge_when_its_actor_takes_it_from_an_allowed_state(
    in_state: Callable[[str], Pledge],
    api_as: Callable[[str], APIClient],
    start: str,
    action: str,
    who: str,
    reason: str,
    target: str,
) -> None:
    pledge = in_state(start)
    client = api_as(who)

    response = post(client, pledge, action, reason=reason)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["review_state"] == target
    assert body["version"] == pledge.version + 1
    assert state_of(pledge) == (target, pledge.version + 1)
    # The answer is what a GET now shows, with the same ETag.
    again = client.get(body["url"])
    assert again.json() == body
    assert again["ETag"] == response["ETag"]


def test_decision_reason_is_recorded_and_sent_to_the_submitter_when_changes_are_requested(
    in_state: Callable[[str], Pledge],
    api_as: Callable[[str], APIClient],
    django_capture_on_commit_callbacks: Any,
) -> None:
    pledge = in_state(S.SUBMITTED)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        post(api_as("secretariat"), pledge, "request-changes", reason="Name the end date.")

    history = Pledge.objects.get(pk=pledge.pk).history.first()
    assert "Name the end date." in history.history_change_reason
    assert any("Name the end date." in message.body for message in mail.outbox)


@pytest.mark.parametrize(
    ("start", "action", "who"),
    [
        (S.PUBLISHED, "submit", "member_a"),
        (S.DRAFT, "publish", "secretariat"),
        (S.DRAFT, "resubmit", "member_a"),
        (S.PUBLISHED, "request-changes", "secretariat"),
        (S.CHANGES_REQUESTED, "publish", "secretariat"),
        (S.DRAFT, "supersede", "secretariat"),
    ],
)
def test_transition_is_refused_with_409_and_changes_nothing_when_the_state_forbids_it(
    in_state: Callable[[str], Pledge],
    api_as: Callable[[str], APIClient],
    start: str,
    action: str,
    who: str,
) -> None:
    pledge = in_state(start)
    before = state_of(pledge)

    response = post(api_as(who), pledge, action, reason="Because")

    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "conflict"
    assert pledge.reference in body["detail"]
    assert state_of(pledge) == before


@pytest.mark.parametrize("action", ["request-changes", "reject"])
def test_decision_is_refused_with_400_when_the_reason_is_missing(
    in_state: Callable[[str], Pledge], api_as: Callable[[str], APIClient], action: str
) -> None:
    pledge = in_state(S.SUBMITTED)
    before = state_of(pledge)

    for body in ({}, {"reason": "   "}):
        response = api_as("secretariat").post(
            f"/api/v1/pledges/{pledge.reference}/{action}/", body, format="json"
        )

        assert response.status_code == 400
        errors = response.json()["errors"]
        assert errors == {"reason": ["Give a reason: the submitter will see it."]}
    assert state_of(pledge) == before


@pytest.mark.parametrize(
    ("start", "action", "who", "status"),
    [
        # Outsiders cannot see a draft or a pledge under review at all.
        (S.DRAFT, "submit", "member_b", 404),
        (S.DRAFT, "submit", "partner", 404),
        (S.DRAFT, "submit", "anonymous", 401),
        (S.SUBMITTED, "publish", "member_b", 404),
        # A published pledge is visible to everyone but decided by its actors only.
        (S.PUBLISHED, "withdraw", "member_b", 403),
        (S.PUBLISHED, "withdraw", "partner", 403),
        (S.PUBLISHED, "supersede", "member_a", 403),
        (S.PUBLISHED, "withdraw", "anonymous", 401),
        # Members do not decide on their own pledges.
        (S.SUBMITTED, "publish", "member_a", 403),
        (S.SUBMITTED, "reject", "member_a", 403),
        # The secretariat reviews; it does not submit in an entity's name.
        (S.DRAFT, "submit", "secretariat", 403),
    ],
)
def test_transition_is_refused_and_changes_nothing_when_the_caller_may_not_take_it(
    in_state: Callable[[str], Pledge],
    api_as: Callable[[str], APIClient],
    start: str,
    action: str,
    who: str,
    status: int,
) -> None:
    pledge = in_state(start)
    before = state_of(pledge)

    response = post(api_as(who), pledge, action, reason="Because")

    assert response.status_code == status, response.content
    assert response.json()["status"] == status
    assert state_of(pledge) == before


def test_submission_is_refused_with_field_errors_when_the_draft_is_incomplete(
    make_input: Callable[..., PledgeInput], member_a: User, api_as: Callable[[str], APIClient]
) -> None:
    draft = create_pledge(
        data=make_input(compact_code="GCM", description="Too short.", objectives=[]),
        by=member_a,
    )

    response = post(api_as("member_a"), draft, "submit")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["objectives"] == ["Choose at least one objective."]
    assert "300 to 3000 characters" in errors["description"][0]
    assert state_of(draft) == (S.DRAFT, draft.version)


def test_transition_is_refused_with_412_when_if_match_is_stale(
    in_state: Callable[[str], Pledge], api_as: Callable[[str], APIClient]
) -> None:
    pledge = in_state(S.DRAFT)
    client = api_as("member_a")
    url = f"/api/v1/pledges/{pledge.reference}/"
    stale = client.get(url)["ETag"]
    client.patch(url, {"title": "Edited meanwhile"}, format="json", HTTP_IF_MATCH="*")
    before = state_of(pledge)

    response = client.post(f"{url}submit/", {}, format="json", HTTP_IF_MATCH=stale)

    assert response.status_code == 412
    assert state_of(pledge) == before
    fresh = client.get(url)["ETag"]
    assert client.post(f"{url}submit/", {}, format="json", HTTP_IF_MATCH=fresh).status_code == 200


def test_unknown_action_answers_404(
    in_state: Callable[[str], Pledge], api_as: Callable[[str], APIClient]
) -> None:
    pledge = in_state(S.SUBMITTED)

    assert post(api_as("secretariat"), pledge, "approve").status_code == 404
