"""Memberships: who acts for an entity (a request and its decision, or the secretariat's add)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.audit import record_change

from .. import notifications
from ..exceptions import TransitionNotAllowed
from ..models import (
    Entity,
    Membership,
    MembershipRole,
    MembershipStatus,
)
from ..workflow import (
    is_secretariat,
)

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def request_membership(*, user: User, entity: Entity) -> Membership:
    """Ask to act for an existing entity; the secretariat approves or declines."""
    membership, created = Membership.objects.select_for_update().get_or_create(
        user=user, entity=entity
    )
    if not created:
        if membership.status == MembershipStatus.ACTIVE:
            raise ValidationError(
                {"entity": [_("You already act for %(entity)s.") % {"entity": entity.name}]}
            )
        if membership.status == MembershipStatus.PENDING:
            raise ValidationError(
                {
                    "entity": [
                        _("Your request to join %(entity)s is pending.") % {"entity": entity.name}
                    ]
                }
            )
        membership.status = MembershipStatus.PENDING
        membership.save(update_fields=["status", "updated_at"])
    record_change(membership, action="pledges.membership.requested", by=user)
    notifications.membership_requested(membership)
    return membership


@transaction.atomic
def decide_membership(*, membership: Membership, approve: bool, by: User) -> Membership:
    if not is_secretariat(by):
        raise PermissionDenied(_("Only the secretariat approves memberships."))
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if locked.status != MembershipStatus.PENDING:
        raise TransitionNotAllowed(_("This request has already been decided."))
    locked.status = MembershipStatus.ACTIVE if approve else MembershipStatus.DECLINED
    locked.save(update_fields=["status", "updated_at"])
    record_change(locked, action=f"pledges.membership.{locked.status}", by=by)
    notifications.membership_decision(locked)
    return locked


@transaction.atomic
def add_member(*, entity: Entity, user: User, role: str, by: User) -> Membership:
    """The secretariat makes `user` an active member of `entity` at once (the admin's
    membership inline): no request to decide, so the audit entry says who added them, and they
    get the e-mail of an approved request."""
    if not is_secretariat(by):
        raise PermissionDenied(_("Only the secretariat adds members."))
    if role not in MembershipRole.values:
        raise ValidationError({"role": [_("Choose a valid role.")]})
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user, entity=entity, role=role, status=MembershipStatus.ACTIVE
            )
    except IntegrityError:
        raise ValidationError(
            {
                "user": [
                    _("%(user)s already acts for, or has asked to join, %(entity)s.")
                    % {"user": user, "entity": entity.name}
                ]
            }
        ) from None
    record_change(membership, action="pledges.membership.added", by=by, data={"role": role})
    notifications.membership_decision(membership)
    return membership
