"""Notifications about review decisions, submissions, invitations and entities, delivered by the
notifications app (`notifications.delivery.deliver`): in the tracker, and by e-mail as text and
HTML after the transaction commits, each recipient in their preferred language
(`User.language`) and by their preferred channel for the kind.

Each subject says what happened and to what ("Your pledge GRF27-00001 was published"); each
message links to the page to act on, reversed in the recipient's language.
"""

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.delivery import Message, Recipient, deliver
from notifications.models import Kind

from .models import (
    Entity,
    Membership,
    MembershipStatus,
    Pledge,
    PledgeParticipant,
    PledgeUpdate,
    ReviewState,
    UpdateReviewState,
)

__all__ = ["Message", "Recipient", "member_recipients", "secretariat_recipients", "send"]

Compose = Callable[[], Message]


def member_recipients(entity_id: int) -> list[Recipient]:
    """The active members of an entity, in their languages."""
    return [
        Recipient(email, language, user_id)
        for email, language, user_id in Membership.objects.filter(
            entity_id=entity_id, status=MembershipStatus.ACTIVE, user__is_active=True
        ).values_list("user__email", "user__language", "user_id")
    ]


def secretariat_recipients() -> list[Recipient]:
    """Everybody who reviews pledges (the permission, through a group or directly)."""
    perm = Q(groups__permissions__codename="review_pledge") | Q(
        user_permissions__codename="review_pledge"
    )
    return [
        Recipient(email, language, pk)
        for email, language, pk in get_user_model()
        .objects.filter(is_active=True)
        .filter(perm | Q(is_superuser=True))
        .values_list("email", "language", "pk")
        .distinct()
    ]


def send(recipients: list[Recipient], compose: Compose, *, kind: str) -> None:
    deliver(recipients, kind=kind, compose=compose)


def pledge_path(pledge: Pledge, anchor: str = "") -> str:
    url = reverse("pledges:pledge-detail", args=[pledge.reference])
    return f"{url}#{anchor}" if anchor else url


def _with_reason(body: str, reason: str) -> str:
    if reason:
        body += "\n\n" + _("Reason given by the secretariat:") + "\n" + reason
    return body


def _decision_subject(pledge: Pledge) -> str:
    ref = {"ref": pledge.reference}
    subjects: dict[str, str] = {
        ReviewState.PUBLISHED: _("Your pledge %(ref)s was published"),
        ReviewState.CHANGES_REQUESTED: _("Changes requested to your pledge %(ref)s"),
        ReviewState.REJECTED: _("Your pledge %(ref)s was rejected"),
        ReviewState.SUPERSEDED: _("Your pledge %(ref)s was marked as superseded"),
    }
    subject = subjects.get(pledge.review_state)
    if subject is None:
        return _("Your pledge %(ref)s is now: %(state)s") % {
            **ref,
            "state": pledge.get_review_state_display(),
        }
    return subject % ref


def review_decision(pledge: Pledge, *, transition: Any, reason: str) -> None:
    def compose() -> Message:
        body = _("Your pledge “%(title)s” (%(ref)s) is now: %(state)s.") % {
            "title": pledge.title,
            "ref": pledge.reference,
            "state": pledge.get_review_state_display(),
        }
        if pledge.review_state == ReviewState.CHANGES_REQUESTED:
            path, action = (
                reverse("pledges:pledge-edit", args=[pledge.reference]),
                _("Edit the pledge"),
            )
        else:
            path, action = pledge_path(pledge), _("Open the pledge")
        return Message(_decision_subject(pledge), _with_reason(body, reason), path, action)

    send(member_recipients(pledge.entity_id), compose, kind=Kind.DECISION)


def new_submission(pledge: Pledge) -> None:
    def compose() -> Message:
        subject = _("Pledge %(ref)s of %(entity)s was submitted for review") % {
            "ref": pledge.reference,
            "entity": pledge.entity.name,
        }
        body = _("%(entity)s submitted “%(title)s” (%(ref)s) for review.") % {
            "entity": pledge.entity.name,
            "title": pledge.title,
            "ref": pledge.reference,
        }
        path = reverse("pledges:review-decision", args=[pledge.reference])
        return Message(subject, body, path, _("Review the pledge"))

    send(secretariat_recipients(), compose, kind=Kind.REVIEW)


def new_update(update: PledgeUpdate) -> None:
    pledge = update.pledge

    def compose() -> Message:
        subject = _("%(entity)s reported progress on pledge %(ref)s") % {
            "ref": pledge.reference,
            "entity": update.entity.name,
        }
        body = _("%(entity)s reported progress on “%(title)s” (%(ref)s).") % {
            "entity": update.entity.name,
            "title": pledge.title,
            "ref": pledge.reference,
        }
        path = reverse("pledges:update-review", args=[update.pk])
        return Message(subject, body, path, _("Review the progress update"))

    send(secretariat_recipients(), compose, kind=Kind.REVIEW)


