"""Every write of the matching app: what a pledge seeks and offers, and the life of a match
(propose, accept, decline, withdraw).

Each function is keyword-only, typed and atomic; a refusal raises before anything is written
(ValidationError with field messages → 400 / form errors, PermissionDenied → 403,
TransitionNotAllowed → 409). Every change is audited on its pledge(s) (`core.audit`) and kept
in the rows' history with who and why; decisions are e-mailed to the other side.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from compacts.models import ThematicArea
from core.audit import record_change
from core.models import Country, Currency
from pledges.exceptions import TransitionNotAllowed
from pledges.models import Pledge, ReviewState, SupportType
from pledges.services.feed import feed_pledges
from pledges.workflow import can_edit, is_active_member, is_secretariat
from webhooks.events import emit

from . import notifications
from .feed import feed_matches
from .models import (
    DESCRIPTION_MAX_LENGTH,
    Decision,
    Match,
    MatchState,
    Side,
    SupportPosition,
)

if TYPE_CHECKING:
    from accounts.models import User

MESSAGE_MAX_LENGTH = 2000
AMOUNT_LIMIT = Decimal("9999999999999999.99")  # the column's 18 digits, 2 decimals


# --------------------------------------------------------------------------------------------
# What a pledge seeks and offers
# --------------------------------------------------------------------------------------------


@dataclass
class PositionInput:
    """One need or offer as forms and the API give it (codes already resolved)."""

    side: str
    support_type: SupportType | None
    amount: Decimal | None = None
    currency: Currency | None = None
    countries: Sequence[Country] = field(default_factory=list)
    thematic_area: ThematicArea | None = None
    description: str = ""


def validate_position(pledge: Pledge, data: PositionInput) -> None:
    """Field messages for everything wrong with `data`, all at once."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if data.side not in Side.values:
        add("side", _("Say whether the pledge seeks or offers this support."))
    if data.support_type is None:
        add("support_type", _("Choose the type of support."))
    _check_amount(data, add)
    if data.thematic_area is not None and data.thematic_area.compact_id != pledge.compact_id:
        add("thematic_area", _("Choose a thematic area of the pledge's compact."))
    if len(data.description) > DESCRIPTION_MAX_LENGTH:
        add(
            "description",
            _("At most %(max)s characters (this text has %(length)s).")
            % {"max": f"{DESCRIPTION_MAX_LENGTH:,}", "length": f"{len(data.description):,}"},
        )
    if "\x00" in data.description:
        add("description", _("Remove the null characters from the text."))
    if errors:
        raise ValidationError(errors)


def _check_amount(data: PositionInput, add: Callable[[str, str], None]) -> None:
    if data.amount is not None:
        if data.amount < 0:
            add("amount", _("The amount cannot be negative."))
        elif data.amount > AMOUNT_LIMIT or data.amount.as_tuple().exponent < -2:  # type: ignore[operator]  # an int for finite numbers
            add("amount", _("Give at most 16 digits and 2 decimals."))
        if data.currency is None:
            add("currency", _("Give the currency of the amount."))
    elif data.currency is not None:
        add("amount", _("Give the amount in this currency, or no currency."))


def _require_editor(pledge: Pledge, by: User) -> None:
    """The pledge's own edit rule (`pledges.workflow.can_edit`): what it seeks and offers is
    part of its content."""
    if not can_edit(pledge, by):
        raise PermissionDenied(_("You cannot change what this pledge seeks or offers now."))


def _position_data(position: SupportPosition) -> dict[str, object]:
    return {
        "id": position.pk,
        "side": position.side,
        "support_type": position.support_type_id,
        "amount": None if position.amount is None else str(position.amount),
        "currency": position.currency_id,
        "countries": sorted(c.pk for c in position.countries.all()),
        "thematic_area": position.thematic_area_id,
    }


def _attribute(obj: SupportPosition | Match, *, by: User | None, reason: str) -> None:
    """Who made the next save of `obj`, and why, for its history version."""
    obj._history_user = by if getattr(by, "is_authenticated", False) else None  # type: ignore[union-attr]  # simple_history reads it from the instance
    obj._change_reason = reason  # type: ignore[union-attr]  # as above


def _touch_pledges(*pledge_ids: int) -> None:
    """What a pledge seeks and offers and its accepted matches are part of what the pledge API
    shows: mark the pledges changed (`updated_at`, `version`) so incremental sync and ETags see
    it. An UPDATE: no history version of the pledge for an unchanged field."""
    Pledge.objects.filter(pk__in=pledge_ids).update(
        updated_at=timezone.now(), version=F("version") + 1
    )
    feed_pledges(pledge_ids)


def _fill(position: SupportPosition, data: PositionInput) -> None:
    position.side = data.side
    position.support_type = data.support_type  # type: ignore[assignment]  # validated: set
    position.amount = data.amount
    position.currency = data.currency
    position.thematic_area = data.thematic_area
    position.description = data.description.strip()


