"""Every write to multistakeholder pledges (MSPs), their leads, key outcomes and memberships.

Pages, the admin and tests call these functions only. Each is keyword-only and atomic; a refusal
(ValidationError with field messages, PermissionDenied, TransitionNotAllowed) changes nothing.
Every change is audited (`core.audit.record_change` on the MSP, with the message as reason, and a
history version with the same reason); decisions are e-mailed to the other side; a change of
membership marks the MSP's figures stale in the same transaction.

Who may do what is decided here, in one place:
- the secretariat (`pledges.review_pledge`) creates and edits MSPs, invites and removes leads,
  links pledges directly and decides everything;
- members of an MSP's accepted, verified lead entities manage it: key outcomes, join requests,
  removing members;
- active members of a pledge's entity ask to join for it, or take it out again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from compacts.models import Compact, Objective, ThematicArea
from core.audit import record_change
from forums.models import Forum
from pledges.exceptions import TransitionNotAllowed
from pledges.models import Entity, Pledge, ReviewState, TargetUnit
from pledges.services import CLOSED_STATES
from pledges.services.feed import feed_pledges
from pledges.workflow import REASON_MAX_LENGTH, is_active_member, is_secretariat

from . import notifications
from .feed import feed_msps
from .models import (
    CURRENT_STATES,
    KeyOutcome,
    LeadStatus,
    MembershipOrigin,
    MembershipState,
    MspStatus,
    MultistakeholderLead,
    MultistakeholderMembership,
    MultistakeholderPledge,
)
from .progress_marks import mark_msps_stale

if TYPE_CHECKING:
    from accounts.models import User

MAX_KEY_OUTCOMES = 20


# --- permissions -----------------------------------------------------------------------------


def can_manage(user: Any, msp: MultistakeholderPledge) -> bool:
    """The secretariat, and active members of the MSP's accepted, verified lead entities."""
    if is_secretariat(user):
        return True
    return MultistakeholderLead.objects.acting_for(user).filter(msp=msp).exists()


def can_ask_to_join(user: Any, pledge: Pledge) -> bool:
    """Active members of the pledge's entity (or the secretariat), while the pledge is open."""
    if pledge.review_state in CLOSED_STATES:
        return False
    return is_active_member(user, pledge.entity_id) or is_secretariat(user)


def _require_manager(msp: MultistakeholderPledge, by: Any) -> None:
    if not can_manage(by, msp):
        raise PermissionDenied(
            _("Only the secretariat and the lead entities can manage this pledge.")
        )


def _require_secretariat(by: Any) -> None:
    if not is_secretariat(by):
        raise PermissionDenied(_("Only the secretariat can do this."))


# --- shared steps ----------------------------------------------------------------------------


def _message(text: str, *, name: str = "message") -> str:
    text = (text or "").strip()
    if "\x00" in text:
        raise ValidationError({name: [_("Null characters are not allowed.")]})
    if len(text) > REASON_MAX_LENGTH:
        raise ValidationError(
            {
                name: [
                    _("A message can be at most %(max)s characters (this one has %(length)s).")
                    % {"max": f"{REASON_MAX_LENGTH:,}", "length": f"{len(text):,}"}
                ]
            }
        )
    return text


def _attribute(obj: models.Model, *, by: Any, reason: str) -> None:
    """Who made the next save of `obj`, and why, for its history version."""
    obj._history_user = by if getattr(by, "is_authenticated", False) else None  # type: ignore[attr-defined]  # simple_history reads it
    obj._change_reason = reason  # type: ignore[attr-defined]  # as above


def _touch_pledge(pledge_id: int) -> None:
    """The pledge's MSPs are part of what sync (`updated_since`, ETags) sees of it."""
    Pledge.objects.filter(pk=pledge_id).update(updated_at=timezone.now(), version=F("version") + 1)
    feed_pledges([pledge_id])


# --- MSPs ------------------------------------------------------------------------------------


