"""Reaffirming a published pledge at a later forum of its compact (issue 17, item 4b)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.audit import record_change
from forums.models import Forum

from ..exceptions import TransitionNotAllowed
from ..models import Pledge, PledgeReaffirmation, ReviewState
from ..workflow import may_reaffirm
from .common import _check_storable, _touch

if TYPE_CHECKING:
    from accounts.models import User


def forum_day(forum: Forum) -> dt.date:
    """When a forum took place, for ordering forums: its first day, else 1 January of its year."""
    return forum.start_date or dt.date(forum.year, 1, 1)


def pledge_day(pledge: Pledge) -> dt.date | None:
    """When the pledge was announced: at its forum, else its `announced_on`."""
    return forum_day(pledge.forum) if pledge.forum is not None else pledge.announced_on


@transaction.atomic
def reaffirm_pledge(
    *,
    pledge: Pledge,
    forum: Forum,
    by: User,
    reaffirmed_on: dt.date | None = None,
    note: str = "",
) -> PledgeReaffirmation:
    """Record that the pledge's entity announced the published pledge again at `forum`, a
    later forum of the pledge's compact. `reaffirmed_on` defaults to the forum's first day."""
    if not may_reaffirm(pledge, by):
        if pledge.review_state != ReviewState.PUBLISHED:
            raise TransitionNotAllowed(_("Only a published pledge can be reaffirmed."))
        raise PermissionDenied(_("Only the submitting entity can reaffirm this pledge."))
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    since = pledge_day(pledge)
    if forum.compact_id != pledge.compact_id:
        add("forum", _("Choose a forum of the pledge's compact."))
    elif pledge.forum_id == forum.pk or (since is not None and forum_day(forum) <= since):
        add("forum", _("Choose a forum later than the one the pledge was announced at."))
    day = reaffirmed_on or forum.start_date
    if day is None:
        add("reaffirmed_on", _("Give the date the pledge was reaffirmed."))
    elif since is not None and day < since:
        add("reaffirmed_on", _("A pledge cannot be reaffirmed before it was announced."))
    _check_storable(PledgeReaffirmation, {"note": note}, add)
    if errors:
        raise ValidationError(errors)
    assert day is not None  # noqa: S101 — the errors above say so otherwise
    try:
        with transaction.atomic():
            reaffirmation = PledgeReaffirmation.objects.create(
                pledge=pledge,
                forum=forum,
                reaffirmed_on=day,
                reaffirmed_by=by if getattr(by, "is_authenticated", False) else None,
                note=note.strip(),
            )
    except IntegrityError:
        raise ValidationError(
            {"forum": [_("This pledge is already reaffirmed at %(forum)s.") % {"forum": forum}]}
        ) from None
    record_change(
        pledge,
        action="pledges.pledge.reaffirmed",
        by=by,
        data={"forum": forum.code, "reaffirmed_on": day.isoformat()},
    )
    # Its page, ETag and incremental sync show the reaffirmations.
    _touch(pledge.pk)
    return reaffirmation