def _save_with_countries(
    position: SupportPosition, countries: Sequence[Country], *, by: User, reason: str
) -> None:
    """One history version per change, countries included (as the pledge services do): the
    row and its countries are written without history, then saved once with it."""
    position.skip_history_when_saving = True  # type: ignore[attr-defined]  # simple_history's switch
    try:
        position.save()
        position.countries.set(countries)
    finally:
        del position.skip_history_when_saving  # type: ignore[attr-defined]  # as above
    _attribute(position, by=by, reason=reason)
    position.save()


@transaction.atomic
def add_position(*, pledge: Pledge, data: PositionInput, by: User) -> SupportPosition:
    """Say that `pledge` seeks or offers some support."""
    _require_editor(pledge, by)
    validate_position(pledge, data)
    position = SupportPosition(pledge=pledge)
    _fill(position, data)
    _save_with_countries(position, data.countries, by=by, reason="added")
    record_change(pledge, action="matching.position.added", by=by, data=_position_data(position))
    _touch_pledges(pledge.pk)
    return position


@transaction.atomic
def change_position(*, position: SupportPosition, data: PositionInput, by: User) -> SupportPosition:
    pledge = position.pledge
    _require_editor(pledge, by)
    validate_position(pledge, data)
    _fill(position, data)
    _save_with_countries(position, data.countries, by=by, reason="changed")
    record_change(pledge, action="matching.position.changed", by=by, data=_position_data(position))
    _touch_pledges(pledge.pk)
    return position


@transaction.atomic
def remove_position(*, position: SupportPosition, by: User) -> None:
    pledge = position.pledge
    _require_editor(pledge, by)
    record_change(pledge, action="matching.position.removed", by=by, data=_position_data(position))
    _attribute(position, by=by, reason="removed")
    position.delete()
    _touch_pledges(pledge.pk)


# --------------------------------------------------------------------------------------------
# Matches
# --------------------------------------------------------------------------------------------


def _checked_message(message: str) -> str:
    message = message.strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {
                "message": [
                    _("At most %(max)s characters (this text has %(length)s).")
                    % {"max": f"{MESSAGE_MAX_LENGTH:,}", "length": f"{len(message):,}"}
                ]
            }
        )
    if "\x00" in message:
        raise ValidationError({"message": [_("Remove the null characters from the text.")]})
    return message


def _audit(match: Match, action: str, *, by: User | None, message: str = "") -> None:
    """The same entry on both pledges' audit trails, so each side's history shows it."""
    data = {
        "match": str(match.public_id),
        "seeking": match.seeking.reference,
        "offering": match.offering.reference,
    }
    for pledge in (match.seeking, match.offering):
        record_change(pledge, action=action, by=by, reason=message, data=data)


def validate_proposal(*, seeking: Pledge, offering: Pledge, by: User) -> None:
    """Field messages for a match that cannot be proposed; PermissionDenied for a user who may
    propose none between these pledges."""
    visible = Pledge.objects.visible_to(by)
    errors: dict[str, list[str]] = {}
    for name, pledge in (("seeking", seeking), ("offering", offering)):
        # An invisible pledge is reported as unknown: a reference never reveals a draft.
        if not visible.filter(pk=pledge.pk).exists():
            errors[name] = [_("No pledge with that reference.")]
        elif pledge.review_state != ReviewState.PUBLISHED:
            # The other side must be able to read what it is asked to accept, and an accepted
            # match is public: both pledges are published ones.
            errors[name] = [_("Only published pledges can be matched.")]
    if errors:
        raise ValidationError(errors)
    if seeking.pk == offering.pk:
        raise ValidationError({"offering": [_("A pledge cannot be matched with itself.")]})
    if not (
        is_secretariat(by)
        or is_active_member(by, seeking.entity_id)
        or is_active_member(by, offering.entity_id)
    ):
        raise PermissionDenied(
            _("Only the entities of the two pledges or the secretariat can propose a match.")
        )
    if not seeking.support_positions.filter(side=Side.SEEKS).exists():
        errors["seeking"] = [_("This pledge does not say what support it seeks.")]
    if not offering.support_positions.filter(side=Side.OFFERS).exists():
        errors["offering"] = [_("This pledge does not say what support it offers.")]
    if errors:
        raise ValidationError(errors)
    if Match.objects.open().filter(seeking=seeking, offering=offering).exists():
        raise ValidationError({"offering": [_("These pledges already have an open match.")]})


def _proposing_side(seeking: Pledge, offering: Pledge, by: User) -> str | None:
    """The side the proposer acts for (its answer is given by proposing), else None (the
    secretariat, which answers for neither)."""
    if is_active_member(by, seeking.entity_id):
        return Side.SEEKS
    if is_active_member(by, offering.entity_id):
        return Side.OFFERS
    return None


