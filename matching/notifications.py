"""E-mails about matches, each to the OTHER side's entity members in their own language (the
pledges app's `_send`: composed once per language, sent after the transaction commits)."""

from collections.abc import Callable, Sequence

from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.models import Kind
from pledges.notifications import Message, Recipient, member_recipients, send

from .models import Match, Side


def _send(recipients: list[Recipient], compose: Callable[[], Message]) -> None:
    send(recipients, compose, kind=Kind.MATCH)


def _page(match: Match, entity_ids: Sequence[int]) -> str:
    """The matching page of the recipients' own pledge of the two (the seeking one if both)."""
    own = match.seeking if match.seeking.entity_id in entity_ids else match.offering
    return reverse("matching:pledge-matching", args=[own.reference])


def _entities_other_than(match: Match, sides: Sequence[str | None]) -> list[int]:
    """The entities of the sides not in `sides` (both when `sides` holds only None)."""
    entities: dict[str, int] = {
        Side.SEEKS: match.seeking.entity_id,
        Side.OFFERS: match.offering.entity_id,
    }
    acting = {entities[side] for side in sides if side is not None}
    return sorted({e for e in entities.values() if e not in acting})


def _recipients(entity_ids: Sequence[int]) -> list[Recipient]:
    return [r for entity_id in entity_ids for r in member_recipients(entity_id)]


def _pair(match: Match) -> dict[str, str]:
    return {
        "seeking": match.seeking.reference,
        "seeking_title": match.seeking.title,
        "offering": match.offering.reference,
        "offering_title": match.offering.title,
    }


def _with_message(body: str, message: str) -> str:
    return body + ("\n\n" + _("Message:") + "\n" + message if message else "")


def match_proposed(match: Match, *, proposing_side: str | None) -> None:
    def compose() -> Message:
        subject = _("Match proposed between %(seeking)s and %(offering)s") % _pair(match)
        body = _(
            "A match is proposed between “%(seeking_title)s” (%(seeking)s), which seeks "
            "support, and “%(offering_title)s” (%(offering)s), which offers it. Your entity "
            "is asked to accept or decline it on the pledge's matching page."
        ) % _pair(match)
        return Message(
            subject, _with_message(body, match.message), _page(match, to), _("Accept or decline")
        )

    to = _entities_other_than(match, [proposing_side])
    _send(_recipients(to), compose)


def match_decided(match: Match, *, sides: Sequence[str], accepted: bool, message: str) -> None:
    def compose() -> Message:
        if accepted:
            subject = _("Match between %(seeking)s and %(offering)s accepted") % _pair(match)
        else:
            subject = _("Match between %(seeking)s and %(offering)s declined") % _pair(match)
        body = _("The match between %(seeking)s and %(offering)s is now: %(state)s.") % {
            **_pair(match),
            "state": match.get_state_display(),
        }
        return Message(subject, _with_message(body, message), _page(match, to))

    to = _entities_other_than(match, sides)
    _send(_recipients(to), compose)


def match_withdrawn(match: Match, *, message: str) -> None:
    def compose() -> Message:
        subject = _("Match between %(seeking)s and %(offering)s withdrawn") % _pair(match)
        body = _("The proposal to match %(seeking)s with %(offering)s was withdrawn.") % _pair(
            match
        )
        return Message(subject, _with_message(body, message), _page(match, others))

    proposer = match.proposed_for_id
    others = [e for e in (match.seeking.entity_id, match.offering.entity_id) if e != proposer]
    _send(_recipients(sorted(set(others))), compose)
