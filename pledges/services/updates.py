"""Progress updates: what a valid report is, submitting one, and its review (one or in bulk)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record_change
from forums.models import ReportingRound

from .. import notifications
from ..exceptions import TransitionNotAllowed
from ..models import (
    Entity,
    ImplementationStatus,
    Pledge,
    PledgeUpdate,
    PledgeUpdateActual,
    ReviewState,
    TargetUnit,
    UpdateReviewState,
    approved_update_q,
)
from ..progress_marks import progress_changed
from ..workflow import (
    UPDATE_TRANSITIONS,
    is_secretariat,
    reporting_entity_ids,
)
from .common import (
    _Add,
    _check_storable,
    _checked_reason,
    all_or_none,
    implausible,
)
from .feed import feed_pledges, feed_updates

if TYPE_CHECKING:
    from accounts.models import User


@dataclass
class UpdateInput:
    """A progress report as entered; `actuals` maps target ids to cumulative achieved values."""

    status: str
    narrative: str
    reported_on: dt.date
    challenges: str = ""
    evidence_links: Sequence[str] = ()
    disbursed_amount: Decimal | None = None
    actuals: Mapping[int, Decimal] = field(default_factory=dict)
    # The reporting round the update answers (forums.ReportingRound), if any.
    round: ReportingRound | None = None
    # The person confirmed figures or dates that look wrong but are right (`_check_plausible`).
    confirm_implausible: bool = False


def validate_update(pledge: Pledge, data: UpdateInput) -> None:
    """Raise ValidationError with field-level messages if `data` is not a valid report on
    `pledge`."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        messages = errors.setdefault(name, [])
        if message not in messages:  # e.g. the one confirmation several implausibilities ask
            messages.append(message)

    if data.status not in ImplementationStatus.values:
        add("status", _("Choose the implementation status."))
    if not data.narrative.strip():
        add("narrative", _("Describe the progress made."))
    if data.reported_on > timezone.localdate():
        add("reported_on", _("The report date cannot be in the future."))
    _check_evidence_links(data.evidence_links, add)
    if data.disbursed_amount is not None:
        if pledge.amount is None:
            add("disbursed_amount", _("This pledge has no amount to disburse."))
        elif data.disbursed_amount < 0:
            add("disbursed_amount", _("The amount disbursed cannot be negative."))
    _check_storable(
        PledgeUpdate,
        {
            "status": data.status,
            "narrative": data.narrative,
            "challenges": data.challenges,
            "disbursed_amount": data.disbursed_amount,
        },
        add,
    )
    for value in data.actuals.values():
        _check_storable(PledgeUpdateActual, {"value": value}, add, report_as="actuals")
    _check_actuals(pledge, data.actuals, add)
    _check_round(pledge, data.round, add)
    _check_plausible(pledge, data, add)
    if errors:
        raise ValidationError(errors)


def _check_plausible(pledge: Pledge, data: UpdateInput, add: _Add) -> None:
    """More disbursed than pledged, or a report dated before the pledge starts: possible (a top-up
    not yet recorded, a report on preparations) but most often a typing error, so refused unless
    confirmed."""
    if data.confirm_implausible:
        return
    if (
        pledge.amount is not None
        and data.disbursed_amount is not None
        and data.disbursed_amount > pledge.amount
    ):
        implausible(
            add,
            "disbursed_amount",
            _(
                "%(disbursed)s %(currency)s disbursed is more than the %(amount)s %(currency)s "
                "pledged. Check the amount (it is cumulative, in the pledge's currency)."
            )
            % {
                "disbursed": f"{data.disbursed_amount:,}",
                "amount": f"{pledge.amount:,}",
                "currency": pledge.currency_id,
            },
        )
    if pledge.start_date is not None and data.reported_on < pledge.start_date:
        implausible(
            add,
            "reported_on",
            _("The report is dated %(date)s, before the pledge starts (%(start)s). Check the date.")
            % {"date": data.reported_on.isoformat(), "start": pledge.start_date.isoformat()},
        )