@dataclass
class MspInput:
    title: str
    compact: Compact | None
    slug: str = ""
    description: str = ""
    forum: Forum | None = None
    objectives: Sequence[Objective] = field(default_factory=list)
    thematic_area: ThematicArea | None = None
    status: str = MspStatus.ACTIVE
    source_url: str = ""


def _check_same_compact(data: MspInput, add: Any) -> None:
    if data.compact is None:
        add("compact", _("Choose the compact."))
        return
    if data.forum is not None and data.forum.compact_id != data.compact.pk:
        add("forum", _("Choose a forum of the same compact."))
    if any(o.compact_id != data.compact.pk for o in data.objectives):
        add("objectives", _("Choose objectives of the same compact."))
    if data.thematic_area is not None and data.thematic_area.compact_id != data.compact.pk:
        add("thematic_area", _("Choose a thematic area of the same compact."))


def _check_source(url: str, add: Any) -> None:
    if not url:
        return
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        add("source_url", _("Enter a valid web address."))
    if len(url) > 500:
        add("source_url", _("At most 500 characters."))


def validate_msp(data: MspInput, *, instance: MultistakeholderPledge | None = None) -> str:
    """Raise a ValidationError naming every bad field; return the slug to use."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    title = data.title.strip()
    if not title:
        add("title", _("Give the title."))
    elif len(title) > 300:
        add("title", _("At most 300 characters."))
    if "\x00" in title + data.description:
        add("description", _("Null characters are not allowed."))
    _check_same_compact(data, add)
    if data.status not in MspStatus.values:
        add("status", _("Choose a valid status."))
    _check_source(data.source_url, add)
    slug = slugify(data.slug or title)[:100]
    if not slug:
        add("slug", _("Give a code of letters, digits and hyphens."))
    elif (
        MultistakeholderPledge.objects.filter(slug=slug)
        .exclude(pk__in=[instance.pk] if instance is not None else [])
        .exists()
    ):
        add("slug", _("Another multistakeholder pledge has this code."))
    if errors:
        raise ValidationError(errors)
    return slug


def _apply(msp: MultistakeholderPledge, data: MspInput, slug: str) -> None:
    msp.slug = slug
    msp.title = data.title.strip()
    msp.description = data.description.strip()
    msp.compact = data.compact  # type: ignore[assignment]  # validated: not None
    msp.forum = data.forum
    msp.thematic_area = data.thematic_area
    msp.status = data.status
    msp.source_url = data.source_url


@transaction.atomic
def create_msp(*, data: MspInput, by: User) -> MultistakeholderPledge:
    _require_secretariat(by)
    slug = validate_msp(data)
    msp = MultistakeholderPledge(created_by=by)
    _apply(msp, data, slug)
    _attribute(msp, by=by, reason=_("Created"))
    msp.save()
    msp.objectives.set(data.objectives)
    record_change(msp, action="partnerships.msp.created", by=by, data={"slug": slug})
    feed_msps([msp.pk])
    return msp


@transaction.atomic
def update_msp(*, msp: MultistakeholderPledge, data: MspInput, by: User) -> MultistakeholderPledge:
    _require_secretariat(by)
    locked = MultistakeholderPledge.objects.select_for_update().get(pk=msp.pk)
    slug = validate_msp(data, instance=locked)
    _apply(locked, data, slug)
    # M2M first, so that the one history version of this edit holds the new objectives.
    locked.objectives.set(data.objectives)
    _attribute(locked, by=by, reason=_("Edited"))
    locked.save()
    record_change(locked, action="partnerships.msp.updated", by=by, data={"slug": slug})
    feed_msps([locked.pk])
    return locked


# --- leads -----------------------------------------------------------------------------------


@transaction.atomic
def invite_lead(*, msp: MultistakeholderPledge, entity: Entity, by: User) -> MultistakeholderLead:
    """The secretariat invites a verified entity to lead; its members accept or decline."""
    _require_secretariat(by)
    if not entity.is_verified:
        raise ValidationError(
            {
                "entity": [
                    _("%(entity)s has not been verified by the secretariat yet.")
                    % {"entity": entity.name}
                ]
            }
        )
    lead = MultistakeholderLead(msp=msp, entity=entity, invited_by=by)
    _attribute(lead, by=by, reason=_("Invited"))
    try:
        with transaction.atomic():
            lead.save()
    except IntegrityError:
        raise ValidationError(
            {"entity": [_("%(entity)s is already invited.") % {"entity": entity.name}]}
        ) from None
    record_change(msp, action="partnerships.lead.invited", by=by, data={"entity": entity.pk})
    notifications.lead_invited(lead)
    return lead


@transaction.atomic
def respond_to_lead_invitation(
    *, lead: MultistakeholderLead, accept: bool, by: User
) -> MultistakeholderLead:
    locked = MultistakeholderLead.objects.select_for_update().get(pk=lead.pk)
    if not is_active_member(by, locked.entity_id):
        raise PermissionDenied(_("Only members of the invited entity can answer."))
    if locked.status != LeadStatus.INVITED:
        raise TransitionNotAllowed(_("This invitation has already been answered."))
    locked.status = LeadStatus.ACCEPTED if accept else LeadStatus.DECLINED
    locked.responded_at = timezone.now()
    _attribute(locked, by=by, reason=locked.get_status_display())
    locked.save()
    record_change(
        locked.msp,
        action=f"partnerships.lead.{locked.status}",
        by=by,
        data={"entity": locked.entity_id},
    )
    if accept:
        _touch_lead_pledges(locked)
        feed_msps([locked.msp_id])
    notifications.lead_answered(locked)
    return locked


def _touch_lead_pledges(lead: MultistakeholderLead) -> None:
    """The pledge API shows a member pledge's role (`lead` when its entity is an accepted lead):
    the lead entity's member pledges of this MSP change when it becomes or stops being a lead."""
    ids = list(
        Pledge.objects.filter(
            entity_id=lead.entity_id,
            msp_memberships__msp_id=lead.msp_id,
            msp_memberships__state=MembershipState.ACCEPTED,
        ).values_list("pk", flat=True)
    )
    Pledge.objects.filter(pk__in=ids).update(updated_at=timezone.now(), version=F("version") + 1)
    feed_pledges(ids)


