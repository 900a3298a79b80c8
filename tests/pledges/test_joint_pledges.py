"""Co-pledging entities and links between pledges."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pledges.exceptions import TransitionNotAllowed
from pledges.models import Entity, ParticipantStatus, Pledge
from pledges.services import (
    invite_participant,
    link_pledges,
    respond_to_invitation,
)
from tests.factories import PledgeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entity_b(member_b: Any) -> Entity:
    return member_b.memberships.get().entity


def test_co_pledger_sees_the_draft_and_accepts(
    draft: Pledge, member_a: Any, member_b: Any, entity_b: Entity
) -> None:
    assert not Pledge.objects.visible_to(member_b).filter(pk=draft.pk).exists()

    participant = invite_participant(pledge=draft, entity=entity_b, by=member_a)

    assert Pledge.objects.visible_to(member_b).filter(pk=draft.pk).exists()
    accepted = respond_to_invitation(participant=participant, accept=True, by=member_b)
    assert accepted.status == ParticipantStatus.ACCEPTED


def test_only_the_invited_entity_answers_and_only_once(
    draft: Pledge, member_a: Any, member_b: Any, entity_b: Entity
) -> None:
    participant = invite_participant(pledge=draft, entity=entity_b, by=member_a)

    with pytest.raises(PermissionDenied):
        respond_to_invitation(participant=participant, accept=True, by=member_a)
    respond_to_invitation(participant=participant, accept=False, by=member_b)
    with pytest.raises(TransitionNotAllowed):
        respond_to_invitation(participant=participant, accept=True, by=member_b)


def test_entity_cannot_be_invited_twice_or_to_its_own_pledge(
    draft: Pledge, member_a: Any, entity_b: Entity
) -> None:
    invite_participant(pledge=draft, entity=entity_b, by=member_a)

    with pytest.raises(ValidationError, match="already invited"):
        invite_participant(pledge=draft, entity=entity_b, by=member_a)
    with pytest.raises(ValidationError, match="already on the pledge"):
        invite_participant(pledge=draft, entity=draft.entity, by=member_a)


def test_outsider_cannot_invite(draft: Pledge, member_b: Any, entity_b: Entity) -> None:
    with pytest.raises(PermissionDenied):
        invite_participant(pledge=draft, entity=entity_b, by=member_b)


def test_pledge_links_to_a_published_pledge(draft: Pledge, member_a: Any) -> None:
    host = PledgeFactory(reference="GRF23-09999", review_state="published")

    link = link_pledges(source=draft, target=host, kind="supersedes", by=member_a)

    assert list(draft.links_out.values_list("target__reference", "kind")) == [
        ("GRF23-09999", "supersedes")
    ]
    with pytest.raises(ValidationError, match="already linked"):
        link_pledges(source=draft, target=host, kind="supersedes", by=member_a)
    assert link.pk


def test_link_to_a_hidden_draft_or_to_itself_is_refused(draft: Pledge, member_a: Any) -> None:
    hidden = PledgeFactory(reference="GRF23-09998")  # another entity's draft

    with pytest.raises(ValidationError, match="No pledge with that reference"):
        link_pledges(source=draft, target=hidden, kind="supersedes", by=member_a)
    with pytest.raises(ValidationError, match="itself"):
        link_pledges(source=draft, target=draft, kind="supersedes", by=member_a)


def test_matches_is_no_longer_a_kind_of_link(draft: Pledge, member_a: Any) -> None:
    """Matches are the matching app's two-sided matches now: a one-sided link cannot say so."""
    host = PledgeFactory(reference="GRF23-09997", review_state="published")

    with pytest.raises(ValidationError, match="valid kind"):
        link_pledges(source=draft, target=host, kind="matches", by=member_a)
    assert not draft.links_out.exists()
