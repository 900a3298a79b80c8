"""Reporting rounds: the secretariat creates, edits and closes them (issue 17, item 4c).

Every write is checked here, atomic and audited (`core.audit`). Who may write: holders of the
secretariat's review permission, named by its string so that forums does not import pledges
(the dependency points the other way).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compacts.models import Compact
from core.audit import record_change

from .models import Forum, ReportingRound, RoundStatus

SECRETARIAT_PERMISSION = "pledges.review_pledge"
ROUND_DATE_RANGE = (dt.date(2016, 1, 1), dt.date(2100, 12, 31))
TITLE_MAX_LENGTH = ReportingRound._meta.get_field("title").max_length or 200


def is_secretariat(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(SECRETARIAT_PERMISSION))


@dataclass
class RoundInput:
    """A reporting round as entered."""

    title: str
    compact: Compact
    opens_on: dt.date
    closes_on: dt.date
    forum: Forum | None = None


def validate_round(data: RoundInput, *, current: ReportingRound | None = None) -> None:
    """Raise ValidationError with field-level messages if `data` is not a valid round."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    title = data.title.strip()
    if not title:
        add("title", _("Give the round a title."))
    elif len(title) > TITLE_MAX_LENGTH or "\x00" in title:
        add("title", _("The title is too long."))
    if data.forum is not None and data.forum.compact_id != data.compact.pk:
        add("forum", _("Choose a forum of the round's compact, or none."))
    low, high = ROUND_DATE_RANGE
    for name, day in (("opens_on", data.opens_on), ("closes_on", data.closes_on)):
        if not low <= day <= high:
            add(name, _("Give a date between 2016 and 2100."))
    if data.closes_on < data.opens_on:
        add("closes_on", _("A round cannot close before it opens."))
    if current is not None and current.updates.exists():
        # Updates were submitted while it was open: its compact and opening stay true to them.
        if current.compact_id != data.compact.pk:
            add("compact", _("Updates were submitted for this round: its compact cannot change."))
        if data.opens_on > current.opens_on:
            add(
                "opens_on",
                _("Updates were submitted for this round: it cannot open later than it did."),
            )
    if errors:
        raise ValidationError(errors)


def _require_secretariat(by: Any) -> None:
    if not is_secretariat(by):
        raise PermissionDenied(_("Only the secretariat manages reporting rounds."))


@transaction.atomic
def create_round(*, data: RoundInput, by: Any) -> ReportingRound:
    """Create a round; it opens and closes by its dates."""
    _require_secretariat(by)
    validate_round(data)
    round_ = ReportingRound.objects.create(
        title=data.title.strip(),
        compact=data.compact,
        forum=data.forum,
        opens_on=data.opens_on,
        closes_on=data.closes_on,
    )
    record_change(round_, action="forums.round.created", by=by, data=_audit_data(round_))
    return round_


@transaction.atomic
def change_round(*, round_: ReportingRound, data: RoundInput, by: Any) -> ReportingRound:
    """Edit a round that is not closed (a closed round is a record of what was asked)."""
    _require_secretariat(by)
    locked = ReportingRound.objects.select_for_update().get(pk=round_.pk)
    if locked.status == RoundStatus.CLOSED:
        raise ValidationError(_("This round is closed: it can no longer be changed."))
    validate_round(data, current=locked)
    locked.title = data.title.strip()
    locked.compact = data.compact
    locked.forum = data.forum
    locked.opens_on = data.opens_on
    locked.closes_on = data.closes_on
    locked.save()
    record_change(locked, action="forums.round.changed", by=by, data=_audit_data(locked))
    return locked


@transaction.atomic
def close_round(*, round_: ReportingRound, by: Any, reason: str = "") -> ReportingRound:
    """Close an open round before its closing date: from today on, no update can be submitted
    for it. Its overdue list is final from then on."""
    _require_secretariat(by)
    locked = ReportingRound.objects.select_for_update().get(pk=round_.pk)
    today = timezone.localdate()
    if locked.status_on(today) != RoundStatus.OPEN:
        raise ValidationError(_("Only an open round can be closed early."))
    locked.closed_early_on = today
    locked.save(update_fields=["closed_early_on"])
    record_change(
        locked, action="forums.round.closed", by=by, reason=reason.strip(), data=_audit_data(locked)
    )
    return locked


def _audit_data(round_: ReportingRound) -> dict[str, Any]:
    return {
        "title": round_.title,
        "compact": round_.compact.code,
        "forum": round_.forum.code if round_.forum else None,
        "opens_on": round_.opens_on.isoformat(),
        "closes_on": round_.closes_on.isoformat(),
        "closed_early_on": round_.closed_early_on.isoformat() if round_.closed_early_on else None,
    }
