"""The generic review-action endpoint: POST only, each role allowed or refused, refusals
changing nothing and saying why."""

from typing import Any

import pytest
from django.test import Client

from core.audit import entries_for
from pledges.models import Pledge, ReviewState

pytestmark = pytest.mark.django_db


def url(pledge: Pledge, action: str) -> str:
    return f"/pledges/{pledge.reference}/actions/{action}/"


def state_of(pledge: Pledge) -> str:
    pledge.refresh_from_db()
    return pledge.review_state


def test_get_is_not_allowed(logged_in: Any, draft: Pledge, member_a: Any) -> None:
    assert logged_in(member_a).get(url(draft, "submit")).status_code == 405


def test_anonymous_is_sent_to_login_and_nothing_changes(client: Client, published: Pledge) -> None:
    response = client.post(url(published, "withdraw"))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert state_of(published) == ReviewState.PUBLISHED


def test_member_submits_draft_and_is_told(logged_in: Any, draft: Pledge, member_a: Any) -> None:
    response = logged_in(member_a).post(url(draft, "submit"), follow=True)

    assert state_of(draft) == ReviewState.SUBMITTED
    assert response.redirect_chain == [(f"/pledges/{draft.reference}/", 302)]
    assert "Pledge GRF23-00001 submitted for review." in response.content.decode()


def test_member_b_gets_404_when_acting_on_a_draft_of_a(
    logged_in: Any, draft: Pledge, member_b: Any
) -> None:
    assert logged_in(member_b).post(url(draft, "withdraw")).status_code == 404
    assert state_of(draft) == ReviewState.DRAFT


def test_member_b_gets_403_when_withdrawing_a_published_pledge_of_a(
    logged_in: Any, published: Pledge, member_b: Any
) -> None:
    assert logged_in(member_b).post(url(published, "withdraw")).status_code == 403
    assert state_of(published) == ReviewState.PUBLISHED


def test_member_gets_403_when_publishing_their_own_pledge(
    logged_in: Any, submitted: Pledge, member_a: Any
) -> None:
    assert logged_in(member_a).post(url(submitted, "publish")).status_code == 403
    assert state_of(submitted) == ReviewState.SUBMITTED


def test_secretariat_gets_403_when_submitting_for_the_entity(
    logged_in: Any, draft: Pledge, secretariat: Any
) -> None:
    assert logged_in(secretariat).post(url(draft, "submit")).status_code == 403
    assert state_of(draft) == ReviewState.DRAFT


def test_secretariat_publishes_a_submitted_pledge(
    logged_in: Any, submitted: Pledge, secretariat: Any
) -> None:
    response = logged_in(secretariat).post(url(submitted, "publish"), follow=True)

    assert state_of(submitted) == ReviewState.PUBLISHED
    assert "Pledge GRF23-00001 published." in response.content.decode()


def test_reason_is_required_and_nothing_changes_when_requesting_changes_without_one(
    logged_in: Any, submitted: Pledge, secretariat: Any
) -> None:
    response = logged_in(secretariat).post(
        url(submitted, "request_changes"), {"reason": "   "}, follow=True
    )

    assert state_of(submitted) == ReviewState.SUBMITTED
    assert response.redirect_chain == [(f"/pledges/{submitted.reference}/", 302)]
    assert "Give a reason: the submitter will see it." in response.content.decode()


def test_secretariat_requests_changes_with_a_reason_the_submitter_sees(
    logged_in: Any, submitted: Pledge, secretariat: Any, member_a: Any
) -> None:
    logged_in(secretariat).post(url(submitted, "request_changes"), {"reason": "Add dates."})

    assert state_of(submitted) == ReviewState.CHANGES_REQUESTED
    assert entries_for(submitted).first().reason == "Add dates."
    page = logged_in(member_a).get(f"/pledges/{submitted.reference}/").content.decode()
    assert "Add dates." in page


def test_secretariat_rejects_and_supersedes_with_reasons(
    logged_in: Any, submitted: Pledge, published: Pledge, secretariat: Any
) -> None:
    client = logged_in(secretariat)

    client.post(url(submitted, "reject"), {"reason": "Duplicate of another pledge."})
    client.post(url(published, "supersede"), {"reason": "Replaced by a new pledge."})

    assert state_of(submitted) == ReviewState.REJECTED
    assert state_of(published) == ReviewState.SUPERSEDED


def test_refused_transition_changes_nothing_and_says_why(
    logged_in: Any, draft: Pledge, secretariat: Any
) -> None:
    response = logged_in(secretariat).post(url(draft, "publish"), follow=True)

    assert state_of(draft) == ReviewState.DRAFT
    page = response.content.decode()
    assert '<li class="message error">Pledge GRF23-00001 is draft' in page


def test_incomplete_draft_is_not_submitted_and_errors_are_shown(
    logged_in: Any, draft: Pledge, member_a: Any
) -> None:
    draft.objectives.clear()

    response = logged_in(member_a).post(url(draft, "submit"), follow=True)

    assert state_of(draft) == ReviewState.DRAFT
    assert "Choose at least one objective." in response.content.decode()


def test_member_withdraws_with_an_optional_reason(
    logged_in: Any, published: Pledge, member_a: Any
) -> None:
    response = logged_in(member_a).post(
        url(published, "withdraw"), {"reason": "Funding fell through."}, follow=True
    )

    assert state_of(published) == ReviewState.WITHDRAWN
    assert "Pledge GRF23-00001 withdrawn." in response.content.decode()


def test_unknown_action_is_not_found(logged_in: Any, draft: Pledge, member_a: Any) -> None:
    assert logged_in(member_a).post(url(draft, "delete")).status_code == 404


def test_local_next_is_followed_and_foreign_next_ignored(
    logged_in: Any, submitted: Pledge, draft: Pledge, secretariat: Any, member_a: Any
) -> None:
    response = logged_in(secretariat).post(url(submitted, "publish"), {"next": "/review/"})
    assert response["Location"] == "/review/"

    response = logged_in(member_a).post(url(draft, "withdraw"), {"next": "https://evil.example/"})
    assert response["Location"] == f"/pledges/{draft.reference}/"