@transaction.atomic
def remove_lead(*, lead: MultistakeholderLead, by: User, reason: str = "") -> None:
    _require_secretariat(by)
    reason = _message(reason, name="reason")
    record_change(
        lead.msp,
        action="partnerships.lead.removed",
        by=by,
        reason=reason,
        data={"entity": lead.entity_id},
    )
    _attribute(lead, by=by, reason=reason or _("Removed"))
    # Read from the row: the caller's instance may predate the invitation's answer.
    was_lead = MultistakeholderLead.objects.filter(pk=lead.pk, status=LeadStatus.ACCEPTED).exists()
    lead.delete()
    if was_lead:
        _touch_lead_pledges(lead)
        feed_msps([lead.msp_id])


# --- key outcomes ----------------------------------------------------------------------------


@dataclass
class OutcomeInput:
    text: str
    unit: str = ""
    target_value: Decimal | None = None
    target_year: int | None = None


def outcome_errors(outcome: OutcomeInput) -> dict[str, list[str]]:
    """Field messages for one key outcome (the edit form shows them beside its row)."""
    row: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        row.setdefault(name, []).append(message)

    text = outcome.text.strip()
    if not text:
        add("text", _("Describe the outcome."))
    elif len(text) > 500 or "\x00" in text:
        add("text", _("At most 500 characters."))
    if outcome.unit not in [*TargetUnit.values, ""]:
        add("unit", _("Choose a valid unit."))
    value = outcome.target_value
    if value is not None:
        if value < 0 or value >= Decimal("1e16"):
            add("target_value", _("Give a number from 0 to 9,999,999,999,999,999."))
        elif outcome.unit == TargetUnit.PERCENT and value > 100:
            add("target_value", _("A percentage is at most 100."))
        if not outcome.unit:
            add("unit", _("Choose the unit of the target."))
    if outcome.target_year is not None and not 2000 <= outcome.target_year <= 2100:
        add("target_year", _("Give a year from 2000 to 2100."))
    return row


