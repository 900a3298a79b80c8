"""The editorial review machine: every transition, and every refused one."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.audit import entries_for
from pledges.exceptions import TransitionNotAllowed
from pledges.models import Pledge, ReviewState
from pledges.services import PledgeInput, bulk_publish, create_pledge, transition_pledge
from pledges.workflow import available_transitions

pytestmark = pytest.mark.django_db(transaction=False)


def submitted(pledge: Pledge, by: Any) -> Pledge:
    return transition_pledge(pledge=pledge, action="submit", by=by)


def test_draft_gets_a_reference_of_its_forum_when_created(draft: Pledge) -> None:
    assert draft.reference == "GRF23-00001"
    assert draft.review_state == ReviewState.DRAFT
    assert draft.version == 1


def test_references_count_up_per_forum_when_pledges_are_created(
    make_input: Callable[..., PledgeInput], member_a: Any
) -> None:
    first = create_pledge(data=make_input(), by=member_a)
    second = create_pledge(data=make_input(), by=member_a)
    gcm = create_pledge(data=make_input(compact_code="GCM"), by=member_a)

    assert [first.reference, second.reference, gcm.reference] == [
        "GRF23-00001",
        "GRF23-00002",
        "IMRF26-00001",
    ]


def test_member_submits_draft_and_secretariat_is_told(
    draft: Pledge, member_a: Any, secretariat: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        pledge = submitted(draft, member_a)

    assert pledge.review_state == ReviewState.SUBMITTED
    assert pledge.submitted_at is not None
    assert [m.to for m in mail.outbox] == [["secretariat@example.org"]]
    assert "GRF23-00001" in mail.outbox[0].subject


def test_secretariat_requests_changes_and_submitter_sees_the_reason(
    draft: Pledge, member_a: Any, secretariat: Any, django_capture_on_commit_callbacks: Any
) -> None:
    submitted(draft, member_a)
    with django_capture_on_commit_callbacks(execute=True):
        pledge = transition_pledge(
            pledge=draft, action="request_changes", by=secretariat, reason="Add a target."
        )

    assert pledge.review_state == ReviewState.CHANGES_REQUESTED
    assert entries_for(pledge).first().reason == "Add a target."
    assert mail.outbox[-1].to == ["member-a@example.org"]
    assert "Add a target." in mail.outbox[-1].body


def test_full_cycle_ends_published_when_changes_are_made_and_resubmitted(
    draft: Pledge, member_a: Any, secretariat: Any
) -> None:
    submitted(draft, member_a)
    transition_pledge(pledge=draft, action="request_changes", by=secretariat, reason="Dates?")
    transition_pledge(pledge=draft, action="resubmit", by=member_a)
    pledge = transition_pledge(pledge=draft, action="publish", by=secretariat)

    assert pledge.review_state == ReviewState.PUBLISHED
    assert pledge.published_at is not None
    assert [e.action for e in entries_for(pledge)][::-1] == [
        "pledges.pledge.created",
        "pledges.pledge.submit",
        "pledges.pledge.request_changes",
        "pledges.pledge.resubmit",
        "pledges.pledge.publish",
    ]


def test_secretariat_rejects_with_a_reason(draft: Pledge, member_a: Any, secretariat: Any) -> None:
    submitted(draft, member_a)
    pledge = transition_pledge(pledge=draft, action="reject", by=secretariat, reason="Duplicate.")

    assert pledge.review_state == ReviewState.REJECTED


@pytest.mark.parametrize("action", ["request_changes", "reject", "supersede"])
def test_decision_is_refused_when_no_reason_is_given(
    draft: Pledge, member_a: Any, secretariat: Any, action: str
) -> None:
    submitted(draft, member_a)
    if action == "supersede":
        transition_pledge(pledge=draft, action="publish", by=secretariat)

    with pytest.raises(ValidationError) as error:
        transition_pledge(pledge=draft, action=action, by=secretariat, reason="  ")

    assert "reason" in error.value.message_dict
    draft.refresh_from_db()
    assert draft.review_state != ReviewState.CHANGES_REQUESTED


@pytest.mark.parametrize("state", [ReviewState.DRAFT, ReviewState.PUBLISHED, ReviewState.SUBMITTED])
def test_member_withdraws_pledge(draft: Pledge, member_a: Any, state: str) -> None:
    Pledge.objects.filter(pk=draft.pk).update(review_state=state, published_at=timezone.now())

    pledge = transition_pledge(pledge=draft, action="withdraw", by=member_a)

    assert pledge.review_state == ReviewState.WITHDRAWN


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (ReviewState.DRAFT, "publish"),
        (ReviewState.DRAFT, "resubmit"),
        (ReviewState.SUBMITTED, "submit"),
        (ReviewState.PUBLISHED, "publish"),
        (ReviewState.PUBLISHED, "reject"),
        (ReviewState.REJECTED, "submit"),
        (ReviewState.WITHDRAWN, "withdraw"),
        (ReviewState.WITHDRAWN, "publish"),
    ],
)
def test_transition_is_refused_when_pledge_is_in_the_wrong_state(
    draft: Pledge, member_a: Any, secretariat: Any, state: str, action: str
) -> None:
    Pledge.objects.filter(pk=draft.pk).update(review_state=state, published_at=timezone.now())
    by = secretariat if action in {"publish", "reject"} else member_a

    with pytest.raises(TransitionNotAllowed):
        transition_pledge(pledge=draft, action=action, by=by, reason="because")

    draft.refresh_from_db()
    assert draft.review_state == state


@pytest.mark.parametrize("action", ["publish", "request_changes", "reject"])
def test_member_cannot_take_secretariat_decisions(
    draft: Pledge, member_a: Any, action: str
) -> None:
    submitted(draft, member_a)

    with pytest.raises(PermissionDenied):
        transition_pledge(pledge=draft, action=action, by=member_a, reason="self-approval")


def test_member_of_another_entity_cannot_submit_or_withdraw(draft: Pledge, member_b: Any) -> None:
    with pytest.raises(PermissionDenied):
        transition_pledge(pledge=draft, action="submit", by=member_b)
    with pytest.raises(PermissionDenied):
        transition_pledge(pledge=draft, action="withdraw", by=member_b)


def test_submission_is_refused_when_entity_is_not_verified(draft: Pledge, member_a: Any) -> None:
    draft.entity.is_verified = False
    draft.entity.verified_at = None
    draft.entity.save()

    with pytest.raises(ValidationError) as error:
        submitted(draft, member_a)

    assert "not been verified" in error.value.message_dict["entity"][0]


def test_submission_is_refused_when_pledge_is_incomplete(
    make_input: Callable[..., PledgeInput], member_a: Any
) -> None:
    pledge = create_pledge(data=make_input(objectives=[], beneficiary_countries=[]), by=member_a)

    with pytest.raises(ValidationError) as error:
        submitted(pledge, member_a)

    assert set(error.value.message_dict) == {"objectives", "beneficiary_countries"}
    pledge.refresh_from_db()
    assert pledge.review_state == ReviewState.DRAFT


def test_second_of_two_concurrent_publications_is_refused(
    draft: Pledge, member_a: Any, secretariat: Any
) -> None:
    submitted(draft, member_a)
    stale_copy = Pledge.objects.get(pk=draft.pk)
    transition_pledge(pledge=draft, action="publish", by=secretariat)

    with pytest.raises(TransitionNotAllowed):
        transition_pledge(pledge=stale_copy, action="publish", by=secretariat)

    assert [e.action for e in entries_for(draft)].count("pledges.pledge.publish") == 1


def test_bulk_publish_publishes_all_or_none(
    make_input: Callable[..., PledgeInput], member_a: Any, secretariat: Any
) -> None:
    pledges = [create_pledge(data=make_input(), by=member_a) for _ in range(3)]
    for pledge in pledges[:2]:
        submitted(pledge, member_a)

    with pytest.raises(TransitionNotAllowed):
        bulk_publish(pledges=pledges, by=secretariat)
    assert not Pledge.objects.published().exists()

    published = bulk_publish(pledges=pledges[:2], by=secretariat)
    assert {p.review_state for p in published} == {ReviewState.PUBLISHED}


def test_buttons_offered_match_role_and_state(
    draft: Pledge, member_a: Any, member_b: Any, secretariat: Any
) -> None:
    assert [t.name for t in available_transitions(draft, member_a)] == ["submit", "withdraw"]
    assert available_transitions(draft, member_b) == []
    submitted(draft, member_a)
    draft.refresh_from_db()
    assert [t.name for t in available_transitions(draft, secretariat)] == [
        "publish",
        "request_changes",
        "reject",
    ]
