"""Writes of conversations: adding a comment (audited, notifying the other side)."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from core.audit import record_change
from notifications.delivery import Message
from notifications.models import Kind
from pledges.models import Pledge, PledgeUpdate
from pledges.notifications import member_recipients, secretariat_recipients, send
from pledges.workflow import is_active_member, is_secretariat

from .models import COMMENT_MAX_LENGTH, Comment


def thread_entity_id(pledge: Pledge, update: PledgeUpdate | None) -> int:
    """The entity on the other side of the secretariat: the one that reported the update, else
    the pledge's."""
    return update.entity_id if update is not None else pledge.entity_id


def may_converse(user: Any, pledge: Pledge, update: PledgeUpdate | None = None) -> bool:
    """The secretariat, and the active members of the thread's entity (and of the pledge's
    entity, on the thread of a co-pledger's update)."""
    if is_secretariat(user):
        return True
    entities = {pledge.entity_id, thread_entity_id(pledge, update)}
    return any(is_active_member(user, entity) for entity in entities)


def _thread_path(pledge: Pledge, update: PledgeUpdate | None) -> str:
    if update is not None:
        return reverse("conversations:update-thread", args=[update.pk])
    return reverse("conversations:pledge-thread", args=[pledge.reference])


@transaction.atomic
def add_comment(
    *, pledge: Pledge, by: Any, body: str, update: PledgeUpdate | None = None
) -> Comment:
    """Add a comment to the thread of `pledge` (or of its `update`) and tell the other side:
    the entity's members when the secretariat writes, the secretariat otherwise."""
    if update is not None and update.pledge_id != pledge.pk:
        raise ValidationError({"update": _("This progress update is not on this pledge.")})
    if not may_converse(by, pledge, update):
        raise PermissionDenied(_("Only the entity's members and the secretariat can comment."))
    text = (body or "").strip()
    if not text:
        raise ValidationError({"body": _("Write a comment.")})
    if len(text) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {
                "body": _("Keep the comment under %(max)d characters (it has %(n)d).")
                % {"max": COMMENT_MAX_LENGTH, "n": len(text)}
            }
        )
    from_secretariat = is_secretariat(by)
    comment = Comment.objects.create(
        pledge=pledge, update=update, author=by, from_secretariat=from_secretariat, body=text
    )
    # On the comment itself, not the pledge: the pledge's audit trail is partly public.
    record_change(
        comment,
        action="conversations.comment.added",
        by=by,
        data={"pledge": pledge.pk, "update": update.pk if update else None},
    )
    if from_secretariat:
        recipients = member_recipients(thread_entity_id(pledge, update))
    else:
        recipients = secretariat_recipients()
    recipients = [r for r in recipients if r.user_id != by.pk]
    path = _thread_path(pledge, update)

    def compose() -> Message:
        values = {"ref": pledge.reference}
        if update is not None:
            values["date"] = update.reported_on.isoformat()
            if from_secretariat:
                subject = _(
                    "The secretariat commented on your progress update of %(date)s on %(ref)s"
                )
            else:
                subject = _("New comment on the progress update of %(date)s on %(ref)s")
        elif from_secretariat:
            subject = _("The secretariat commented on your pledge %(ref)s")
        else:
            subject = _("New comment on pledge %(ref)s")
        body_ = _("%(author)s wrote:") % {"author": by.get_full_name()} + "\n\n" + text
        return Message(subject % values, body_, path, _("Read and answer"))

    send(recipients, compose, kind=Kind.COMMENT)
    return comment
