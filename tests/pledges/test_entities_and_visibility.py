"""Entities, memberships, and who may see which pledge."""

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from pledges.exceptions import TransitionNotAllowed
from pledges.models import Entity, EntityType, MembershipStatus, Pledge, ReviewState
from pledges.services import decide_membership, register_entity, request_membership, verify_entity
from tests.factories import EntityFactory, PledgeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_registrant_acts_for_new_entity_which_awaits_verification(reference_data: None) -> None:
    user = UserFactory()

    entity = register_entity(
        by=user, name="Refugee Voices", entity_type=EntityType.objects.get(code="refugee_led")
    )

    assert not entity.is_verified
    assert entity.memberships.get().user == user
    assert entity.memberships.get().status == MembershipStatus.ACTIVE


def test_duplicate_entity_is_refused_with_a_hint_to_join(reference_data: None) -> None:
    ngo = EntityType.objects.get(code="ngo")
    register_entity(by=UserFactory(), name="Open Doors", entity_type=ngo)

    with pytest.raises(ValidationError, match="looks the same"):
        register_entity(by=UserFactory(), name="open doors", entity_type=ngo)


def test_secretariat_verifies_an_entity_once(secretariat: Any, member_a: Any) -> None:
    entity = EntityFactory(is_verified=False)

    with pytest.raises(PermissionDenied):
        verify_entity(entity=entity, by=member_a)
    verified = verify_entity(entity=entity, by=secretariat)

    assert verified.is_verified
    assert verified.verified_at is not None
    with pytest.raises(TransitionNotAllowed):
        verify_entity(entity=entity, by=secretariat)


def test_join_request_is_approved_by_the_secretariat(secretariat: Any) -> None:
    user, entity = UserFactory(), EntityFactory()

    membership = request_membership(user=user, entity=entity)
    assert membership.status == MembershipStatus.PENDING
    with pytest.raises(ValidationError, match="pending"):
        request_membership(user=user, entity=entity)
    with pytest.raises(PermissionDenied):
        decide_membership(membership=membership, approve=True, by=user)

    approved = decide_membership(membership=membership, approve=True, by=secretariat)
    assert approved.status == MembershipStatus.ACTIVE


def test_declined_member_may_ask_again(secretariat: Any) -> None:
    user, entity = UserFactory(), EntityFactory()
    membership = request_membership(user=user, entity=entity)
    decide_membership(membership=membership, approve=False, by=secretariat)

    again = request_membership(user=user, entity=entity)

    assert again.status == MembershipStatus.PENDING


@pytest.fixture
def pledges(entity_a: Entity) -> dict[str, Pledge]:
    return {
        "a_draft": PledgeFactory(entity=entity_a, reference="GRF23-00101"),
        "a_published": PledgeFactory(
            entity=entity_a, reference="GRF23-00102", review_state=ReviewState.PUBLISHED
        ),
        "other_draft": PledgeFactory(reference="GRF23-00103"),
        "other_rejected": PledgeFactory(reference="GRF23-00104", review_state=ReviewState.REJECTED),
        "other_published": PledgeFactory(
            reference="GRF23-00105", review_state=ReviewState.PUBLISHED
        ),
    }


def visible(user: Any) -> set[str]:
    return set(Pledge.objects.visible_to(user).values_list("reference", flat=True))


def test_anonymous_sees_published_pledges_only(pledges: dict[str, Pledge]) -> None:
    assert visible(AnonymousUser()) == {"GRF23-00102", "GRF23-00105"}


def test_member_sees_published_and_own_entity_pledges(
    pledges: dict[str, Pledge], member_a: Any
) -> None:
    assert visible(member_a) == {"GRF23-00101", "GRF23-00102", "GRF23-00105"}


def test_member_of_other_entity_does_not_see_a_drafts(
    pledges: dict[str, Pledge], member_b: Any
) -> None:
    assert visible(member_b) == {"GRF23-00102", "GRF23-00105"}


def test_pending_member_sees_no_drafts(pledges: dict[str, Pledge], entity_a: Entity) -> None:
    applicant = UserFactory()
    request_membership(user=applicant, entity=entity_a)

    assert visible(applicant) == {"GRF23-00102", "GRF23-00105"}


def test_secretariat_sees_everything(pledges: dict[str, Pledge], secretariat: Any) -> None:
    assert visible(secretariat) == {p.reference for p in pledges.values()}