def update_decision(update: PledgeUpdate, *, transition: Any, reason: str) -> None:
    pledge = update.pledge

    def compose() -> Message:
        values = {"ref": pledge.reference, "date": update.reported_on.isoformat()}
        if update.review_state == UpdateReviewState.APPROVED:
            subject = _("Your progress update of %(date)s on pledge %(ref)s was approved")
        else:
            subject = _("Your progress update of %(date)s on pledge %(ref)s was returned")
        body = _("Your progress update of %(date)s on “%(title)s” is now: %(state)s.") % {
            "date": update.reported_on.isoformat(),
            "title": pledge.title,
            "state": update.get_review_state_display(),
        }
        if update.review_state == UpdateReviewState.RETURNED:
            path = reverse("pledges:update-create", args=[pledge.reference])
            action = _("Report progress again")
        else:
            path, action = pledge_path(pledge), _("Open the pledge")
        return Message(subject % values, _with_reason(body, reason), path, action)

    # The entity that reported: a co-pledger's members hear about their own update.
    send(member_recipients(update.entity_id), compose, kind=Kind.DECISION)


def co_pledger_update(update: PledgeUpdate) -> None:
    """Tell the lead entity's members that a co-pledging entity reported on their pledge."""
    pledge = update.pledge

    def compose() -> Message:
        subject = _("Co-pledger %(entity)s reported progress on your pledge %(ref)s") % {
            "ref": pledge.reference,
            "entity": update.entity.name,
        }
        body = _(
            "%(entity)s, which co-pledges “%(title)s” (%(ref)s), submitted a progress update "
            "of %(date)s. The secretariat will review it; it appears on the pledge's page."
        ) % {
            "entity": update.entity.name,
            "title": pledge.title,
            "ref": pledge.reference,
            "date": update.reported_on.isoformat(),
        }
        return Message(subject, body, pledge_path(pledge), _("Open the pledge"))

    send(member_recipients(pledge.entity_id), compose, kind=Kind.INVITATION)


def invitation(participant: PledgeParticipant) -> None:
    pledge = participant.pledge

    def compose() -> Message:
        subject = _("%(entity)s invites you to co-pledge %(ref)s") % {
            "ref": pledge.reference,
            "entity": pledge.entity.name,
        }
        body = _("%(entity)s invites you to join the pledge “%(title)s” (%(ref)s).") % {
            "entity": pledge.entity.name,
            "title": pledge.title,
            "ref": pledge.reference,
        }
        body += "\n\n" + _("Accept or decline the invitation on the pledge's page.")
        return Message(subject, body, pledge_path(pledge, "participants"), _("Accept or decline"))

    send(member_recipients(participant.entity_id), compose, kind=Kind.INVITATION)


def invitation_answered(participant: PledgeParticipant) -> None:
    """Tell the inviting entity whether the invited one accepted."""
    pledge = participant.pledge

    def compose() -> Message:
        values = {"entity": participant.entity.name, "ref": pledge.reference}
        if participant.status == "accepted":
            subject = _("%(entity)s accepted to co-pledge %(ref)s") % values
        else:
            subject = _("%(entity)s declined to co-pledge %(ref)s") % values
        return Message(subject, subject + ".", pledge_path(pledge, "participants"))

    send(member_recipients(pledge.entity_id), compose, kind=Kind.INVITATION)


def entity_registered(entity: Entity) -> None:
    def compose() -> Message:
        subject = _("New entity to verify: %(name)s") % {"name": entity.name}
        return Message(subject, subject, reverse("pledges:entity-admin-queue"), _("Verify"))

    send(secretariat_recipients(), compose, kind=Kind.ENTITY)


def entity_verified(entity: Entity) -> None:
    def compose() -> Message:
        subject = _("%(name)s is verified") % {"name": entity.name}
        body = _(
            "The secretariat has verified %(name)s. Its pledges can now be submitted for review, "
            "and are published once the secretariat approves them."
        ) % {"name": entity.name}
        return Message(subject, body, reverse("pledges:my-pledges"), _("Open your pledges"))

    send(member_recipients(entity.pk), compose, kind=Kind.ENTITY)


def entity_declined(entity: Entity) -> None:
    def compose() -> Message:
        subject = _("%(name)s was not verified") % {"name": entity.name}
        body = _("The secretariat declined the registration of %(name)s.") % {"name": entity.name}
        body += "\n\n" + _("Reason given by the secretariat:") + "\n" + entity.decline_reason
        return Message(subject, body, reverse("pledges:my-entities"))

    send(member_recipients(entity.pk), compose, kind=Kind.ENTITY)


def entity_unverified(entity: Entity, *, reason: str) -> None:
    def compose() -> Message:
        subject = _("%(name)s is no longer verified") % {"name": entity.name}
        body = _(
            "The secretariat has withdrawn the verification of %(name)s. It and its pledges are "
            "no longer shown publicly; its published pledges are suspended until the secretariat "
            "verifies it again, which publishes them again."
        ) % {"name": entity.name}
        body += "\n\n" + _("Reason given by the secretariat:") + "\n" + reason
        return Message(subject, body, reverse("pledges:my-entities"))

    send(member_recipients(entity.pk), compose, kind=Kind.ENTITY)


def membership_requested(membership: Membership) -> None:
    def compose() -> Message:
        subject = _("%(user)s asks to join %(entity)s") % {
            "user": membership.user.email,
            "entity": membership.entity.name,
        }
        return Message(subject, subject, reverse("pledges:entity-admin-queue"))

    send(secretariat_recipients(), compose, kind=Kind.ENTITY)


def membership_decision(membership: Membership) -> None:
    def compose() -> Message:
        subject = _("Your request to join %(entity)s: %(status)s") % {
            "entity": membership.entity.name,
            "status": membership.get_status_display(),
        }
        return Message(subject, subject, reverse("pledges:my-entities"))

    user = membership.user
    send([Recipient(user.email, user.language, user.pk)], compose, kind=Kind.ENTITY)
