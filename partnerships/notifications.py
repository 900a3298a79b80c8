"""Notifications about multistakeholder pledges, each recipient in their own language, sent after
the transaction commits (the pledge notifications' machinery: `pledges.notifications`)."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.models import Kind
from pledges.models import Membership, MembershipStatus
from pledges.notifications import Message, Recipient, member_recipients, secretariat_recipients
from pledges.notifications import send as deliver

from .models import LeadStatus, MultistakeholderLead, MultistakeholderMembership


def lead_recipients(msp_id: int) -> list[Recipient]:
    """The active members of the MSP's accepted, verified lead entities; the secretariat when
    it has none yet (somebody must decide)."""
    leads = MultistakeholderLead.objects.filter(
        msp_id=msp_id, status=LeadStatus.ACCEPTED, entity__is_verified=True
    ).values("entity_id")
    found = [
        Recipient(email, language, user_id)
        for email, language, user_id in Membership.objects.filter(
            Q(entity_id__in=leads), status=MembershipStatus.ACTIVE, user__is_active=True
        )
        .values_list("user__email", "user__language", "user_id")
        .distinct()
    ]
    return found or secretariat_recipients()


def send(recipients: list[Recipient], compose: object) -> None:
    deliver(recipients, compose, kind=Kind.PARTNERSHIP)  # type: ignore[arg-type]


def _msp_path(msp: object, page: str = "msp-detail") -> str:
    return reverse(f"partnerships:{page}", args=[msp.slug])  # type: ignore[attr-defined]


def _with_message(body: str, message: str) -> str:
    return body + ("\n\n" + _("Message:") + "\n" + message if message else "")


def join_requested(membership: MultistakeholderMembership) -> None:
    msp, pledge = membership.msp, membership.pledge

    def compose() -> Message:
        subject = _("Pledge %(ref)s asks to join the multistakeholder pledge “%(msp)s”") % {
            "msp": msp.title,
            "ref": pledge.reference,
        }
        body = _(
            "The pledge “%(title)s” (%(ref)s) asks to join the multistakeholder pledge "
            "“%(msp)s”. Accept or decline it on the multistakeholder pledge's requests page."
        ) % {"title": pledge.title, "ref": pledge.reference, "msp": msp.title}
        return Message(
            subject,
            _with_message(body, membership.message),
            _msp_path(msp, "msp-requests"),
            _("Accept or decline"),
        )

    send(lead_recipients(msp.pk), compose)


def membership_changed(membership: MultistakeholderMembership) -> None:
    """To the pledge's entity: its membership was accepted, declined, made or ended."""
    msp, pledge = membership.msp, membership.pledge

    def compose() -> Message:
        subject = _("Your pledge %(ref)s in “%(msp)s”: %(state)s") % {
            "ref": pledge.reference,
            "msp": msp.title,
            "state": membership.get_state_display(),
        }
        body = _(
            "The membership of your pledge “%(title)s” (%(ref)s) in the multistakeholder pledge "
            "“%(msp)s” is now: %(state)s."
        ) % {
            "title": pledge.title,
            "ref": pledge.reference,
            "msp": msp.title,
            "state": membership.get_state_display(),
        }
        return Message(subject, _with_message(body, membership.message), _msp_path(msp))

    send(member_recipients(pledge.entity_id), compose)


def membership_withdrawn(membership: MultistakeholderMembership) -> None:
    """To the leads: the pledge's entity took its pledge (or its request) out."""
    msp, pledge = membership.msp, membership.pledge

    def compose() -> Message:
        subject = _("Pledge %(ref)s left the multistakeholder pledge “%(msp)s”") % {
            "msp": msp.title,
            "ref": pledge.reference,
        }
        body = _(
            "The entity of the pledge “%(title)s” (%(ref)s) took it out of the multistakeholder "
            "pledge “%(msp)s”."
        ) % {"title": pledge.title, "ref": pledge.reference, "msp": msp.title}
        return Message(
            subject, _with_message(body, membership.message), _msp_path(msp, "msp-members")
        )

    send(lead_recipients(msp.pk), compose)


def lead_invited(lead: MultistakeholderLead) -> None:
    msp = lead.msp

    def compose() -> Message:
        subject = _("%(entity)s is invited to lead “%(msp)s”") % {
            "entity": lead.entity.name,
            "msp": msp.title,
        }
        body = _(
            "The secretariat invites %(entity)s to lead the multistakeholder pledge “%(msp)s”. "
            "Accept or decline on your workspace's multistakeholder pledges page."
        ) % {"entity": lead.entity.name, "msp": msp.title}
        return Message(subject, body, reverse("partnerships:my-msps"), _("Accept or decline"))

    send(member_recipients(lead.entity_id), compose)


def lead_answered(lead: MultistakeholderLead) -> None:
    msp = lead.msp

    def compose() -> Message:
        subject = _("%(entity)s and “%(msp)s”: %(status)s") % {
            "entity": lead.entity.name,
            "msp": msp.title,
            "status": lead.get_status_display(),
        }
        return Message(subject, subject, _msp_path(msp, "msp-leads"))

    send(secretariat_recipients(), compose)
