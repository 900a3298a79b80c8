"""E-mails about matches, each to the OTHER side's entity members in their own language (the
pledges app's `_send`: composed once per language, sent after the transaction commits)."""

from collections.abc import Sequence

from django.utils.translation import gettext as _

from pledges.notifications import Recipient, _member_recipients, _send

from .models import Match, Side


def _entities_other_than(match: Match, sides: Sequence[str | None]) -> list[int]:
    """The entities of the sides not in `sides` (both when `sides` holds only None)."""
    entities: dict[str, int] = {
        Side.SEEKS: match.seeking.entity_id,
        Side.OFFERS: match.offering.entity_id,
    }
    acting = {entities[side] for side in sides if side is not None}
    return sorted({e for e in entities.values() if e not in acting})


def _recipients(entity_ids: Sequence[int]) -> list[Recipient]:
    return [r for entity_id in entity_ids for r in _member_recipients(entity_id)]


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
    def compose() -> tuple[str, str]:
        subject = _("[%(seeking)s ↔ %(offering)s] Match proposed") % _pair(match)
        body = _(
            "A match is proposed between “%(seeking_title)s” (%(seeking)s), which seeks "
            "support, and “%(offering_title)s” (%(offering)s), which offers it. Your entity "
            "is asked to accept or decline it on the pledge's matching page."
        ) % _pair(match)
        return subject, _with_message(body, match.message)

    _send(_recipients(_entities_other_than(match, [proposing_side])), compose)


def match_decided(match: Match, *, sides: Sequence[str], accepted: bool, message: str) -> None:
    def compose() -> tuple[str, str]:
        if accepted:
            subject = _("[%(seeking)s ↔ %(offering)s] Match accepted") % _pair(match)
        else:
            subject = _("[%(seeking)s ↔ %(offering)s] Match declined") % _pair(match)
        body = _("The match between %(seeking)s and %(offering)s is now: %(state)s.") % {
            **_pair(match),
            "state": match.get_state_display(),
        }
        return subject, _with_message(body, message)

    _send(_recipients(_entities_other_than(match, sides)), compose)


def match_withdrawn(match: Match, *, message: str) -> None:
    def compose() -> tuple[str, str]:
        subject = _("[%(seeking)s ↔ %(offering)s] Match withdrawn") % _pair(match)
        body = _("The proposal to match %(seeking)s with %(offering)s was withdrawn.") % _pair(
            match
        )
        return subject, _with_message(body, message)

    proposer = match.proposed_for_id
    others = [e for e in (match.seeking.entity_id, match.offering.entity_id) if e != proposer]
    _send(_recipients(sorted(set(others))), compose)
