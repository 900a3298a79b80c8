"""Admin actions change states through the same services as the web UI, and the states
themselves cannot be typed into the change forms."""

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import Client

from core.audit import entries_for
from pledges.models import Membership, MembershipStatus, ReviewState, UpdateReviewState
from tests.factories import EntityFactory, PledgeFactory, PledgeUpdateFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(client: Client, secretariat: Any) -> Client:
    client.force_login(secretariat)
    return client


def run_action(client: Client, model: str, action: str, pks: list[int]) -> list[str]:
    response = client.post(
        f"/admin/pledges/{model}/",
        {"action": action, "_selected_action": [str(pk) for pk in pks]},
        follow=True,
    )
    assert response.status_code == 200
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_publish_action_publishes_all_selected_pledges_or_none_naming_each_refusal(
    reviewer: Client,
) -> None:
    ready = PledgeFactory(
        review_state=ReviewState.SUBMITTED, reference="GRF23-00010", geography_scope="global"
    )
    draft = PledgeFactory(reference="GRF23-00011")

    messages = run_action(reviewer, "pledge", "publish_selected", [ready.pk, draft.pk])

    ready.refresh_from_db()
    draft.refresh_from_db()
    assert (ready.review_state, draft.review_state) == (ReviewState.SUBMITTED, ReviewState.DRAFT)
    assert entries_for(ready).first() is None
    assert any("GRF23-00011" in m and "not possible" in m for m in messages)
    assert any("Nothing was changed" in m for m in messages)

    messages = run_action(reviewer, "pledge", "publish_selected", [ready.pk])

    ready.refresh_from_db()
    assert ready.review_state == ReviewState.PUBLISHED
    assert entries_for(ready).first().action == "pledges.pledge.publish"
    assert "1 pledges published." in messages


def test_approve_updates_action_approves_all_selected_or_none(reviewer: Client) -> None:
    pledge = PledgeFactory(review_state=ReviewState.PUBLISHED, reference="GRF23-00015")
    pending = PledgeUpdateFactory(pledge=pledge, status="in_progress")
    approved = PledgeUpdateFactory(
        pledge=pledge, status="planning", review_state=UpdateReviewState.APPROVED
    )

    messages = run_action(reviewer, "pledgeupdate", "approve_selected", [pending.pk, approved.pk])

    pending.refresh_from_db()
    assert pending.review_state == UpdateReviewState.PENDING
    assert any("GRF23-00015" in m for m in messages)
    assert any("Nothing was changed" in m for m in messages)


def test_review_state_typed_into_the_change_form_is_ignored(reviewer: Client) -> None:
    pledge = PledgeFactory(reference="GRF23-00012")

    page = reviewer.get(f"/admin/pledges/pledge/{pledge.pk}/change/")

    assert 'name="review_state"' not in page.text


def test_verify_action_verifies_entities_through_the_service(reviewer: Client) -> None:
    entity = EntityFactory(is_verified=False)

    messages = run_action(reviewer, "entity", "verify_selected", [entity.pk])

    entity.refresh_from_db()
    assert entity.is_verified
    assert entity.verified_at is not None
    assert entries_for(entity).first().action == "pledges.entity.verified"
    assert "1 entities verified." in messages


def test_membership_actions_approve_and_decline_requests(reviewer: Client) -> None:
    entity = EntityFactory()
    asking = Membership.objects.create(user=UserFactory(), entity=entity)
    other = Membership.objects.create(user=UserFactory(), entity=entity)

    run_action(reviewer, "membership", "approve_selected", [asking.pk])
    run_action(reviewer, "membership", "decline_selected", [other.pk])

    asking.refresh_from_db()
    other.refresh_from_db()
    assert (asking.status, other.status) == (MembershipStatus.ACTIVE, MembershipStatus.DECLINED)


def test_approve_update_action_sets_the_pledge_status(reviewer: Client) -> None:
    pledge = PledgeFactory(review_state=ReviewState.PUBLISHED, reference="GRF23-00013")
    update = PledgeUpdateFactory(pledge=pledge, status="fulfilled", reported_on=dt.date(2025, 1, 2))

    run_action(reviewer, "pledgeupdate", "approve_selected", [update.pk])

    update.refresh_from_db()
    pledge.refresh_from_db()
    assert update.review_state == UpdateReviewState.APPROVED
    assert pledge.implementation_status == "fulfilled"
    assert pledge.last_update_on == dt.date(2025, 1, 2)


def test_staff_without_review_permission_cannot_publish(client: Client) -> None:
    clerk = UserFactory(email="clerk@example.org", is_staff=True)
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_pledge", "change_pledge"])
    )
    client.force_login(clerk)
    pledge = PledgeFactory(
        review_state=ReviewState.SUBMITTED, reference="GRF23-00014", geography_scope="global"
    )

    messages = run_action(client, "pledge", "publish_selected", [pledge.pk])

    pledge.refresh_from_db()
    assert pledge.review_state == ReviewState.SUBMITTED
    assert any("not allowed" in m for m in messages)
