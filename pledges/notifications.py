"""E-mails about review decisions and submissions, sent after the transaction commits (a rolled
back decision must not be announced). They go through Django's e-mail backend: the console by
default, SMTP when EMAIL_URL is set."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from .models import Entity, Membership, MembershipStatus, Pledge, PledgeParticipant, PledgeUpdate


def _member_emails(entity_id: int) -> list[str]:
    return list(
        Membership.objects.filter(
            entity_id=entity_id, status=MembershipStatus.ACTIVE, user__is_active=True
        ).values_list("user__email", flat=True)
    )


def _secretariat_emails() -> list[str]:
    perm = Q(groups__permissions__codename="review_pledge") | Q(
        user_permissions__codename="review_pledge"
    )
    return list(
        get_user_model()
        .objects.filter(is_active=True)
        .filter(perm | Q(is_superuser=True))
        .values_list("email", flat=True)
        .distinct()
    )


def _send(recipients: Iterable[str], subject: str, body: str) -> None:
    recipients = sorted(set(recipients))
    if not recipients:
        return
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [to]) for to in recipients]
    transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False))


def review_decision(pledge: Pledge, *, transition: Any, reason: str) -> None:
    subject = _("[%(ref)s] %(decision)s") % {"ref": pledge.reference, "decision": transition.label}
    body = _("Your pledge “%(title)s” (%(ref)s) is now: %(state)s.") % {
        "title": pledge.title,
        "ref": pledge.reference,
        "state": pledge.get_review_state_display(),
    }
    if reason:
        body += "\n\n" + _("Reason given by the secretariat:") + "\n" + reason
    _send(_member_emails(pledge.entity_id), subject, body)


def new_submission(pledge: Pledge) -> None:
    subject = _("[%(ref)s] New pledge to review") % {"ref": pledge.reference}
    body = _("%(entity)s submitted “%(title)s” (%(ref)s) for review.") % {
        "entity": pledge.entity.name,
        "title": pledge.title,
        "ref": pledge.reference,
    }
    _send(_secretariat_emails(), subject, body)


def new_update(update: PledgeUpdate) -> None:
    pledge = update.pledge
    subject = _("[%(ref)s] New progress update to review") % {"ref": pledge.reference}
    body = _("%(entity)s reported progress on “%(title)s” (%(ref)s).") % {
        "entity": pledge.entity.name,
        "title": pledge.title,
        "ref": pledge.reference,
    }
    _send(_secretariat_emails(), subject, body)


def update_decision(update: PledgeUpdate, *, transition: Any, reason: str) -> None:
    pledge = update.pledge
    subject = _("[%(ref)s] Progress update: %(decision)s") % {
        "ref": pledge.reference,
        "decision": transition.label,
    }
    body = _("Your progress update of %(date)s on “%(title)s” is now: %(state)s.") % {
        "date": update.reported_on.isoformat(),
        "title": pledge.title,
        "state": update.get_review_state_display(),
    }
    if reason:
        body += "\n\n" + _("Reason given by the secretariat:") + "\n" + reason
    _send(_member_emails(pledge.entity_id), subject, body)


def invitation(participant: PledgeParticipant) -> None:
    pledge = participant.pledge
    subject = _("[%(ref)s] Invitation to co-pledge") % {"ref": pledge.reference}
    body = _("%(entity)s invites you to join the pledge “%(title)s” (%(ref)s).") % {
        "entity": pledge.entity.name,
        "title": pledge.title,
        "ref": pledge.reference,
    }
    _send(_member_emails(participant.entity_id), subject, body)


def entity_registered(entity: Entity) -> None:
    subject = _("New entity to verify: %(name)s") % {"name": entity.name}
    _send(_secretariat_emails(), subject, subject)


def entity_verified(entity: Entity) -> None:
    subject = _("%(name)s is verified") % {"name": entity.name}
    body = _(
        "The secretariat has verified %(name)s. Its pledges can now be submitted for review, "
        "and are published once the secretariat approves them."
    ) % {"name": entity.name}
    _send(_member_emails(entity.pk), subject, body)


def entity_declined(entity: Entity) -> None:
    subject = _("%(name)s was not verified") % {"name": entity.name}
    body = _("The secretariat declined the registration of %(name)s.") % {"name": entity.name}
    body += "\n\n" + _("Reason given by the secretariat:") + "\n" + entity.decline_reason
    _send(_member_emails(entity.pk), subject, body)


def membership_requested(membership: Membership) -> None:
    subject = _("%(user)s asks to join %(entity)s") % {
        "user": membership.user.email,
        "entity": membership.entity.name,
    }
    _send(_secretariat_emails(), subject, subject)


def membership_decision(membership: Membership) -> None:
    subject = _("Your request to join %(entity)s: %(status)s") % {
        "entity": membership.entity.name,
        "status": membership.get_status_display(),
    }
    _send([membership.user.email], subject, subject)