def validate_outcomes(outcomes: Sequence[OutcomeInput]) -> None:
    if len(outcomes) > MAX_KEY_OUTCOMES:
        raise ValidationError(
            {"outcomes": [_("At most %(max)s key outcomes.") % {"max": MAX_KEY_OUTCOMES}]}
        )
    messages = [
        _("Outcome %(number)s: %(message)s") % {"number": index, "message": message}
        for index, outcome in enumerate(outcomes, start=1)
        for field_messages in outcome_errors(outcome).values()
        for message in field_messages
    ]
    if messages:
        raise ValidationError({"outcomes": messages})


@transaction.atomic
def set_key_outcomes(
    *, msp: MultistakeholderPledge, outcomes: Sequence[OutcomeInput], by: User
) -> list[KeyOutcome]:
    """Replace the MSP's key outcomes by these, in this order (all or nothing)."""
    _require_manager(msp, by)
    validate_outcomes(outcomes)
    old = list(msp.key_outcomes.all())
    for outcome in old:
        _attribute(outcome, by=by, reason=_("Key outcomes edited"))
        outcome.delete()
    made = []
    for position, data in enumerate(outcomes):
        outcome = KeyOutcome(
            msp=msp,
            text=data.text.strip(),
            unit=data.unit,
            target_value=data.target_value,
            target_year=data.target_year,
            position=position,
        )
        _attribute(outcome, by=by, reason=_("Key outcomes edited"))
        outcome.save()
        made.append(outcome)
    record_change(
        msp, action="partnerships.outcomes.set", by=by, data={"outcomes": [o.text for o in made]}
    )
    feed_msps([msp.pk])
    return made


# --- memberships -----------------------------------------------------------------------------


def _check_joinable(msp: MultistakeholderPledge, pledge: Pledge) -> None:
    if msp.status != MspStatus.ACTIVE:
        raise ValidationError({"msp": [_("This multistakeholder pledge is closed.")]})
    if pledge.compact_id != msp.compact_id:
        raise ValidationError(
            {"msp": [_("This multistakeholder pledge is under the other compact.")]}
        )
    if pledge.review_state in CLOSED_STATES:
        raise TransitionNotAllowed(_("This pledge is closed."))
    if MultistakeholderMembership.objects.filter(
        msp=msp, pledge=pledge, state__in=CURRENT_STATES
    ).exists():
        raise ValidationError(
            {"msp": [_("This pledge is already a member, or has already asked to join.")]}
        )


def _create_membership(membership: MultistakeholderMembership, *, by: Any, reason: str) -> None:
    _attribute(membership, by=by, reason=reason)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:  # a concurrent request for the same pledge won the race
        raise ValidationError(
            {"msp": [_("This pledge is already a member, or has already asked to join.")]}
        ) from None


@transaction.atomic
def request_membership(
    *, msp: MultistakeholderPledge, pledge: Pledge, by: User, message: str = ""
) -> MultistakeholderMembership:
    """The pledge's entity asks to join; the leads (or the secretariat) accept or decline."""
    if not can_ask_to_join(by, pledge):
        raise PermissionDenied(_("Only the pledge's entity can ask to join for it."))
    message = _message(message)
    _check_joinable(msp, pledge)
    membership = MultistakeholderMembership(
        msp=msp,
        pledge=pledge,
        state=MembershipState.REQUESTED,
        origin=MembershipOrigin.REQUEST,
        requested_by=by,
        requested_at=timezone.now(),
        message=message,
    )
    _create_membership(membership, by=by, reason=message or _("Asked to join"))
    record_change(
        msp,
        action="partnerships.membership.requested",
        by=by,
        reason=message,
        data={"pledge": pledge.reference},
    )
    notifications.join_requested(membership)
    return membership


