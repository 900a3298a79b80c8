"""The life of a match: proposed by one side (or the secretariat), ACCEPTED only once both
sides' entities accepted; declined by either; withdrawn by the proposer. Refusals change
nothing; every decision is audited on both pledges and e-mailed to the other side."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from core.audit import entries_for
from matching import services
from matching.models import Decision, Match, MatchState, Side, SupportPosition
from pledges.exceptions import TransitionNotAllowed
from pledges.models import Pledge
from tests.factories import MembershipFactory, PledgeFactory, UserFactory

from .conftest import position

pytestmark = pytest.mark.django_db


def test_a_match_proposed_by_one_side_is_accepted_when_the_other_side_accepts(
    seeking: Pledge,
    offering: Pledge,
    member_a: Any,
    member_b: Any,
    mailoutbox: list[Any],
    sent: Any,
) -> None:
    with sent():
        match = services.propose_match(
            seeking=seeking, offering=offering, by=member_a, message="Shall we?"
        )

    assert match.state == MatchState.PROPOSED
    assert (match.seeking_decision, match.seeking_decided_by) == (Decision.ACCEPTED, member_a)
    assert match.offering_decision == Decision.PENDING
    assert [m.to for m in mailoutbox] == [[member_b.email]]  # the other side only
    assert "Shall we?" in mailoutbox[0].body

    with sent():
        accepted = services.decide_match(match=match, accept=True, by=member_b, message="Yes")

    assert accepted.state == MatchState.ACCEPTED
    assert (accepted.offering_decided_by, accepted.offering_message) == (member_b, "Yes")
    assert accepted.offering_decided_at is not None
    assert [m.to for m in mailoutbox[1:]] == [[member_a.email]]
    actions = [e.action for e in entries_for(seeking)]
    assert actions == ["matching.match.accepted", "matching.match.proposed"]
    assert [e.action for e in entries_for(offering)] == actions
    history = list(accepted.history.order_by("history_date"))
    assert [(h.state, h.history_user, h.history_change_reason) for h in history] == [
        ("proposed", member_a, "Shall we?"),
        ("accepted", member_b, "Yes"),
    ]


def test_a_secretariat_proposal_needs_both_sides(
    seeking: Pledge,
    offering: Pledge,
    member_a: Any,
    member_b: Any,
    secretariat: Any,
    mailoutbox: list[Any],
    sent: Any,
) -> None:
    with sent():
        match = services.propose_match(seeking=seeking, offering=offering, by=secretariat)

    assert sorted(m.to[0] for m in mailoutbox) == [member_a.email, member_b.email]
    half = services.decide_match(match=match, accept=True, by=member_a)
    assert half.state == MatchState.PROPOSED  # one side is not enough
    with pytest.raises(TransitionNotAllowed, match="already answered"):
        services.decide_match(match=match, accept=False, by=member_a)
    with pytest.raises(PermissionDenied):  # the secretariat does not answer for an entity
        services.decide_match(match=match, accept=True, by=secretariat)

    assert services.decide_match(match=match, accept=True, by=member_b).state == "accepted"


def test_either_side_may_decline_and_the_match_closes(
    seeking: Pledge, offering: Pledge, member_a: Any, member_b: Any
) -> None:
    match = services.propose_match(seeking=seeking, offering=offering, by=member_a)

    declined = services.decide_match(match=match, accept=False, by=member_b, message="Not now")

    assert (declined.state, declined.offering_decision) == ("declined", "declined")
    with pytest.raises(TransitionNotAllowed):
        services.decide_match(match=declined, accept=True, by=member_b)
    # A closed match does not block a new proposal of the same pair.
    again = services.propose_match(seeking=seeking, offering=offering, by=member_b)
    assert again.state == "proposed"
    assert again.offering_decision == "accepted"


def test_only_the_proposer_withdraws_and_only_while_proposed(
    seeking: Pledge,
    offering: Pledge,
    member_a: Any,
    member_b: Any,
    mailoutbox: list[Any],
    sent: Any,
) -> None:
    match = services.propose_match(seeking=seeking, offering=offering, by=member_a)

    with pytest.raises(PermissionDenied):
        services.withdraw_match(match=match, by=member_b)
    with sent():
        withdrawn = services.withdraw_match(match=match, by=member_a, message="Found another")

    assert withdrawn.state == MatchState.WITHDRAWN
    assert mailoutbox[-1].to == [member_b.email]
    with pytest.raises(TransitionNotAllowed):
        services.withdraw_match(match=withdrawn, by=member_a)


def test_refusals_change_nothing(
    seeking: Pledge, offering: Pledge, member_a: Any, member_b: Any, financial: Any
) -> None:
    with pytest.raises(ValidationError) as self_match:
        services.propose_match(seeking=seeking, offering=seeking, by=member_a)
    assert "itself" in str(self_match.value.message_dict["offering"])

    services.propose_match(seeking=seeking, offering=offering, by=member_a)
    with pytest.raises(ValidationError) as duplicate:
        services.propose_match(seeking=seeking, offering=offering, by=member_b)
    assert "already have an open match" in str(duplicate.value.message_dict["offering"])

    no_offer = PledgeFactory(entity=offering.entity, forum=offering.forum, review_state="published")
    with pytest.raises(ValidationError) as nothing_offered:
        services.propose_match(seeking=seeking, offering=no_offer, by=member_a)
    assert "does not say what support it offers" in str(nothing_offered.value.message_dict)

    with pytest.raises(ValidationError) as too_long:
        services.propose_match(seeking=seeking, offering=no_offer, by=member_a, message="x" * 2001)
    assert "message" in too_long.value.message_dict
    assert Match.objects.count() == 1


def test_nothing_unpublished_can_be_matched_or_revealed(
    seeking: Pledge, member_a: Any, member_b: Any, entity_b: Any, financial: Any
) -> None:
    """A draft of entity B is unknown to A ("no pledge with that reference"), and B's own draft
    cannot be put in a match either: an accepted match is public."""
    draft = PledgeFactory(entity=entity_b, forum=seeking.forum)
    position(draft, Side.OFFERS, financial)

    with pytest.raises(ValidationError) as unknown:
        services.propose_match(seeking=seeking, offering=draft, by=member_a)
    assert unknown.value.message_dict == {"offering": ["No pledge with that reference."]}
    with pytest.raises(ValidationError) as unpublished:
        services.propose_match(seeking=seeking, offering=draft, by=member_b)
    assert unpublished.value.message_dict == {
        "offering": ["Only published pledges can be matched."]
    }
    assert not Match.objects.exists()


def test_an_outsider_cannot_propose(seeking: Pledge, offering: Pledge) -> None:
    outsider = MembershipFactory(user=UserFactory(email="c@example.org")).user

    with pytest.raises(PermissionDenied):
        services.propose_match(seeking=seeking, offering=offering, by=outsider)


def test_a_match_whose_pledge_left_publication_cannot_be_accepted(
    seeking: Pledge, offering: Pledge, member_a: Any, member_b: Any
) -> None:
    match = services.propose_match(seeking=seeking, offering=offering, by=member_a)
    Pledge.objects.filter(pk=seeking.pk).update(review_state="withdrawn")

    with pytest.raises(TransitionNotAllowed, match="no longer published"):
        services.decide_match(match=match, accept=True, by=member_b)
    match.refresh_from_db()
    assert match.state == "proposed"


def test_decisions_are_mailed_in_each_recipients_language(
    seeking: Pledge,
    offering: Pledge,
    member_a: Any,
    member_b: Any,
    mailoutbox: list[Any],
    sent: Any,
) -> None:
    """B proposes (A is told), A accepts (B is told): B reads French, A English."""
    member_b.language = "fr"
    member_b.save(update_fields=["language"])
    with sent():
        match = services.propose_match(seeking=seeking, offering=offering, by=member_b)
        services.decide_match(match=match, accept=True, by=member_a)

    with translation.override("fr"):
        accepted_in_french = str(MatchState.ACCEPTED.label)
    assert accepted_in_french != "Accepted"  # the catalogue has the word
    to_a, to_b = mailoutbox
    assert (to_a.to, to_b.to) == ([member_a.email], [member_b.email])
    assert accepted_in_french in to_b.body
    assert accepted_in_french not in to_a.body


# --- what a pledge seeks and offers -----------------------------------------------------------


def test_editors_add_change_and_remove_positions_with_audit(
    entity_a: Any, member_a: Any, member_b: Any, financial: Any, technical: Any, kenya: Any
) -> None:
    draft = PledgeFactory(entity=entity_a)
    data = services.PositionInput(
        side=Side.SEEKS, support_type=financial, countries=[kenya], description=" Teachers "
    )

    added = services.add_position(pledge=draft, data=data, by=member_a)
    assert (added.description, list(added.countries.all())) == ("Teachers", [kenya])
    with pytest.raises(PermissionDenied):
        services.add_position(pledge=draft, data=data, by=member_b)

    data.support_type = technical
    services.change_position(position=added, data=data, by=member_a)
    pk = added.pk
    services.remove_position(position=added, by=member_a)

    assert [e.action for e in entries_for(draft)] == [
        "matching.position.removed",
        "matching.position.changed",
        "matching.position.added",
    ]
    versions = SupportPosition.history.filter(id=pk).order_by("history_date")
    assert [(v.history_type, v.history_user) for v in versions] == [
        ("~", member_a),  # created with its countries: one version
        ("~", member_a),
        ("-", member_a),
    ]


def test_a_published_pledge_positions_follow_the_pledge_edit_rule(
    seeking: Pledge, member_a: Any, secretariat: Any, financial: Any
) -> None:
    data = services.PositionInput(side=Side.OFFERS, support_type=financial)

    with pytest.raises(PermissionDenied):  # members edit drafts only, like the pledge
        services.add_position(pledge=seeking, data=data, by=member_a)
    assert services.add_position(pledge=seeking, data=data, by=secretariat).pk


def test_position_field_errors(entity_a: Any, member_a: Any) -> None:
    from decimal import Decimal

    draft = PledgeFactory(entity=entity_a)
    data = services.PositionInput(side="wants", support_type=None, amount=Decimal("-1"))

    with pytest.raises(ValidationError) as refused:
        services.add_position(pledge=draft, data=data, by=member_a)

    assert set(refused.value.message_dict) == {"side", "support_type", "amount", "currency"}
    assert not draft.support_positions.exists()


def _version(pledge: Pledge) -> tuple[Any, int]:
    pledge.refresh_from_db(fields=["updated_at", "version"])
    return pledge.updated_at, pledge.version


def test_positions_and_an_accepted_match_mark_the_pledges_changed_for_api_sync(
    seeking: Pledge,
    offering: Pledge,
    member_a: Any,
    member_b: Any,
    secretariat: Any,
    financial: Any,
) -> None:
    # The pledge API shows both (`support`, `matches`): `updated_since` and ETags must see them.
    before = _version(seeking)
    data = services.PositionInput(side=Side.OFFERS, support_type=financial, description="Desks")
    added = services.add_position(pledge=seeking, data=data, by=secretariat)
    after_add = _version(seeking)
    assert after_add[1] == before[1] + 1
    assert after_add[0] > before[0]
    services.remove_position(position=added, by=secretariat)
    assert _version(seeking)[1] == before[1] + 2

    match = services.propose_match(seeking=seeking, offering=offering, by=member_a)
    proposed = (_version(seeking)[1], _version(offering)[1])
    assert proposed == (before[1] + 2, offering.version)  # a proposal is not public
    services.decide_match(match=match, accept=True, by=member_b)
    assert (_version(seeking)[1], _version(offering)[1]) == (proposed[0] + 1, proposed[1] + 1)
