"""Entities: registration (refusing look-alike names), corrections of their particulars, and the
secretariat's verification or decline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record_change, record_changes
from core.models import Country

from .. import notifications
from ..exceptions import LookalikeName, TransitionNotAllowed
from ..models import (
    Entity,
    EntityType,
    Membership,
    MembershipRole,
    MembershipStatus,
    ParticipantStatus,
    Pledge,
    ReviewState,
    UpdateReviewState,
)
from ..names import MAX_SKELETON_BYTES, cased_name_skeleton, name_skeleton
from ..progress_marks import progress_changed
from ..search_context import refresh_context_search
from ..workflow import (
    is_secretariat,
)
from .common import (
    _attribute_history,
    _check_storable,
    _checked_reason,
    _touch,
)
from .feed import feed_entities, feed_pledges, feed_updates
from .updates import refresh_implementation_status

if TYPE_CHECKING:
    from accounts.models import User


# Longest reason the secretariat may give for declining a registration (the form's limit too).
DECLINE_REASON_MAX_LENGTH = 2000


def _lookalike_refusal(existing: Entity, by: User) -> LookalikeName:
    """Refuse a name that looks like `existing`'s, saying only what `by` may know: an
    unverified entity is only a claim, so its name is not shown to others."""
    own = Membership.objects.filter(
        user=by, entity=existing, status=MembershipStatus.ACTIVE
    ).exists()
    if existing.is_verified:
        message = _(
            "“%(existing)s” is already registered, and this name looks the same. Ask to join "
            "it instead of registering it again."
        ) % {"existing": existing.name}
    elif own:
        message = _(
            "You have already registered “%(existing)s”, whose name looks the same; it is "
            "awaiting verification by the secretariat."
        ) % {"existing": existing.name}
    else:
        message = _(
            "An entity whose name looks the same is already registered and awaiting "
            "verification by the secretariat. If it is yours, ask its registrant to add you "
            "once it is verified, or write to the secretariat."
        )
    return LookalikeName({"name": [message]}, existing=existing, own=own)


def checked_entity_name(name: str, *, by: User, entity: Entity | None = None) -> str:
    """The name, spaces normalised, if it is storable and looks like no other live entity's
    (`entity` itself aside); else ValidationError (LookalikeName) on `name`."""
    name = " ".join(name.split())
    skeleton, cased = name_skeleton(name), cased_name_skeleton(name)
    if not skeleton:
        raise ValidationError({"name": [_("Enter the entity's name.")]})
    if max(len(skeleton.encode()), len(cased.encode())) > MAX_SKELETON_BYTES:
        raise ValidationError({"name": [_("This name is too long.")]})
    others = Entity.objects.looking_like(name)
    if entity is not None:
        others = others.exclude(pk=entity.pk)
    existing = others.first()
    if existing is not None:
        raise _lookalike_refusal(existing, by)
    return name


@transaction.atomic
def register_entity(
    *,
    by: User,
    name: str,
    entity_type: EntityType,
    country: Country | None = None,
    acronym: str = "",
    website: str = "",
    description: str = "",
) -> Entity:
    """Register a new entity. Its registrant acts for it at once and may draft pledges; none
    can be submitted for review (nor published) until the secretariat verifies it.

    A name that looks like a live entity's (same `pledges.names` skeleton, any type: a Cyrillic
    "о", a zero-width space or another case does not make a new entity) is refused with
    `LookalikeName`, which names the existing entity only if `by` may know it."""
    name = checked_entity_name(name, by=by)
    skeleton, cased = name_skeleton(name), cased_name_skeleton(name)
    try:
        # A savepoint, so that a look-alike registered concurrently (the unique index on the
        # skeleton) becomes the same refusal instead of a broken transaction.
        with transaction.atomic():
            entity = Entity.objects.create(
                name=name,
                name_skeleton=skeleton,
                cased_name_skeleton=cased,
                entity_type=entity_type,
                country=country,
                acronym=acronym.strip(),
                website=website,
                description=description,
            )
    except IntegrityError:
        existing = Entity.objects.looking_like(name).first()
        if existing is None:
            raise
        raise _lookalike_refusal(existing, by) from None
    Membership.objects.create(
        user=by, entity=entity, role=MembershipRole.FOCAL_POINT, status=MembershipStatus.ACTIVE
    )
    record_change(entity, action="pledges.entity.registered", by=by)
    notifications.entity_registered(entity)
    return entity


# What a correction may change (verification and decline have their own services).
ENTITY_FIELDS = frozenset({"name", "acronym", "entity_type", "country", "website", "description"})
# What the pledges' searchable context (`pledges.search_context`) reads of their entity.
SEARCHED_FIELDS = frozenset({"name", "acronym"})


@transaction.atomic
def update_entity(*, entity: Entity, changes: dict[str, Any], by: User) -> Entity:
    """Correct an entity's particulars (the admin's change form). A new name is checked like a
    registration's (look-alikes refused, skeletons kept in step); a new name or acronym is
    stored into the searchable context of the entity's pledges, which also change for
    incremental sync (they show it). Audited with the fields changed."""
    if not by.has_perm("pledges.change_entity"):
        raise PermissionDenied(_("You may not change entities."))
    unknown = set(changes) - ENTITY_FIELDS
    if unknown:
        raise ValueError(f"not a correctable field: {sorted(unknown)}")
    locked = Entity.objects.select_for_update().get(pk=entity.pk)
    if "name" in changes:
        changes = {**changes, "name": checked_entity_name(changes["name"], by=by, entity=locked)}
        locked.name_skeleton = name_skeleton(changes["name"])
        locked.cased_name_skeleton = cased_name_skeleton(changes["name"])
    if "acronym" in changes:
        changes = {**changes, "acronym": (changes["acronym"] or "").strip()}
    changed = sorted(f for f, value in changes.items() if getattr(locked, f) != value)
    if not changed:
        return locked
    for field, value in changes.items():
        setattr(locked, field, value)
    try:
        with transaction.atomic():  # a look-alike renamed concurrently: the same refusal
            locked.save()
    except IntegrityError:
        existing = Entity.objects.looking_like(locked.name).exclude(pk=locked.pk).first()
        if existing is None:
            raise
        raise _lookalike_refusal(existing, by) from None
    record_change(locked, action="pledges.entity.updated", by=by, data={"fields": changed})
    if SEARCHED_FIELDS & set(changed):
        pledge_ids = list(locked.pledges.values_list("pk", flat=True))
        refresh_context_search(pledge_ids)
        _touch(*pledge_ids)
    feed_entities([locked.pk])
    return locked


def _lock_undecided_entity(entity: Entity) -> Entity:
    locked = Entity.objects.select_for_update().get(pk=entity.pk)
    if locked.is_verified:
        raise TransitionNotAllowed(_("%(entity)s is already verified.") % {"entity": locked.name})
    if locked.is_declined:
        raise TransitionNotAllowed(_("%(entity)s was declined.") % {"entity": locked.name})
    return locked


@transaction.atomic
def verify_entity(*, entity: Entity, by: User) -> Entity:
    """The secretariat confirms the entity is who it says; its members are e-mailed."""
    if not is_secretariat(by):
        raise PermissionDenied(_("Only the secretariat verifies entities."))
    locked = _lock_undecided_entity(entity)
    locked.is_verified = True
    locked.verified_at = timezone.now()
    locked.save(update_fields=["is_verified", "verified_at", "updated_at"])
    # Verified again after a withdrawal: the pledges it suspended are published again.
    _move_pledges(
        locked,
        ReviewState.SUSPENDED,
        ReviewState.PUBLISHED,
        by=by,
        reason=_("Entity verified again"),
    )
    _touch_co_pledgings(locked)
    record_change(locked, action="pledges.entity.verified", by=by)
    feed_entities([locked.pk])
    notifications.entity_verified(locked)
    return locked


def _touch_co_pledgings(entity: Entity) -> None:
    """Its accepted co-pledgings appear or disappear with its verification (only verified
    co-pledgers are shown): each of those pledges shows one co-pledger more or fewer, which
    incremental sync and webhooks must see."""
    pledge_ids = entity.participations.filter(status=ParticipantStatus.ACCEPTED).values_list(
        "pledge_id", flat=True
    )
    _touch(*pledge_ids)
    # The updates it reported on those pledges speak in its name: public only while verified,
    # and so is the implementation status its latest one gave each pledge, and the money and
    # achieved values they add to the progress figures (the engine reads verified reporters'
    # updates only: its pledges are marked for the next run).
    reported = entity.pledge_updates.exclude(pledge__entity=entity)
    feed_updates(reported.values_list("pk", flat=True))
    counted = sorted(
        reported.filter(review_state=UpdateReviewState.APPROVED)
        .values_list("pledge_id", flat=True)
        .distinct()
    )
    for pledge_id in counted:
        refresh_implementation_status(pledge_id)
    if counted:
        progress_changed(
            counted,
            Pledge.objectives.through.objects.filter(pledge_id__in=counted).values_list(
                "objective_id", flat=True
            ),
        )


def _move_pledges(entity: Entity, source: str, target: str, *, by: User, reason: str) -> None:
    """Move the entity's pledges in `source` to `target` (suspension and reinstatement: not
    review transitions, nobody chooses them per pledge), each with a history version and an
    audit entry, their objectives' figures marked stale and the change feed told (which
    announces `pledge.removed` or `pledge.published`)."""
    pledges = list(
        Pledge.objects.select_for_update().filter(entity=entity, review_state=source).order_by("pk")
    )
    if not pledges:
        return
    for pledge in pledges:
        pledge.review_state = target
        pledge.version += 1
        _attribute_history(pledge, by=by, reason=reason)
        pledge.save(update_fields=["review_state", "version", "updated_at"])
    ids = [pledge.pk for pledge in pledges]
    progress_changed(
        ids,
        Pledge.objectives.through.objects.filter(pledge_id__in=ids).values_list(
            "objective_id", flat=True
        ),
    )
    action = f"pledges.pledge.{'suspended' if target == ReviewState.SUSPENDED else 'reinstated'}"
    record_changes(
        ((pledge, action, {"from": source, "to": target}) for pledge in pledges),
        by=by,
        reason=reason,
    )
    feed_pledges(ids)


@transaction.atomic
def unverify_entity(*, entity: Entity, reason: str, by: User) -> Entity:
    """The secretariat withdraws an entity's verification (it was not who it said, or it
    ceased to exist). The entity leaves the public record with everything public under it:
    its published pledges are suspended (with their approved updates), its co-pledgings are no
    longer shown; the change feed records the removals as `entity_unverified` and webhooks
    announce them. It returns to the verification queue; verifying it again publishes the
    suspended pledges again. Its members are told, with the reason."""
    if not is_secretariat(by):
        raise PermissionDenied(_("Only the secretariat withdraws the verification of entities."))
    reason = _checked_reason(reason, needed=True)
    try:
        ProhibitNullCharactersValidator()(reason)
    except ValidationError as error:
        raise ValidationError({"reason": error.messages}) from None
    locked = Entity.objects.select_for_update().get(pk=entity.pk)
    if not locked.is_verified:
        raise TransitionNotAllowed(_("%(entity)s is not verified.") % {"entity": locked.name})
    locked.is_verified = False
    locked.verified_at = None
    locked.save(update_fields=["is_verified", "verified_at", "updated_at"])
    _move_pledges(
        locked,
        ReviewState.PUBLISHED,
        ReviewState.SUSPENDED,
        by=by,
        reason=_("Entity verification withdrawn: %(reason)s") % {"reason": reason},
    )
    _touch_co_pledgings(locked)
    record_change(locked, action="pledges.entity.unverified", by=by, reason=reason)
    feed_entities([locked.pk])
    notifications.entity_unverified(locked, reason=reason)
    return locked


@transaction.atomic
def decline_entity(*, entity: Entity, reason: str, by: User) -> Entity:
    """The secretariat refuses a registration (an impostor, a duplicate, not a pledging
    actor). The entity leaves the queue and frees its name; its members see the reason on
    their entities page and are e-mailed it."""
    if not is_secretariat(by):
        raise PermissionDenied(_("Only the secretariat declines entities."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Give a reason: the registrant will see it.")]})
    if len(reason) > DECLINE_REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": [
                    _("Keep the reason under %(limit)d characters.")
                    % {"limit": DECLINE_REASON_MAX_LENGTH}
                ]
            }
        )
    errors: dict[str, list[str]] = {}
    _check_storable(
        Entity,
        {"decline_reason": reason},
        lambda f, m: errors.setdefault(f, []).append(m),
        report_as="reason",
    )
    if errors:
        raise ValidationError(errors)
    locked = _lock_undecided_entity(entity)
    locked.declined_at = timezone.now()
    locked.decline_reason = reason
    locked.save(update_fields=["declined_at", "decline_reason", "updated_at"])
    record_change(locked, action="pledges.entity.declined", by=by, reason=reason)
    notifications.entity_declined(locked)
    return locked
