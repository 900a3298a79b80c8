"""Review actions through the API with reasons of any allowed length: 200 (never 500), the
reason kept whole in the audit trail and the pledge's history; one character more is a 400
naming `reason`, and nothing changes."""

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from core.audit import entries_for
from pledges.models import Pledge, ReviewState
from pledges.services import PledgeInput, create_pledge, transition_pledge
from pledges.workflow import REASON_MAX_LENGTH
from tests.reasons import LENGTHS, reason_of

pytestmark = pytest.mark.django_db

ACTIONS = {
    # action: (state it applies to, who takes it, the state it leads to)
    "request_changes": ("submitted", "secretariat", ReviewState.CHANGES_REQUESTED),
    "reject": ("submitted", "secretariat", ReviewState.REJECTED),
    "supersede": ("published", "secretariat", ReviewState.SUPERSEDED),
    "withdraw": ("published", "member_a", ReviewState.WITHDRAWN),
}


def path(pledge: Pledge, action: str) -> str:
    return f"/api/v1/pledges/{pledge.reference}/{action.replace('_', '-')}/"


@pytest.fixture
def pledge_in(
    make_input: Callable[..., PledgeInput], member_a: User, secretariat: User
) -> Callable[[str], Pledge]:
    def build(state: str) -> Pledge:
        pledge = create_pledge(data=make_input(), by=member_a)
        transition_pledge(pledge=pledge, action="submit", by=member_a)
        if state == "published":
            transition_pledge(pledge=pledge, action="publish", by=secretariat)
        return Pledge.objects.get(pk=pledge.pk)

    return build


@pytest.mark.parametrize("length", LENGTHS)
@pytest.mark.parametrize("action", ACTIONS)
def test_a_long_reason_is_taken_and_kept_whole(
    api_as: Callable[[str], APIClient],
    pledge_in: Callable[[str], Pledge],
    action: str,
    length: int,
) -> None:
    state, actor, target = ACTIONS[action]
    pledge = pledge_in(state)
    reason = reason_of(length)

    response = api_as(actor).post(path(pledge, action), {"reason": reason}, format="json")

    assert response.status_code == 200, response.content[:300]
    assert response.json()["review_state"] == target
    pledge.refresh_from_db()
    assert entries_for(pledge).first().reason == reason
    assert pledge.history.latest().history_change_reason.endswith(reason)


@pytest.mark.parametrize("action", ACTIONS)
def test_a_reason_over_the_limit_is_a_400_naming_the_field(
    api_as: Callable[[str], APIClient], pledge_in: Callable[[str], Pledge], action: str
) -> None:
    state, actor, _target = ACTIONS[action]
    pledge = pledge_in(state)
    before = (pledge.review_state, pledge.version)

    response = api_as(actor).post(
        path(pledge, action),
        {"reason": reason_of(REASON_MAX_LENGTH + 1)},
        format="json",
    )

    assert response.status_code == 400, response.content[:300]
    assert "reason" in response.json()["errors"]
    pledge.refresh_from_db()
    assert (pledge.review_state, pledge.version) == before
