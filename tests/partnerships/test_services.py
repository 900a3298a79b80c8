"""The rules of multistakeholder pledges: who may do what, consent of leads, join requests and
their decisions, and that a refused action changes nothing."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditEntry
from partnerships import services
from partnerships.models import (
    KeyOutcome,
    LeadStatus,
    MembershipState,
    MultistakeholderLead,
    MultistakeholderMembership,
    MultistakeholderPledge,
)
from pledges.exceptions import TransitionNotAllowed
from pledges.models import ReviewState
from tests.factories import (
    CompactFactory,
    EntityFactory,
    MembershipFactory,
    ObjectiveFactory,
    PledgeFactory,
)

from .conftest import World

pytestmark = pytest.mark.django_db


def _snapshot() -> tuple[int, int, int, int, int]:
    return (
        MultistakeholderMembership.objects.count(),
        MultistakeholderLead.objects.count(),
        KeyOutcome.objects.count(),
        MultistakeholderPledge.objects.count(),
        AuditEntry.objects.count(),
    )


def test_entity_asks_and_a_lead_accepts(world: World, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        asked = services.request_membership(
            msp=world.msp, pledge=world.pledge, by=world.member_a, message="We resettle 500."
        )
    assert asked.state == MembershipState.REQUESTED
    # The lead's member is told, not the asking entity.
    assert [m.to for m in mail.outbox] == [["lead@example.org"]]
    assert "We resettle 500." in mail.outbox[0].body

    mail.outbox.clear()
    world.msp.refresh_from_db()
    assert world.msp.progress_stale_since is None
    with django_capture_on_commit_callbacks(execute=True):
        decided = services.decide_membership(
            membership=asked, accept=True, by=world.lead_member, message="Welcome"
        )
    assert decided.state == MembershipState.ACCEPTED
    assert decided.decided_by == world.lead_member
    assert [m.to for m in mail.outbox] == [["member-a@example.org"]]
    # The decision is in the history with its reason, and marks the figures stale.
    assert decided.history.first().history_change_reason == "Welcome"
    world.msp.refresh_from_db()
    assert world.msp.progress_stale_since is not None
    assert AuditEntry.objects.filter(action="partnerships.membership.accepted").exists()


def test_a_lead_declines_and_the_pledge_may_ask_again(world: World) -> None:
    asked = services.request_membership(msp=world.msp, pledge=world.pledge, by=world.member_a)
    services.decide_membership(membership=asked, accept=False, by=world.lead_member, message="No")
    again = services.request_membership(msp=world.msp, pledge=world.pledge, by=world.member_a)
    assert again.pk != asked.pk
    assert list(
        MultistakeholderMembership.objects.filter(pledge=world.pledge).values_list(
            "state", flat=True
        )
    ) == [MembershipState.REQUESTED, MembershipState.DECLINED]


def test_only_the_pledges_entity_may_ask(world: World) -> None:
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        services.request_membership(msp=world.msp, pledge=world.pledge, by=world.outsider)
    assert _snapshot() == before


def test_only_leads_and_the_secretariat_decide(world: World, secretariat) -> None:
    asked = services.request_membership(msp=world.msp, pledge=world.pledge, by=world.member_a)
    before = _snapshot()
    for somebody in (world.outsider, world.member_a):
        with pytest.raises(PermissionDenied):
            services.decide_membership(membership=asked, accept=True, by=somebody)
    assert _snapshot() == before
    asked.refresh_from_db()
    assert asked.state == MembershipState.REQUESTED
    services.decide_membership(membership=asked, accept=True, by=secretariat)


def test_an_invited_lead_cannot_manage_before_it_accepts(world: World, secretariat) -> None:
    entity = EntityFactory(name="Invited Organisation")
    member = MembershipFactory(entity=entity).user
    lead = services.invite_lead(msp=world.msp, entity=entity, by=secretariat)
    assert not services.can_manage(member, world.msp)
    services.respond_to_lead_invitation(lead=lead, accept=True, by=member)
    assert services.can_manage(member, world.msp)
    with pytest.raises(TransitionNotAllowed):
        services.respond_to_lead_invitation(lead=lead, accept=False, by=member)


def test_a_lead_of_an_unverified_entity_manages_nothing(world: World) -> None:
    world.lead_entity.is_verified = False
    world.lead_entity.verified_at = None
    world.lead_entity.save()
    assert not services.can_manage(world.lead_member, world.msp)
    assert not MultistakeholderLead.objects.public().exists()


def test_unverified_entities_cannot_be_invited_to_lead(world: World, secretariat) -> None:
    entity = EntityFactory(is_verified=False)
    before = _snapshot()
    with pytest.raises(ValidationError) as error:
        services.invite_lead(msp=world.msp, entity=entity, by=secretariat)
    assert "entity" in error.value.message_dict
    assert _snapshot() == before
    with pytest.raises(PermissionDenied):
        services.invite_lead(msp=world.msp, entity=EntityFactory(), by=world.lead_member)


def test_one_current_membership_per_pledge(world: World) -> None:
    services.request_membership(msp=world.msp, pledge=world.pledge, by=world.member_a)
    before = _snapshot()
    with pytest.raises(ValidationError) as error:
        services.request_membership(msp=world.msp, pledge=world.pledge, by=world.member_a)
    assert "msp" in error.value.message_dict
    assert _snapshot() == before


def test_a_pledge_of_the_other_compact_or_a_closed_pledge_cannot_join(world: World) -> None:
    gcm = PledgeFactory(
        entity=world.pledge.entity,
        compact=CompactFactory(code="GCM", name="GCM"),
        forum__code="IMRF26",
        forum__compact=CompactFactory(code="GCM", name="GCM"),
    )
    with pytest.raises(ValidationError):
        services.request_membership(msp=world.msp, pledge=gcm, by=world.member_a)
    withdrawn = PledgeFactory(
        entity=world.pledge.entity, forum=world.pledge.forum, review_state=ReviewState.WITHDRAWN
    )
    with pytest.raises((PermissionDenied, TransitionNotAllowed)):
        services.request_membership(msp=world.msp, pledge=withdrawn, by=world.member_a)
    assert not MultistakeholderMembership.objects.exists()


def test_the_secretariat_links_directly_and_a_member_leaves(world: World, secretariat) -> None:
    membership = services.link_pledge(msp=world.msp, pledge=world.pledge, by=secretariat)
    assert membership.state == MembershipState.ACCEPTED
    with pytest.raises(PermissionDenied):
        services.link_pledge(msp=world.msp, pledge=world.pledge, by=world.lead_member)
    left = services.remove_membership(membership=membership, by=world.member_a, message="Ended")
    assert left.state == MembershipState.REMOVED
    with pytest.raises(TransitionNotAllowed):
        services.remove_membership(membership=membership, by=world.member_a)


def test_msp_validation_names_every_field(world: World, secretariat) -> None:
    gcm_objective = ObjectiveFactory(compact=CompactFactory(code="GCM", name="GCM"), number=1)
    data = services.MspInput(
        title="",
        compact=world.msp.compact,
        slug="resettlement",
        objectives=[gcm_objective],
        source_url="not a url",
        status="open",
    )
    before = _snapshot()
    with pytest.raises(ValidationError) as error:
        services.create_msp(data=data, by=secretariat)
    assert set(error.value.message_dict) == {"title", "objectives", "source_url", "status", "slug"}
    assert _snapshot() == before
    with pytest.raises(PermissionDenied):
        services.create_msp(data=data, by=world.lead_member)


def test_key_outcomes_are_replaced_all_or_nothing(world: World) -> None:
    first = [services.OutcomeInput(text="1 million places", unit="places", target_value=10**6)]
    services.set_key_outcomes(msp=world.msp, outcomes=first, by=world.lead_member)
    bad = [
        services.OutcomeInput(text="Fine"),
        services.OutcomeInput(text="", unit="percent", target_value=150),
    ]
    with pytest.raises(ValidationError):
        services.set_key_outcomes(msp=world.msp, outcomes=bad, by=world.lead_member)
    assert list(world.msp.key_outcomes.values_list("text", flat=True)) == ["1 million places"]
    with pytest.raises(PermissionDenied):
        services.set_key_outcomes(msp=world.msp, outcomes=first, by=world.member_a)


def test_lead_states(world: World) -> None:
    assert LeadStatus.ACCEPTED in MultistakeholderLead.objects.public().values_list(
        "status", flat=True
    )


def test_contributes_to_links_are_no_longer_made(world: World) -> None:
    from pledges.models import PledgeLink
    from pledges.services import link_pledges

    other = PledgeFactory(
        entity=world.pledge.entity, forum=world.pledge.forum, review_state=ReviewState.PUBLISHED
    )
    with pytest.raises(ValidationError) as error:
        link_pledges(source=world.pledge, target=other, kind="contributes_to", by=world.member_a)
    assert "ask to join it as a member" in error.value.message_dict["kind"][0]
    assert not PledgeLink.objects.exists()


def test_leaving_is_e_mailed_to_the_other_side(
    world: World, django_capture_on_commit_callbacks
) -> None:
    joined = services.request_membership(msp=world.msp, pledge=world.pledge, by=world.member_a)
    services.decide_membership(membership=joined, accept=True, by=world.lead_member)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_membership(membership=joined, by=world.member_a, message="Done here")
    assert [m.to for m in mail.outbox] == [["lead@example.org"]]
    assert "Done here" in mail.outbox[0].body
