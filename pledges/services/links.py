"""Links between pledges (supersedes, duplicate of), and the secretariat's "duplicate of"
verdict. Matches between a seeking and an offering pledge are the `matching` app's two-sided
matches, and contributing to a multistakeholder pledge is a membership (`partnerships`): neither
is a link any more."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.audit import record_change

from ..models import (
    LinkKind,
    Pledge,
    PledgeLink,
)
from ..workflow import is_secretariat
from .common import (
    _checked_reason,
    _require_pledge_editor,
    _touch,
)

if TYPE_CHECKING:
    from accounts.models import User

# The kind of link that joining a multistakeholder pledge replaced (pledges 0020).
FORMER_CONTRIBUTES_TO = "contributes_to"


@transaction.atomic
def link_pledges(*, source: Pledge, target: Pledge, kind: str, by: User) -> PledgeLink:
    """Relate one pledge to another (supersedes, duplicate of)."""
    _require_pledge_editor(source, by)
    if kind == FORMER_CONTRIBUTES_TO:  # a partner's habit from before; say where it went
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
    _touch(source.pk, target.pk)  # both show the link (`links` and `linked_from`)
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
    _touch(link.source_id, link.target_id)


# The secretariat's verdict that a pledge repeats another one. A link like the others (so the
# pledge page, the API and sync show it), but set and removed by reviewers only, with a reason.


def _require_reviewer(by: User) -> None:
    if not is_secretariat(by):
        raise PermissionDenied(_("Only the secretariat can mark a pledge as a duplicate."))


@transaction.atomic
def mark_duplicate(*, pledge: Pledge, target_reference: str, by: User, reason: str) -> PledgeLink:
    """Record that `pledge` is a duplicate of the pledge with `target_reference`. A pledge is a
    duplicate of at most one other; refusals (unknown or invisible pledge, itself, a pledge
    already marked as a duplicate of this one, no reason) change nothing."""
    _require_reviewer(by)
    reason = _checked_reason(reason, needed=True)
    reference = target_reference.strip().upper()
    # Locks the pledge's row: two reviewers marking it at once are served one after the other.
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    target = Pledge.objects.visible_to(by).filter(reference=reference).first()
    if target is None:
        raise ValidationError({"target": [_("No pledge with that reference.")]})
    if target.pk == pledge.pk:
        raise ValidationError({"target": [_("A pledge cannot be a duplicate of itself.")]})
    current = duplicate_link(pledge)
    if current is not None:
        raise ValidationError(
            {
                "target": [
                    _(
                        "%(reference)s is already marked as a duplicate of %(target)s: "
                        "remove that first."
                    )
                    % {"reference": pledge.reference, "target": current.target.reference}
                ]
            }
        )
    if PledgeLink.objects.filter(source=target, target=pledge, kind=LinkKind.DUPLICATE_OF).exists():
        raise ValidationError(
            {
                "target": [
                    _("%(target)s is marked as a duplicate of %(reference)s.")
                    % {"reference": pledge.reference, "target": target.reference}
                ]
            }
        )
    link = PledgeLink.objects.create(source=pledge, target=target, kind=LinkKind.DUPLICATE_OF)
    record_change(
        pledge,
        action="pledges.duplicate.marked",
        by=by,
        reason=reason,
        data={"target": target.reference, "kind": LinkKind.DUPLICATE_OF},
    )
    _touch(pledge.pk, target.pk)
    return link


@transaction.atomic
def unmark_duplicate(*, pledge: Pledge, by: User, reason: str) -> None:
    """Take back the verdict that `pledge` is a duplicate (refused when it is not marked)."""
    _require_reviewer(by)
    reason = _checked_reason(reason, needed=True)
    link = (
        PledgeLink.objects.select_for_update()
        .filter(source=pledge, kind=LinkKind.DUPLICATE_OF)
        .select_related("target")
        .first()
    )
    if link is None:
        raise ValidationError(
            {
                "target": [
                    _("%(reference)s is not marked as a duplicate.")
                    % {"reference": pledge.reference}
                ]
            }
        )
    record_change(
        pledge,
        action="pledges.duplicate.unmarked",
        by=by,
        reason=reason,
        data={"target": link.target.reference, "kind": LinkKind.DUPLICATE_OF},
    )
    link.delete()
    _touch(pledge.pk, link.target_id)


def duplicate_link(pledge: Pledge) -> PledgeLink | None:
    """The pledge's "duplicate of" link, if it has one."""
    return (
        PledgeLink.objects.filter(source=pledge, kind=LinkKind.DUPLICATE_OF)
        .select_related("target")
        .first()
    )
