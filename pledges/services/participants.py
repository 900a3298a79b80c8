"""Co-pledgers: inviting another entity onto a pledge, its answer, and removing it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record_change

from .. import notifications
from ..exceptions import TransitionNotAllowed
from ..models import (
    Entity,
    ParticipantRole,
    ParticipantStatus,
    Pledge,
    PledgeParticipant,
)
from ..workflow import (
    is_active_member,
)
from .common import (
    _require_pledge_editor,
    _touch,
)

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def invite_participant(
    *, pledge: Pledge, entity: Entity, by: User, role: str = ParticipantRole.CO_PLEDGER
) -> PledgeParticipant:
    """Invite another entity to co-pledge; its members accept or decline. Only verified
    entities can be invited: an unverified one is only a claim somebody typed in, and
    accepting would put that claim on the pledge."""
    _require_pledge_editor(pledge, by)
    if entity.pk == pledge.entity_id:
        raise ValidationError({"entity": [_("The submitting entity is already on the pledge.")]})
    if not entity.is_verified:
        raise ValidationError(
            {
                "entity": [
                    _(
                        "%(entity)s has not been verified by the secretariat yet; it can be "
                        "invited once it is."
                    )
                    % {"entity": entity.name}
                ]
            }
        )
    if role not in ParticipantRole.values:
        raise ValidationError({"role": [_("Choose a valid role.")]})
    try:
        with transaction.atomic():
            participant = PledgeParticipant.objects.create(pledge=pledge, entity=entity, role=role)
    except IntegrityError:
        raise ValidationError(
            {"entity": [_("%(entity)s is already invited.") % {"entity": entity.name}]}
        ) from None
    record_change(
        pledge,
        action="pledges.participant.invited",
        by=by,
        data={"entity": entity.pk, "role": role},
    )
    _touch(pledge.pk)
    notifications.invitation(participant)
    return participant


@transaction.atomic
def respond_to_invitation(
    *, participant: PledgeParticipant, accept: bool, by: User
) -> PledgeParticipant:
    """The invited entity accepts or declines co-pledging."""
    locked = PledgeParticipant.objects.select_for_update().get(pk=participant.pk)
    if not is_active_member(by, locked.entity_id):
        raise PermissionDenied(_("Only members of the invited entity can answer."))
    if locked.status != ParticipantStatus.INVITED:
        raise TransitionNotAllowed(_("This invitation has already been answered."))
    locked.status = ParticipantStatus.ACCEPTED if accept else ParticipantStatus.DECLINED
    locked.responded_at = timezone.now()
    locked.save(update_fields=["status", "responded_at", "updated_at"])
    record_change(
        locked.pledge,
        action=f"pledges.participant.{locked.status}",
        by=by,
        data={"entity": locked.entity_id},
    )
    _touch(locked.pledge_id)
    notifications.invitation_answered(locked)
    return locked


@transaction.atomic
def remove_participant(*, participant: PledgeParticipant, by: User) -> None:
    """Take a co-pledging entity (or its invitation) off the pledge."""
    _require_pledge_editor(participant.pledge, by)
    record_change(
        participant.pledge,
        action="pledges.participant.removed",
        by=by,
        data={"entity": participant.entity_id},
    )
    participant.delete()
    _touch(participant.pledge_id)