@transaction.atomic
def propose_match(*, seeking: Pledge, offering: Pledge, by: User, message: str = "") -> Match:
    """Propose matching `seeking` with `offering`. A proposing entity accepts for its own side
    by proposing; the other side (both, when the secretariat proposes) answers."""
    message = _checked_message(message)
    validate_proposal(seeking=seeking, offering=offering, by=by)
    now = timezone.now()
    side = _proposing_side(seeking, offering, by)
    match = Match(seeking=seeking, offering=offering, proposed_by=by, message=message)
    if side == Side.SEEKS:
        match.proposed_for_id = seeking.entity_id
        match.seeking_decision, match.seeking_decided_by, match.seeking_decided_at = (
            Decision.ACCEPTED,
            by,
            now,
        )
        match.seeking_message = message
    elif side == Side.OFFERS:
        match.proposed_for_id = offering.entity_id
        match.offering_decision, match.offering_decided_by, match.offering_decided_at = (
            Decision.ACCEPTED,
            by,
            now,
        )
        match.offering_message = message
    _attribute(match, by=by, reason=message or "proposed")
    try:
        with transaction.atomic():
            match.save()
    except IntegrityError:  # a concurrent proposal of the same pair won
        raise ValidationError(
            {"offering": [_("These pledges already have an open match.")]}
        ) from None
    _audit(match, "matching.match.proposed", by=by, message=message)
    feed_matches([match.pk])
    notifications.match_proposed(match, proposing_side=side)
    return match


def _sides_of(match: Match, by: User) -> list[str]:
    """The sides whose entity `by` acts for (both when one entity made both pledges)."""
    return [
        side
        for side, entity_id in (
            (Side.SEEKS, match.seeking.entity_id),
            (Side.OFFERS, match.offering.entity_id),
        )
        if is_active_member(by, entity_id)
    ]


def _locked(match: Match) -> Match:
    return Match.objects.select_for_update().select_related("seeking", "offering").get(pk=match.pk)


@transaction.atomic
def decide_match(*, match: Match, accept: bool, by: User, message: str = "") -> Match:
    """One side's entity accepts or declines a proposed match. The match is ACCEPTED once both
    sides accepted; one decline closes it as DECLINED."""
    message = _checked_message(message)
    locked = _locked(match)
    sides = _sides_of(locked, by)
    if not sides:
        raise PermissionDenied(_("Only the entities of the two pledges can answer a match."))
    if locked.state != MatchState.PROPOSED:
        raise TransitionNotAllowed(_("This match is no longer open to answers."))
    pending = [
        side
        for side in sides
        if getattr(locked, "seeking_decision" if side == Side.SEEKS else "offering_decision")
        == Decision.PENDING
    ]
    if not pending:
        raise TransitionNotAllowed(_("Your entity has already answered this match."))
    if accept:
        unpublished = [
            p for p in (locked.seeking, locked.offering) if p.review_state != ReviewState.PUBLISHED
        ]
        if unpublished:
            raise TransitionNotAllowed(
                _("%(reference)s is no longer published: the match cannot be accepted.")
                % {"reference": unpublished[0].reference}
            )
    now = timezone.now()
    decision = Decision.ACCEPTED if accept else Decision.DECLINED
    for side in pending:
        prefix = "seeking" if side == Side.SEEKS else "offering"
        setattr(locked, f"{prefix}_decision", decision)
        setattr(locked, f"{prefix}_decided_by", by)
        setattr(locked, f"{prefix}_decided_at", now)
        setattr(locked, f"{prefix}_message", message)
    if not accept:
        locked.state, locked.closed_at = MatchState.DECLINED, now
    elif (
        locked.seeking_decision == Decision.ACCEPTED
        and locked.offering_decision == Decision.ACCEPTED
    ):
        locked.state, locked.closed_at = MatchState.ACCEPTED, now
    _attribute(locked, by=by, reason=message or decision)
    locked.save()
    if locked.state == MatchState.ACCEPTED:  # now on both pledges' public pages and API
        _touch_pledges(locked.seeking_id, locked.offering_id)
        emit("match.accepted", locked.pk)
    _audit(locked, f"matching.match.{'accepted' if accept else 'declined'}", by=by, message=message)
    feed_matches([locked.pk])
    notifications.match_decided(locked, sides=pending, accepted=accept, message=message)
    return locked


def may_withdraw(match: Match, user: User) -> bool:
    """The proposer: the proposing entity's members, or the secretariat when it proposed."""
    if match.proposed_for_id is None:
        return is_secretariat(user)
    return is_active_member(user, match.proposed_for_id)


@transaction.atomic
def withdraw_match(*, match: Match, by: User, message: str = "") -> Match:
    """The proposer takes back a match that is still proposed."""
    message = _checked_message(message)
    locked = _locked(match)
    if not may_withdraw(locked, by):
        raise PermissionDenied(_("Only the proposer can withdraw a match."))
    if locked.state != MatchState.PROPOSED:
        raise TransitionNotAllowed(_("Only a proposed match can be withdrawn."))
    locked.state, locked.closed_at = MatchState.WITHDRAWN, timezone.now()
    _attribute(locked, by=by, reason=message or "withdrawn")
    locked.save()
    _audit(locked, "matching.match.withdrawn", by=by, message=message)
    feed_matches([locked.pk])
    notifications.match_withdrawn(locked, message=message)
    return locked
