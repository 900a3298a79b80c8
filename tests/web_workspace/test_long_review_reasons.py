"""Review actions on the pledge page with reasons of any allowed length: the action is taken
(no 500), the reason is stored whole in the audit trail and the pledge's history, and shown
whole on the pledge page and the history page. One character more is refused, with a message."""

from typing import Any

import pytest
from django.test import Client

from core.audit import entries_for
from pledges.models import Pledge, ReviewState
from pledges.workflow import PLEDGE_TRANSITIONS, REASON_MAX_LENGTH
from tests.reasons import LENGTHS, reason_of

pytestmark = pytest.mark.django_db

ACTIONS = {
    # action: (fixture of the pledge it applies to, who takes it, the state it leads to)
    "request_changes": ("submitted", "secretariat", ReviewState.CHANGES_REQUESTED),
    "reject": ("submitted", "secretariat", ReviewState.REJECTED),
    "supersede": ("published", "secretariat", ReviewState.SUPERSEDED),
    "withdraw": ("published", "member_a", ReviewState.WITHDRAWN),
}


def url(pledge: Pledge, action: str) -> str:
    return f"/pledges/{pledge.reference}/actions/{action}/"


@pytest.mark.parametrize("length", LENGTHS)
@pytest.mark.parametrize("action", ACTIONS)
def test_a_long_reason_is_taken_stored_and_shown_whole(
    request: pytest.FixtureRequest, logged_in: Any, action: str, length: int
) -> None:
    fixture, actor, target = ACTIONS[action]
    pledge: Pledge = request.getfixturevalue(fixture)
    client: Client = logged_in(request.getfixturevalue(actor))
    reason = reason_of(length)

    response = client.post(url(pledge, action), {"reason": reason}, follow=True)

    assert response.status_code == 200
    pledge.refresh_from_db()
    assert pledge.review_state == target
    assert entries_for(pledge).first().reason == reason
    label = PLEDGE_TRANSITIONS[action].label
    assert pledge.history.latest().history_change_reason == f"{label}: {reason}"
    history = client.get(f"/pledges/{pledge.reference}/history/").content.decode()
    # Once in the version's change reason, once in the audit table.
    assert history.count(reason) == 2


@pytest.mark.parametrize("length", LENGTHS)
def test_the_submitter_reads_a_long_reason_whole_on_the_pledge_page(
    logged_in: Any, submitted: Pledge, secretariat: Any, member_a: Any, length: int
) -> None:
    reason = reason_of(length)
    logged_in(secretariat).post(url(submitted, "request_changes"), {"reason": reason})

    page = logged_in(member_a).get(f"/pledges/{submitted.reference}/").content.decode()

    assert reason in page


@pytest.mark.parametrize("action", ACTIONS)
def test_a_reason_over_the_limit_is_refused_and_nothing_changes(
    request: pytest.FixtureRequest, logged_in: Any, action: str
) -> None:
    fixture, actor, _target = ACTIONS[action]
    pledge: Pledge = request.getfixturevalue(fixture)
    before = pledge.review_state
    client: Client = logged_in(request.getfixturevalue(actor))

    response = client.post(
        url(pledge, action), {"reason": reason_of(REASON_MAX_LENGTH + 1)}, follow=True
    )

    assert response.status_code == 200
    pledge.refresh_from_db()
    assert pledge.review_state == before
    assert "at most 2,000 characters" in response.content.decode()