@transaction.atomic
def decide_membership(
    *, membership: MultistakeholderMembership, accept: bool, by: User, message: str = ""
) -> MultistakeholderMembership:
    """A lead entity's member (or the secretariat) accepts or declines a request."""
    locked = (
        MultistakeholderMembership.objects.select_for_update()
        .select_related("msp", "pledge")
        .get(pk=membership.pk)
    )
    _require_manager(locked.msp, by)
    if locked.state != MembershipState.REQUESTED:
        raise TransitionNotAllowed(_("This request has already been decided."))
    message = _message(message)
    locked.state = MembershipState.ACCEPTED if accept else MembershipState.DECLINED
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.message = message
    _attribute(locked, by=by, reason=message or locked.get_state_display())
    locked.save()
    record_change(
        locked.msp,
        action=f"partnerships.membership.{locked.state}",
        by=by,
        reason=message,
        data={"pledge": locked.pledge.reference},
    )
    if accept:
        _membership_counted(locked)
    notifications.membership_changed(locked)
    return locked


@transaction.atomic
def link_pledge(
    *, msp: MultistakeholderPledge, pledge: Pledge, by: User, message: str = ""
) -> MultistakeholderMembership:
    """The secretariat makes a pledge a member directly (e.g. announced as such at a forum)."""
    _require_secretariat(by)
    message = _message(message)
    _check_joinable(msp, pledge)
    now = timezone.now()
    membership = MultistakeholderMembership(
        msp=msp,
        pledge=pledge,
        state=MembershipState.ACCEPTED,
        origin=MembershipOrigin.SECRETARIAT,
        requested_by=by,
        requested_at=now,
        decided_by=by,
        decided_at=now,
        message=message,
    )
    _create_membership(membership, by=by, reason=message or _("Linked by the secretariat"))
    record_change(
        msp,
        action="partnerships.membership.linked",
        by=by,
        reason=message,
        data={"pledge": pledge.reference},
    )
    _membership_counted(membership)
    notifications.membership_changed(membership)
    return membership


@transaction.atomic
def remove_membership(
    *, membership: MultistakeholderMembership, by: User, message: str = ""
) -> MultistakeholderMembership:
    """End a current membership (or withdraw a request): the MSP's managers, or the pledge's
    entity for its own pledge. The row stays, as `removed`, with who and why."""
    locked = (
        MultistakeholderMembership.objects.select_for_update()
        .select_related("msp", "pledge")
        .get(pk=membership.pk)
    )
    manager = can_manage(by, locked.msp)
    if not (manager or is_active_member(by, locked.pledge.entity_id)):
        raise PermissionDenied(_("Only the pledge's entity or the managers can remove it."))
    if locked.state not in CURRENT_STATES:
        raise TransitionNotAllowed(_("This pledge is not a member."))
    message = _message(message)
    was_counted = locked.state == MembershipState.ACCEPTED
    locked.state = MembershipState.REMOVED
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.message = message
    _attribute(locked, by=by, reason=message or _("Removed"))
    locked.save()
    record_change(
        locked.msp,
        action="partnerships.membership.removed",
        by=by,
        reason=message,
        data={"pledge": locked.pledge.reference},
    )
    if was_counted:
        _membership_counted(locked)
    # The other side hears of it: the pledge's entity when a manager removed it, else the leads.
    if manager:
        notifications.membership_changed(locked)
    else:
        notifications.membership_withdrawn(locked)
    return locked


def _membership_counted(membership: MultistakeholderMembership) -> None:
    """An accepted membership began or ended: the MSP's figures and the pledge's sync change."""
    _touch_pledge(membership.pledge_id)
    feed_msps([membership.msp_id])
    if membership.pledge.review_state == ReviewState.PUBLISHED:
        mark_msps_stale([membership.msp_id])
