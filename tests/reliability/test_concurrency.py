"""Two people acting on the same pledge at the same moment, for real: two threads, two
PostgreSQL connections, released together by a barrier. Exactly one wins; the other is told
clearly, and nothing is written twice or overwritten silently."""

from collections.abc import Callable

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from pledges.exceptions import StaleVersion, TransitionNotAllowed
from pledges.models import Pledge, ReviewState
from pledges.services import PledgeInput, create_pledge, transition_pledge, update_pledge

from .conftest import audit_actions, run_at_once

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 5  # a race that is lost once in a while must show up


def test_two_reviewers_publishing_at_once_make_one_transition_and_one_audit_entry(
    submitted_pledge: Callable[..., Pledge], secretariat: User, second_secretariat: User
) -> None:
    for _ in range(ROUNDS):
        pledge = submitted_pledge()

        outcomes = run_at_once(
            lambda pk=pledge.pk: transition_pledge(pledge=pk, action="publish", by=secretariat),
            lambda pk=pledge.pk: transition_pledge(
                pledge=pk, action="publish", by=second_secretariat
            ),
        )

        published = [o for o in outcomes if isinstance(o, Pledge)]
        refused = [o for o in outcomes if isinstance(o, TransitionNotAllowed)]
        assert (len(published), len(refused)) == (1, 1), outcomes
        assert f"{pledge.reference} is published" in str(refused[0])
        fresh = Pledge.objects.get(pk=pledge.pk)
        assert fresh.review_state == ReviewState.PUBLISHED
        assert fresh.version == pledge.version + 1, "one transition, one version bump"
        assert audit_actions(pledge).count("pledges.pledge.publish") == 1
        assert fresh.history.filter(history_change_reason__startswith="Publish").count() == 1


def test_publish_racing_a_rejection_ends_in_exactly_one_of_them(
    submitted_pledge: Callable[..., Pledge], secretariat: User, second_secretariat: User
) -> None:
    pledge = submitted_pledge()

    outcomes = run_at_once(
        lambda: transition_pledge(pledge=pledge.pk, action="publish", by=secretariat),
        lambda: transition_pledge(
            pledge=pledge.pk, action="reject", by=second_secretariat, reason="Duplicate"
        ),
    )

    assert sum(isinstance(o, Pledge) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, TransitionNotAllowed) for o in outcomes) == 1, outcomes
    decisions = [a for a in audit_actions(pledge) if a.split(".")[-1] in {"publish", "reject"}]
    assert len(decisions) == 1
    assert (
        Pledge.objects.get(pk=pledge.pk).review_state
        == {
            "pledges.pledge.publish": ReviewState.PUBLISHED,
            "pledges.pledge.reject": ReviewState.REJECTED,
        }[decisions[0]]
    )


def test_two_reviewers_clicking_publish_in_the_review_queue_at_once(
    submitted_pledge: Callable[..., Pledge], secretariat: User, second_secretariat: User
) -> None:
    pledge = submitted_pledge()
    clients = []
    for reviewer in (secretariat, second_secretariat):
        client = Client()
        client.force_login(reviewer)
        clients.append(client)
    url = f"/review/pledges/{pledge.reference}/decision/"

    responses = run_at_once(
        *(lambda c=c: c.post(url, {"action": "publish", "reason": ""}) for c in clients)
    )

    assert [r.status_code for r in responses] == [302, 302]
    said = sorted(str(m) for r in responses for m in get_messages(r.wsgi_request))
    assert said == sorted(
        [
            f"{pledge.reference} is published.",
            f"Pledge {pledge.reference} is published, so “Publish” is not possible now.",
        ]
    )
    assert audit_actions(pledge).count("pledges.pledge.publish") == 1


def test_two_partners_publishing_through_the_api_at_once_get_200_and_409(
    submitted_pledge: Callable[..., Pledge], secretariat: User, second_secretariat: User
) -> None:
    pledge = submitted_pledge()
    clients = []
    for reviewer in (secretariat, second_secretariat):
        client = APIClient()
        client.force_authenticate(reviewer)
        clients.append(client)
    url = f"/api/v1/pledges/{pledge.reference}/publish/"

    responses = run_at_once(*(lambda c=c: c.post(url, {}, format="json") for c in clients))

    assert sorted(r.status_code for r in responses) == [200, 409]
    conflict = next(r for r in responses if r.status_code == 409).json()
    assert conflict["code"] == "conflict"
    assert "is published" in conflict["detail"]
    assert audit_actions(pledge).count("pledges.pledge.publish") == 1


def test_two_editors_saving_the_same_version_at_once_the_second_is_refused(
    make_pledge_input: Callable[..., PledgeInput], member_a: User
) -> None:
    colleague = User.objects.create_user(email="colleague-a@example.org", password="x")
    member_a.memberships.get().entity.memberships.create(
        user=colleague, role="editor", status="active"
    )
    pledge = create_pledge(data=make_pledge_input(), by=member_a)
    loaded = pledge.version

    outcomes = run_at_once(
        lambda: update_pledge(
            pledge=pledge,
            data=make_pledge_input(title="Mine"),
            by=member_a,
            expected_version=loaded,
        ),
        lambda: update_pledge(
            pledge=pledge,
            data=make_pledge_input(title="Theirs"),
            by=colleague,
            expected_version=loaded,
        ),
    )

    saved = [o for o in outcomes if isinstance(o, Pledge)]
    refused = [o for o in outcomes if isinstance(o, StaleVersion)]
    assert (len(saved), len(refused)) == (1, 1), outcomes
    assert "Somebody else changed this pledge" in str(refused[0])
    fresh = Pledge.objects.get(pk=pledge.pk)
    assert fresh.title == saved[0].title, "the winner's text stays, not a mix"
    assert fresh.version == loaded + 1
    assert audit_actions(pledge).count("pledges.pledge.updated") == 1


def test_two_api_patches_with_the_same_etag_at_once_answer_200_and_412(
    make_pledge_input: Callable[..., PledgeInput], member_a: User
) -> None:
    pledge = create_pledge(data=make_pledge_input(), by=member_a)
    url = f"/api/v1/pledges/{pledge.reference}/"
    reader = APIClient()
    reader.force_authenticate(member_a)
    etag = reader.get(url)["ETag"]
    clients = []
    for _ in range(2):
        client = APIClient()
        client.force_authenticate(member_a)
        clients.append(client)

    responses = run_at_once(
        *(
            lambda c=c, title=title: c.patch(
                url, {"title": title}, format="json", HTTP_IF_MATCH=etag
            )
            for c, title in zip(clients, ["First", "Second"], strict=True)
        )
    )

    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 412], [r.content for r in responses]
    winner = next(r for r in responses if r.status_code == 200).json()["title"]
    assert Pledge.objects.get(pk=pledge.pk).title == winner
    assert next(r for r in responses if r.status_code == 412).json()["code"] == (
        "precondition_failed"
    )