def _check_evidence_links(links: Sequence[str], add: _Add) -> None:
    url = URLValidator(schemes=["http", "https"])
    for link in links:
        try:
            url(link)
        except ValidationError:
            add("evidence_links", _("“%(link)s” is not a web address.") % {"link": link})


def _check_actuals(pledge: Pledge, actuals: Mapping[int, Decimal], add: _Add) -> None:
    """Achieved values name the pledge's own targets, in their unit's range."""
    targets = {t.pk: t for t in pledge.targets.all()}
    for target_id, value in actuals.items():
        target = targets.get(target_id)
        if target is None:
            add("actuals", _("That target does not belong to this pledge."))
        elif value is None or value < 0:
            add(
                "actuals",
                _("%(metric)s: achieved values cannot be negative.") % {"metric": target.metric},
            )
        elif target.unit == TargetUnit.PERCENT and value > 100:
            add(
                "actuals",
                _("%(metric)s: a percentage cannot exceed 100.") % {"metric": target.metric},
            )


def _check_round(pledge: Pledge, round_: ReportingRound | None, add: _Add) -> None:
    """A round of the pledge's compact, open on the day the update is submitted."""
    if round_ is None:
        return
    if round_.compact_id != pledge.compact_id:
        add("round", _("This reporting round is not one of the pledge's compact."))
    elif not round_.is_open_on(timezone.localdate()):
        add(
            "round",
            _("The reporting round “%(round)s” is not open today.") % {"round": round_.title},
        )


def _pending_duplicate(pledge: Pledge, data: UpdateInput, by: User) -> PledgeUpdate | None:
    """A pending update of `by` on `pledge` with exactly this content, if there is one."""
    candidates = PledgeUpdate.objects.filter(
        pledge=pledge,
        submitted_by=by,
        review_state=UpdateReviewState.PENDING,
        status=data.status,
        narrative=data.narrative.strip(),
        challenges=data.challenges.strip(),
        disbursed_amount=data.disbursed_amount,
        reported_on=data.reported_on,
        round=data.round,
    ).prefetch_related("actuals")
    for candidate in candidates.order_by("id"):
        actuals = {a.target_id: a.value for a in candidate.actuals.all()}
        if candidate.evidence_links == list(data.evidence_links) and actuals == dict(data.actuals):
            return candidate
    return None


@transaction.atomic
def submit_update(
    *, pledge: Pledge, data: UpdateInput, by: User, entity: Entity | None = None
) -> PledgeUpdate:
    """Report progress on a published pledge. The update is attributed to the entity `by`
    reports for (`workflow.reporting_entity_ids`): the pledge's own when `by` is one of its
    members, else `by`'s accepted, verified co-pledging entity; `entity` chooses among them
    when `by` acts for several. A co-pledger's update is announced to the lead entity."""
    allowed = reporting_entity_ids(pledge, by)
    if not allowed:
        raise PermissionDenied(
            _(
                "Only members of the submitting entity or of an accepted, verified co-pledging "
                "entity can report progress."
            )
        )
    if entity is not None and entity.pk not in allowed:
        raise ValidationError({"entity": [_("You cannot report progress for this entity.")]})
    entity_id = entity.pk if entity is not None else allowed[0]
    # The pledge's row lock queues a double click or a client's retry behind the first
    # submission, which then finds it: the same report is created once (issue 14, item 13).
    state = (
        Pledge.objects.select_for_update(no_key=True)
        .values_list("review_state", flat=True)
        .get(pk=pledge.pk)
    )
    if state != ReviewState.PUBLISHED:
        raise TransitionNotAllowed(_("Progress can be reported on published pledges only."))
    validate_update(pledge, data)
    same = _pending_duplicate(pledge, data, by)
    if same is not None:
        return same
    update = PledgeUpdate.objects.create(
        pledge=pledge,
        entity_id=entity_id,
        round=data.round,
        status=data.status,
        narrative=data.narrative.strip(),
        challenges=data.challenges.strip(),
        evidence_links=list(data.evidence_links),
        disbursed_amount=data.disbursed_amount,
        reported_on=data.reported_on,
        submitted_by=by,
    )
    PledgeUpdateActual.objects.bulk_create(
        PledgeUpdateActual(update=update, target_id=target_id, value=value)
        for target_id, value in data.actuals.items()
    )
    record_change(
        update,
        action="pledges.update.submitted",
        by=by,
        data={
            "pledge": pledge.reference,
            "status": data.status,
            "entity": entity_id,
            "round": data.round.pk if data.round else None,
        },
    )
    notifications.new_update(update)
    if entity_id != pledge.entity_id:
        notifications.co_pledger_update(update)
    return update


