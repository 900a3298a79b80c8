"""The secretariat can make somebody a member of an entity at once (the admin's membership
inline): only the secretariat, never twice, with an audit entry and the approval e-mail."""

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import User
from core.audit import entries_for
from pledges.models import Entity, Membership, MembershipStatus
from pledges.services import add_member
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_member_added_by_the_secretariat_acts_at_once_and_is_told(
    entity_a: Entity, secretariat: User, django_capture_on_commit_callbacks: Any
) -> None:
    newcomer = UserFactory(email="newcomer@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        membership = add_member(entity=entity_a, user=newcomer, role="editor", by=secretariat)

    assert membership.status == MembershipStatus.ACTIVE
    assert entries_for(membership).get().action == "pledges.membership.added"
    assert [m.to for m in mail.outbox] == [["newcomer@example.org"]]


def test_only_the_secretariat_adds_members(entity_a: Entity, member_a: User) -> None:
    with pytest.raises(PermissionDenied):
        add_member(entity=entity_a, user=UserFactory(), role="editor", by=member_a)


def test_somebody_who_already_asked_is_not_added_twice(entity_a: Entity, secretariat: User) -> None:
    asking = Membership.objects.create(user=UserFactory(), entity=entity_a)

    with pytest.raises(ValidationError) as refused:
        add_member(entity=entity_a, user=asking.user, role="editor", by=secretariat)

    assert "user" in refused.value.message_dict
    assert Membership.objects.get(pk=asking.pk).status == MembershipStatus.PENDING
