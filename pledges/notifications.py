"""E-mails about review decisions and submissions, sent after the transaction commits (a rolled
back decision must not be announced). They go through Django's e-mail backend: the console by
default, SMTP when EMAIL_URL is set.

Each recipient reads the mail in their preferred language (`User.language`), not in the language
of the page that caused it: every notification is composed once per language among its
recipients, inside `translation.override`, so translated labels (states, decisions) follow too.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Entity, Membership, MembershipStatus, Pledge, PledgeParticipant, PledgeUpdate

# (e-mail address, preferred language)
Recipient = tuple[str, str]
# Returns (subject, body) in the active language.
Compose = Callable[[], tuple[str, str]]


def _member_recipients(entity_id: int) -> list[Recipient]:
    return list(
        Membership.objects.filter(
            entity_id=entity_id, status=MembershipStatus.ACTIVE, user__is_active=True
        ).values_list("user__email", "user__language")
    )


def _secretariat_recipients() -> list[Recipient]:
    perm = Q(groups__permissions__codename="review_pledge") | Q(
        user_permissions__codename="review_pledge"
    )
    return list(
        get_user_model()
        .objects.filter(is_active=True)
        .filter(perm | Q(is_superuser=True))
        .values_list("email", "language")
        .distinct()
    )


def _send(recipients: Iterable[Recipient], compose: Compose) -> None:
    languages = dict(settings.LANGUAGES)
    by_language: dict[str, set[str]] = defaultdict(set)
    for email, language in recipients:
        by_language[language if language in languages else settings.LANGUAGE_CODE].add(email)
    messages = []
    for language, emails in sorted(by_language.items()):
        with translation.override(language):
            subject, body = compose()
        messages += [(subject, body, settings.DEFAULT_FROM_EMAIL, [to]) for to in sorted(emails)]
    if messages:
        transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False))


def review_decision(pledge: Pledge, *, transition: Any, reason: str) -> None:
    def compose() -> tuple[str, str]:
        subject = _("[%(ref)s] %(decision)s") % {
            "ref": pledge.reference,
            "decision": transition.label,
        }
        body = _("Your pledge “%(title)s” (%(ref)s) is now: %(state)s.") % {
            "title": pledge.title,
            "ref": pledge.reference,
            "state": pledge.get_review_state_display(),
        }
        if reason:
            body += "\n\n" + _("Reason given by the secretariat:") + "\n" + reason
        return subject, body

    _send(_member_recipients(pledge.entity_id), compose)


def new_submission(pledge: Pledge) -> None:
    def compose() -> tuple[str, str]:
        subject = _("[%(ref)s] New pledge to review") % {"ref": pledge.reference}
        body = _("%(entity)s submitted “%(title)s” (%(ref)s) for review.") % {
            "entity": pledge.entity.name,
            "title": pledge.title,
            "ref": pledge.reference,
        }
        return subject, body

    _send(_secretariat_recipients(), compose)


def new_update(update: PledgeUpdate) -> None:
    pledge = update.pledge

    def compose() -> tuple[str, str]:
        subject = _("[%(ref)s] New progress update to review") % {"ref": pledge.reference}
        body = _("%(entity)s reported progress on “%(title)s” (%(ref)s).") % {
            "entity": update.entity.name,
            "title": pledge.title,
            "ref": pledge.reference,
        }
        return subject, body

    _send(_secretariat_recipients(), compose)


def update_decision(update: PledgeUpdate, *, transition: Any, reason: str) -> None:
    pledge = update.pledge

    def compose() -> tuple[str, str]:
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
        return subject, body

    # The entity that reported: a co-pledger's members hear about their own update.
    _send(_member_recipients(update.entity_id), compose)


def co_pledger_update(update: PledgeUpdate) -> None:
    """Tell the lead entity's members that a co-pledging entity reported on their pledge."""
    pledge = update.pledge

    def compose() -> tuple[str, str]:
        subject = _("[%(ref)s] %(entity)s reported progress") % {
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
        return subject, body

    _send(_member_recipients(pledge.entity_id), compose)


def invitation(participant: PledgeParticipant) -> None:
    pledge = participant.pledge

    def compose() -> tuple[str, str]:
        subject = _("[%(ref)s] Invitation to co-pledge") % {"ref": pledge.reference}
        body = _("%(entity)s invites you to join the pledge “%(title)s” (%(ref)s).") % {
            "entity": pledge.entity.name,
            "title": pledge.title,
            "ref": pledge.reference,
        }
        return subject, body

    _send(_member_recipients(participant.entity_id), compose)


def entity_registered(entity: Entity) -> None:
    def compose() -> tuple[str, str]:
        subject = _("New entity to verify: %(name)s") % {"name": entity.name}
        return subject, subject

    _send(_secretariat_recipients(), compose)


def entity_verified(entity: Entity) -> None:
    def compose() -> tuple[str, str]:
        subject = _("%(name)s is verified") % {"name": entity.name}
        body = _(
            "The secretariat has verified %(name)s. Its pledges can now be submitted for review, "
            "and are published once the secretariat approves them."
        ) % {"name": entity.name}
        return subject, body

    _send(_member_recipients(entity.pk), compose)


def entity_declined(entity: Entity) -> None:
    def compose() -> tuple[str, str]:
        subject = _("%(name)s was not verified") % {"name": entity.name}
        body = _("The secretariat declined the registration of %(name)s.") % {"name": entity.name}
        body += "\n\n" + _("Reason given by the secretariat:") + "\n" + entity.decline_reason
        return subject, body

    _send(_member_recipients(entity.pk), compose)


def membership_requested(membership: Membership) -> None:
    def compose() -> tuple[str, str]:
        subject = _("%(user)s asks to join %(entity)s") % {
            "user": membership.user.email,
            "entity": membership.entity.name,
        }
        return subject, subject

    _send(_secretariat_recipients(), compose)


def membership_decision(membership: Membership) -> None:
    def compose() -> tuple[str, str]:
        subject = _("Your request to join %(entity)s: %(status)s") % {
            "entity": membership.entity.name,
            "status": membership.get_status_display(),
        }
        return subject, subject

    user = membership.user
    _send([(user.email, user.language)], compose)