@transaction.atomic
def review_update(
    *, update: PledgeUpdate | int, action: str, by: User, reason: str = ""
) -> PledgeUpdate:
    """Approve or return a progress update. Approval makes it count: the pledge's
    implementation status becomes that of its latest approved update."""
    transition = UPDATE_TRANSITIONS.get(action)
    if transition is None:
        raise TransitionNotAllowed(_("Unknown action “%(action)s”.") % {"action": action})
    if not is_secretariat(by):
        raise PermissionDenied(_("Only the secretariat reviews progress updates."))
    pk = update if isinstance(update, int) else update.pk
    locked = PledgeUpdate.objects.select_for_update().get(pk=pk)
    if locked.review_state not in transition.sources:
        raise TransitionNotAllowed(_("This update has already been reviewed."))
    reason = _checked_reason(reason, needed=transition.needs_reason)
    locked.review_state = transition.target
    locked.reviewed_by = by
    locked.reviewed_at = timezone.now()
    locked.review_note = reason
    locked.save(
        update_fields=["review_state", "reviewed_by", "reviewed_at", "review_note", "updated_at"]
    )
    if locked.review_state == UpdateReviewState.APPROVED:
        refresh_implementation_status(locked.pledge_id)
        progress_changed(
            [locked.pledge_id],
            Pledge.objectives.through.objects.filter(pledge_id=locked.pledge_id).values_list(
                "objective_id", flat=True
            ),
        )
    record_change(
        locked,
        action=f"pledges.update.{action}",
        by=by,
        reason=reason,
        data={"pledge_id": locked.pledge_id},
    )
    feed_updates([locked.pk])
    notifications.update_decision(locked, transition=transition, reason=reason)
    return locked


def refresh_implementation_status(pledge_id: int) -> None:
    """Copy the latest approved update's status and date onto the pledge (a derived value kept
    on the row so that lists and filters need no subquery). Only an update whose entity is
    verified counts (`approved_update_q`): the status is shown in its reporter's name."""
    latest = (
        PledgeUpdate.objects.filter(approved_update_q(), pledge_id=pledge_id)
        .order_by("-reported_on", "-id")
        .values("status", "reported_on")
        .first()
    )
    Pledge.objects.filter(pk=pledge_id).update(
        implementation_status=latest["status"] if latest else "",
        last_update_on=latest["reported_on"] if latest else None,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    feed_pledges([pledge_id])


@transaction.atomic
def bulk_review_updates(
    *, updates: Iterable[PledgeUpdate | int], action: str, by: User, reason: str = ""
) -> list[PledgeUpdate]:
    """Approve (or return) several progress updates at once: all of them, or none and
    BulkActionRefused names each refusal (by its pledge's reference and the update's id)."""

    def reference(update: PledgeUpdate | int) -> str:
        pk = update if isinstance(update, int) else update.pk
        ref = PledgeUpdate.objects.filter(pk=pk).values_list("pledge__reference", flat=True)
        return f"{ref.first() or '?'} (update {pk})"

    return all_or_none(
        updates,
        lambda u: review_update(update=u, action=action, by=by, reason=reason),
        reference,
    )
