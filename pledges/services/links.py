"""Links between pledges (matches, supersedes, duplicate of). Contributing to a multistakeholder
pledge is no longer a link: a pledge joins one as a member (`partnerships.services`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.audit import record_change

from ..models import (
    LinkKind,
    Pledge,
    PledgeLink,
)
from .common import (
    _require_pledge_editor,
    _touch,
)

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def link_pledges(*, source: Pledge, target: Pledge, kind: str, by: User) -> PledgeLink:
    """Relate one pledge to another (matches, supersedes, duplicate of)."""
    _require_pledge_editor(source, by)
    # `contributes_to` stays a stored value until LinkKind drops it; new ones are refused.
    if kind == LinkKind.CONTRIBUTES_TO:
        raise ValidationError(
            {
                "kind": [
                    _(
                        "To contribute to a multistakeholder pledge, ask to join it as a member "
                        "instead."
                    )
                ]
            }
        )
    if kind not in LinkKind.values:
        raise ValidationError({"kind": [_("Choose a valid kind of link.")]})
    if source.pk == target.pk:
        raise ValidationError({"target": [_("A pledge cannot be linked to itself.")]})
    if not Pledge.objects.visible_to(by).filter(pk=target.pk).exists():
        raise ValidationError({"target": [_("No pledge with that reference.")]})
    try:
        with transaction.atomic():
            link = PledgeLink.objects.create(source=source, target=target, kind=kind)
    except IntegrityError:
        raise ValidationError({"target": [_("These pledges are already linked so.")]}) from None
    record_change(
        source,
        action="pledges.link.created",
        by=by,
        data={"target": target.reference, "kind": kind},
    )
    _touch(source.pk)
    return link


@transaction.atomic
def unlink_pledges(*, link: PledgeLink, by: User) -> None:
    """Remove a link from the source pledge (its page and sync show the change)."""
    _require_pledge_editor(link.source, by)
    record_change(
        link.source,
        action="pledges.link.removed",
        by=by,
        data={"target": link.target.reference, "kind": link.kind},
    )
    link.delete()
    _touch(link.source_id)
