"""Every write to pledges, entities and progress updates (STYLE.md §3).

Web views, the admin, the API and tasks all call these functions, so each rule lives here once:
what a valid pledge is, who may take which transition (via `workflow`), what gets audited and who
is notified. Each function is keyword-only, typed and atomic; transitions lock the row so that two
reviewers acting at once produce one transition and one audit entry.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.validators import ProhibitNullCharactersValidator, URLValidator
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from compacts.models import (
    Compact,
    GuidingPrinciple,
    Objective,
    ObjectiveAction,
    SupportPlatform,
    ThematicArea,
)
from core.audit import record_change
from core.models import Country, Currency
from forums.models import Forum

from .. import notifications
from ..exceptions import LookalikeName, PledgeError, StaleVersion, TransitionNotAllowed
from ..models import (
    Entity,
    EntityType,
    GeographyScope,
    ImplementationStatus,
    LinkKind,
    Membership,
    MembershipRole,
    MembershipStatus,
    ParticipantRole,
    ParticipantStatus,
    Pledge,
    PledgeLink,
    PledgeParticipant,
    PledgeReferenceCounter,
    PledgeTarget,
    PledgeUpdate,
    PledgeUpdateActual,
    ReviewState,
    SupportType,
    TargetUnit,
    UpdateReviewState,
)
from ..names import MAX_SKELETON_BYTES, cased_name_skeleton, name_skeleton
from ..progress_marks import progress_changed
from ..workflow import (
    EDITABLE_STATES,
    PLEDGE_TRANSITIONS,
    REASON_MAX_LENGTH,
    UPDATE_TRANSITIONS,
    Actor,
    actor_allowed,
    can_edit,
    is_active_member,
    is_secretariat,
)

# The GCM pledge form requires a description of this length (DOMAIN.md §4).
GCM_DESCRIPTION_LENGTH = (300, 3000)
# Bounds that are facts about any pledge, so they hold for drafts too (a draft may be
# incomplete, never impossible): GCR publishes no maximum length, so its descriptions are
# bounded like progress narratives; the editor offers this many target rows; forums run from
# 2016 (the New York Declaration) and a pledge may build on earlier work or run for decades.
DESCRIPTION_MAX_LENGTH = 20_000
MAX_TARGETS = 50
PLEDGE_DATE_RANGE = (dt.date(2000, 1, 1), dt.date(2100, 12, 31))
CLOSED_STATES = frozenset({ReviewState.WITHDRAWN, ReviewState.REJECTED, ReviewState.SUPERSEDED})
_NO_NUL = ProhibitNullCharactersValidator()


def _check_storable(
    model: type[models.Model],
    values: Mapping[str, Any],
    add: Callable[[str, str], None],
    *,
    report_as: str | None = None,
) -> None:
    """Refuse, as field errors, what the database would refuse with an error (a 500): text
    longer than its column, numbers with more digits or decimals than the column holds, and NUL
    characters, which PostgreSQL text cannot store. Amounts are never rounded silently.

    The model field's own validators are the rule, so it cannot drift from the schema."""
    for name, value in values.items():
        if value is None or value == "":
            continue
        field = model._meta.get_field(name)
        try:
            if isinstance(value, str):
                _NO_NUL(value)
            field.run_validators(field.to_python(value))  # e.g. an int given for a Decimal
        except ValidationError as error:
            for message in error.messages:
                add(report_as or name, message)


# --------------------------------------------------------------------------------------------
# Pledge content and its validation
# --------------------------------------------------------------------------------------------


@dataclass
class TargetInput:
    """A quantified target as entered; `id` names an existing target to keep and update."""

    metric: str
    unit: str
    target_value: Decimal
    baseline: Decimal | None = None
    due_date: dt.date | None = None
    id: int | None = None


@dataclass
class PledgeInput:
    """Everything a stakeholder enters about a pledge (DOMAIN.md §4)."""

    title: str
    description: str
    compact: Compact
    forum: Forum
    entity: Entity
    objectives: Sequence[Objective] = ()
    actions: Sequence[ObjectiveAction] = ()
    principles: Sequence[GuidingPrinciple] = ()
    thematic_areas: Sequence[ThematicArea] = ()
    support_types: Sequence[SupportType] = ()
    geography_scope: str = GeographyScope.NATIONAL
    beneficiary_countries: Sequence[Country] = ()
    support_platform: SupportPlatform | None = None
    contact_name: str = ""
    contact_email: str = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    amount: Decimal | None = None
    currency: Currency | None = None
    # None leaves the pledge's targets as they are; a list replaces them.
    targets: Sequence[TargetInput] | None = None

    @classmethod
    def from_pledge(cls, pledge: Pledge) -> "PledgeInput":
        """The pledge's current content, e.g. to validate it in full before submission."""
        return cls(
            title=pledge.title,
            description=pledge.description,
            compact=pledge.compact,
            forum=pledge.forum,
            entity=pledge.entity,
            objectives=list(pledge.objectives.all()),
            actions=list(pledge.actions.all()),
            principles=list(pledge.principles.all()),
            thematic_areas=list(pledge.thematic_areas.all()),
            support_types=list(pledge.support_types.all()),
            geography_scope=pledge.geography_scope,
            beneficiary_countries=list(pledge.beneficiary_countries.all()),
            support_platform=pledge.support_platform,
            contact_name=pledge.contact_name,
            contact_email=pledge.contact_email,
            start_date=pledge.start_date,
            end_date=pledge.end_date,
            amount=pledge.amount,
            currency=pledge.currency,
            targets=[
                TargetInput(
                    id=t.pk,
                    metric=t.metric,
                    unit=t.unit,
                    target_value=t.target_value,
                    baseline=t.baseline,
                    due_date=t.due_date,
                )
                for t in pledge.targets.all()
            ],
        )


def validate_pledge(data: PledgeInput, *, complete: bool) -> None:
    """Raise ValidationError with field-level messages if `data` is not a valid pledge.

    Structural rules (objectives of the pledge's compact, amount with a currency, end ≥ start…)
    always apply, so a draft never holds contradictions. Completeness rules (at least one
    objective, the GCM description length, beneficiary countries) apply when `complete` is set:
    on submission, and on any edit of a pledge that is already under review or published.
    """
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    compact = data.compact
    if not data.title.strip():
        add("title", _("Give the pledge a title."))
    if data.forum.compact_id != compact.pk:
        add(
            "forum",
            _("%(forum)s is not a forum of the %(compact)s.")
            % {"forum": data.forum.name, "compact": compact.name},
        )
    foreign = [o for o in data.objectives if o.compact_id != compact.pk]
    if foreign:
        add(
            "objectives",
            _("Objectives must belong to the %(compact)s: %(objectives)s.")
            % {"compact": compact.code, "objectives": ", ".join(str(o) for o in foreign)},
        )
    objective_ids = {o.pk for o in data.objectives}
    stray = [a for a in data.actions if a.objective_id not in objective_ids]
    if stray:
        add(
            "actions",
            _("Actions must belong to one of the pledge's objectives: %(actions)s.")
            % {"actions": ", ".join(str(a) for a in stray)},
        )
    if any(p.compact_id != compact.pk for p in data.principles):
        add(
            "principles",
            _("Guiding principles must be those of the %(compact)s.") % {"compact": compact.code},
        )
    if any(t.compact_id != compact.pk for t in data.thematic_areas):
        add(
            "thematic_areas",
            _("Thematic areas must be those of the %(compact)s.") % {"compact": compact.code},
        )
    if data.support_platform and data.support_platform.compact_id != compact.pk:
        add("support_platform", _("This support platform belongs to another compact."))
    if data.amount is not None and data.amount < 0:
        add("amount", _("The amount cannot be negative."))
    if data.amount is not None and data.currency is None:
        add("currency", _("Choose the currency of the amount."))
    if data.amount is None and data.currency is not None:
        add(
            "amount",
            _("Enter the amount in %(currency)s, or clear the currency.")
            % {"currency": data.currency.code},
        )
    if data.start_date and data.end_date and data.end_date < data.start_date:
        add("end_date", _("The end date cannot be before the start date."))
    if data.geography_scope not in GeographyScope.values:
        add("geography_scope", _("Choose a valid geographic scope."))
    _check_bounds(data, add, complete=complete)
    _check_storable(
        Pledge,
        {
            name: getattr(data, name)
            for name in ("title", "description", "contact_name", "contact_email", "amount")
        },
        add,
    )
    for target in data.targets or ():
        _validate_target(target, add)

    if complete:
        if not data.objectives:
            add("objectives", _("Choose at least one objective."))
        length = len(data.description.strip())
        low, high = GCM_DESCRIPTION_LENGTH
        if compact.code == "GCM" and not low <= length <= high:
            add(
                "description",
                _(
                    "A GCM pledge needs a description of %(low)s to %(high)s characters "
                    "(this one has %(length)s)."
                )
                % {"low": low, "high": high, "length": length},
            )
        elif not length:
            add("description", _("Describe the pledge."))
        if data.geography_scope != GeographyScope.GLOBAL and not data.beneficiary_countries:
            add(
                "beneficiary_countries",
                _("Name at least one beneficiary country, or set the scope to global."),
            )
    if errors:
        raise ValidationError(errors)


def _check_date(name: str, value: dt.date | None, add: Any) -> None:
    low, high = PLEDGE_DATE_RANGE
    if value is not None and not low <= value <= high:
        add(
            name,
            _("Enter a date between %(low)s and %(high)s.")
            % {"low": low.isoformat(), "high": high.isoformat()},
        )


def _check_bounds(data: PledgeInput, add: Any, *, complete: bool) -> None:
    """The bounds every save respects, draft or not (see DESCRIPTION_MAX_LENGTH)."""
    high = GCM_DESCRIPTION_LENGTH[1] if data.compact.code == "GCM" else DESCRIPTION_MAX_LENGTH
    length = len(data.description.strip())
    # A complete GCM pledge gets the 300–3,000 message instead (see validate_pledge).
    if length > high and not (complete and data.compact.code == "GCM"):
        add(
            "description",
            _("A description can be at most %(high)s characters (this one has %(length)s).")
            % {"high": f"{high:,}", "length": f"{length:,}"},
        )
    if data.targets is not None and len(data.targets) > MAX_TARGETS:
        add(
            "targets",
            _("A pledge can have at most %(max)s targets (this one has %(count)s).")
            % {"max": MAX_TARGETS, "count": f"{len(data.targets):,}"},
        )
    _check_date("start_date", data.start_date, add)
    _check_date("end_date", data.end_date, add)
    if data.currency is not None and not (
        Currency.objects.filter(code=data.currency.code).exists()
    ):
        add(
            "currency",
            _("“%(value)s” is not an ISO 4217 currency code we know.")
            % {"value": data.currency.code},
        )


def validate_targets(targets: Sequence[TargetInput]) -> None:
    """The targets' own rules (each target, and how many), for a form that edits them apart
    from the rest of the pledge (the admin's inline); ValidationError under "targets"."""
    messages: list[str] = []

    def add(name: str, message: str) -> None:
        messages.append(message)

    if len(targets) > MAX_TARGETS:
        add(
            "targets",
            _("A pledge can have at most %(max)s targets (this one has %(count)s).")
            % {"max": MAX_TARGETS, "count": f"{len(targets):,}"},
        )
    for target in targets:
        _validate_target(target, add)
    if messages:
        raise ValidationError({"targets": messages})


def _validate_target(target: TargetInput, add: Any) -> None:
    if not target.metric.strip():
        add("targets", _("Each target needs a metric, e.g. “resettlement places”."))
    if target.unit not in TargetUnit.values:
        add("targets", _("“%(unit)s” is not a known unit.") % {"unit": target.unit})
    if target.target_value is None or target.target_value < 0:
        add("targets", _("Target values cannot be negative."))
    elif target.unit == TargetUnit.PERCENT and target.target_value > 100:
        add("targets", _("A percentage target cannot exceed 100."))
    _check_date("targets", target.due_date, add)
    _check_storable(
        PledgeTarget,
        {"metric": target.metric, "target_value": target.target_value, "baseline": target.baseline},
        add,
        report_as="targets",
    )


def allocate_reference(forum: Forum) -> str:
    """The next human reference for a pledge announced at `forum`, e.g. GRF23-00042.

    The counter row is incremented with an UPDATE, which holds its lock until the caller's
    transaction ends, so concurrent creations never receive the same number."""
    PledgeReferenceCounter.objects.get_or_create(forum=forum)
    PledgeReferenceCounter.objects.filter(forum=forum).update(last_number=F("last_number") + 1)
    number = PledgeReferenceCounter.objects.values_list("last_number", flat=True).get(forum=forum)
    return f"{forum.code}-{number:05d}"


def _apply_content(pledge: Pledge, data: PledgeInput) -> None:
    for name in (
        "title",
        "description",
        "compact",
        "forum",
        "geography_scope",
        "support_platform",
        "contact_name",
        "contact_email",
        "start_date",
        "end_date",
        "amount",
        "currency",
    ):
        setattr(pledge, name, getattr(data, name))
    pledge.title = pledge.title.strip()


def _apply_relations(pledge: Pledge, data: PledgeInput) -> None:
    # The M2M writes must not each leave a history row: the caller's final save records one
    # version with all of them.
    pledge.skip_history_when_saving = True
    try:
        pledge.objectives.set(data.objectives)
        pledge.actions.set(data.actions)
        pledge.principles.set(data.principles)
        pledge.thematic_areas.set(data.thematic_areas)
        pledge.support_types.set(data.support_types)
        pledge.beneficiary_countries.set(data.beneficiary_countries)
    finally:
        del pledge.skip_history_when_saving
    if data.targets is not None:
        _replace_targets(pledge, data.targets)


def _replace_targets(pledge: Pledge, targets: Sequence[TargetInput]) -> None:
    existing = {t.pk: t for t in pledge.targets.all()}
    keep: set[int] = set()
    for item in targets:
        target = existing.get(item.id) if item.id else None
        target = target or PledgeTarget(pledge=pledge)
        target.metric = item.metric.strip()
        target.unit = item.unit
        target.target_value = item.target_value
        target.baseline = item.baseline
        target.due_date = item.due_date
        target.save()
        keep.add(target.pk)
    pledge.targets.exclude(pk__in=keep).delete()


def _checked_reason(reason: str, *, needed: bool) -> str:
    """A review reason, stripped; refused when missing but needed, or longer than every form
    allows (it is kept whole in the audit trail and the history)."""
    reason = reason.strip()
    if needed and not reason:
        raise ValidationError({"reason": [_("Give a reason: the submitter will see it.")]})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": [
                    _("A reason can be at most %(max)s characters (this one has %(length)s).")
                    % {"max": f"{REASON_MAX_LENGTH:,}", "length": f"{len(reason):,}"}
                ]
            }
        )
    return reason


def _save_with_history(pledge: Pledge, *, by: Any, reason: str) -> None:
    pledge._history_user = by if getattr(by, "is_authenticated", False) else None
    pledge._change_reason = reason
    pledge.save()


@transaction.atomic
def create_pledge(*, data: PledgeInput, by: Any) -> Pledge:
    """Create a draft pledge for `data.entity`, with a fresh reference."""
    if not (is_active_member(by, data.entity) or is_secretariat(by)):
        raise PermissionDenied(_("You can create pledges only for entities you act for."))
    validate_pledge(data, complete=False)
    pledge = Pledge(
        entity=data.entity,
        reference=allocate_reference(data.forum),
        created_by=by if getattr(by, "is_authenticated", False) else None,
        announced_on=data.forum.start_date,
    )
    _apply_content(pledge, data)
    pledge.skip_history_when_saving = True
    pledge.save()
    del pledge.skip_history_when_saving
    _apply_relations(pledge, data)
    _save_with_history(pledge, by=by, reason=_("Created"))
    record_change(pledge, action="pledges.pledge.created", by=by)
    return pledge


@transaction.atomic
def update_pledge(
    *, pledge: Pledge, data: PledgeInput, by: Any, expected_version: int | None = None
) -> Pledge:
    """Save new content for a pledge. `expected_version` is the version the editor loaded:
    if somebody saved in between, StaleVersion is raised and nothing changes."""
    locked = Pledge.objects.select_for_update().get(pk=pledge.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion(
            _(
                "Somebody else changed this pledge while you were editing it. Reload it to see "
                "their changes, then make yours again."
            )
        )
    if not can_edit(locked, by):
        raise PermissionDenied(_("You cannot edit this pledge now."))
    if data.entity.pk != locked.entity_id:
        raise ValidationError({"entity": [_("The submitting entity of a pledge cannot change.")]})
    validate_pledge(data, complete=locked.review_state not in EDITABLE_STATES)
    counted_before = set(locked.objectives.values_list("pk", flat=True))
    _apply_content(locked, data)
    _apply_relations(locked, data)
    if locked.review_state == ReviewState.PUBLISHED:
        progress_changed([locked.pk], counted_before | {o.pk for o in data.objectives})
    locked.version += 1
    _save_with_history(locked, by=by, reason=_("Edited"))
    record_change(locked, action="pledges.pledge.updated", by=by)
    return locked


# --------------------------------------------------------------------------------------------
# Review transitions
# --------------------------------------------------------------------------------------------


@transaction.atomic
def transition_pledge(*, pledge: Pledge | int, action: str, by: Any, reason: str = "") -> Pledge:
    """Move a pledge through the review machine (see `workflow.PLEDGE_TRANSITIONS`)."""
    transition = PLEDGE_TRANSITIONS.get(action)
    if transition is None:
        raise TransitionNotAllowed(_("Unknown action “%(action)s”.") % {"action": action})
    pk = pledge if isinstance(pledge, int) else pledge.pk
    locked = Pledge.objects.select_for_update().select_related("entity", "compact").get(pk=pk)
    if not actor_allowed(by, transition.actor, locked.entity_id):
        raise PermissionDenied(
            _("You are not allowed to %(action)s this pledge.")
            % {"action": str(transition.label).lower()}
        )
    if locked.review_state not in transition.sources:
        raise TransitionNotAllowed(
            _("Pledge %(reference)s is %(state)s, so “%(action)s” is not possible now.")
            % {
                "reference": locked.reference,
                "state": locked.get_review_state_display().lower(),
                "action": transition.label,
            }
        )
    reason = _checked_reason(reason, needed=transition.needs_reason)
    if action in {"submit", "resubmit", "publish"}:
        if not locked.entity.is_verified:
            raise ValidationError(
                {
                    "entity": [
                        _(
                            "%(entity)s has not been verified by the secretariat yet; its "
                            "pledges can be submitted and published once it is."
                        )
                        % {"entity": locked.entity.name}
                    ]
                }
            )
        validate_pledge(PledgeInput.from_pledge(locked), complete=True)

    previous = locked.review_state
    now = timezone.now()
    locked.review_state = transition.target
    if action in {"submit", "resubmit"}:
        locked.submitted_at = now
    if action == "publish":
        locked.published_at = now
    locked.version += 1
    if ReviewState.PUBLISHED in (previous, transition.target):
        # Only published pledges count in progress figures: entering or leaving that state
        # changes them.
        progress_changed([locked.pk], locked.objectives.values_list("pk", flat=True))
    label = str(transition.label)
    _save_with_history(locked, by=by, reason=f"{label}: {reason}" if reason else label)
    record_change(
        locked,
        action=f"pledges.pledge.{action}",
        by=by,
        reason=reason,
        data={"from": previous, "to": transition.target},
    )
    if transition.actor is Actor.SECRETARIAT:
        notifications.review_decision(locked, transition=transition, reason=reason)
    elif action in {"submit", "resubmit"}:
        notifications.new_submission(locked)
    return locked


@dataclass(frozen=True)
class Refusal:
    """One row of a bulk action that cannot be applied, and why."""

    reference: str
    reason: str


class BulkActionRefused(TransitionNotAllowed):
    """Some rows of a bulk action were refused, so none was applied; `refusals` names each."""

    def __init__(self, refusals: Sequence[Refusal]) -> None:
        self.refusals = list(refusals)
        super().__init__(" ".join(f"{r.reference}: {r.reason}" for r in self.refusals))


def _refusal_reason(error: Exception) -> str:
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


@transaction.atomic
def all_or_none(items: Iterable[Any], apply: Any, reference: Any = str) -> list[Any]:
    """Apply `apply` to every item, each in a savepoint, collecting every refusal; if there is
    any, raise BulkActionRefused and roll all of them back (the bulk actions' one rule).

    Every row is tried (not just up to the first refusal) so that the person gets the whole
    list of what to fix at once. PermissionDenied is not a row's problem: it propagates."""
    done: list[Any] = []
    refusals: list[Refusal] = []
    for item in items:
        try:
            with transaction.atomic():
                done.append(apply(item))
        except (ValidationError, PledgeError, ObjectDoesNotExist) as error:
            refusals.append(Refusal(reference=reference(item), reason=_refusal_reason(error)))
    if refusals:
        raise BulkActionRefused(refusals)
    return done


def _pledge_reference(pledge: Pledge | int) -> str:
    if isinstance(pledge, Pledge):
        return pledge.reference
    return Pledge.objects.filter(pk=pledge).values_list("reference", flat=True).first() or str(
        pledge
    )


@transaction.atomic
def bulk_publish(*, pledges: Iterable[Pledge | int], by: Any) -> list[Pledge]:
    """Publish several pledges at once; if any of them cannot be published, none is, and
    BulkActionRefused names every one that refused with its reason.

    Callers should pass the pledges in a stable order (the queue's, oldest first): row locks are
    then always taken in the same order, so two overlapping bulk publishes wait for each other
    instead of deadlocking."""
    return all_or_none(
        pledges,
        lambda p: transition_pledge(pledge=p, action="publish", by=by),
        _pledge_reference,
    )


@transaction.atomic
def bulk_review_updates(
    *, updates: Iterable[PledgeUpdate | int], action: str, by: Any, reason: str = ""
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


# --------------------------------------------------------------------------------------------
# Joint pledges and links
# --------------------------------------------------------------------------------------------


def _require_pledge_editor(pledge: Pledge, by: Any) -> None:
    if not (is_active_member(by, pledge.entity_id) or is_secretariat(by)):
        raise PermissionDenied(_("Only the submitting entity can change this pledge."))
    if pledge.review_state in CLOSED_STATES:
        raise TransitionNotAllowed(_("This pledge is closed."))


def _touch(pledge_id: int) -> None:
    """Mark the pledge as changed (`updated_at`, `version`): its co-pledgers and links are part
    of what it shows, so incremental sync (`updated_since`), ETags and stale-edit checks must
    see them change. An UPDATE rather than a save: no history version for an unchanged field."""
    Pledge.objects.filter(pk=pledge_id).update(updated_at=timezone.now(), version=F("version") + 1)


@transaction.atomic
def invite_participant(
    *, pledge: Pledge, entity: Entity, by: Any, role: str = ParticipantRole.CO_PLEDGER
) -> PledgeParticipant:
    """Invite another entity to co-pledge; its members accept or decline. Only verified
    entities can be invited: an unverified one is only a claim somebody typed in, and
    accepting would put that claim on the pledge."""
    _require_pledge_editor(pledge, by)
    if entity.pk == pledge.entity_id:
        raise ValidationError({"entity": [_("The submitting entity is already on the pledge.")]})
    if not entity.is_verified:
        raise ValidationError(
            {
                "entity": [
                    _(
                        "%(entity)s has not been verified by the secretariat yet; it can be "
                        "invited once it is."
                    )
                    % {"entity": entity.name}
                ]
            }
        )
    if role not in ParticipantRole.values:
        raise ValidationError({"role": [_("Choose a valid role.")]})
    try:
        with transaction.atomic():
            participant = PledgeParticipant.objects.create(pledge=pledge, entity=entity, role=role)
    except IntegrityError:
        raise ValidationError(
            {"entity": [_("%(entity)s is already invited.") % {"entity": entity.name}]}
        ) from None
    record_change(
        pledge,
        action="pledges.participant.invited",
        by=by,
        data={"entity": entity.pk, "role": role},
    )
    _touch(pledge.pk)
    notifications.invitation(participant)
    return participant


@transaction.atomic
def respond_to_invitation(
    *, participant: PledgeParticipant, accept: bool, by: Any
) -> PledgeParticipant:
    """The invited entity accepts or declines co-pledging."""
    locked = PledgeParticipant.objects.select_for_update().get(pk=participant.pk)
    if not is_active_member(by, locked.entity_id):
        raise PermissionDenied(_("Only members of the invited entity can answer."))
    if locked.status != ParticipantStatus.INVITED:
        raise TransitionNotAllowed(_("This invitation has already been answered."))
    locked.status = ParticipantStatus.ACCEPTED if accept else ParticipantStatus.DECLINED
    locked.responded_at = timezone.now()
    locked.save(update_fields=["status", "responded_at", "updated_at"])
    record_change(
        locked.pledge,
        action=f"pledges.participant.{locked.status}",
        by=by,
        data={"entity": locked.entity_id},
    )
    _touch(locked.pledge_id)
    return locked


@transaction.atomic
def remove_participant(*, participant: PledgeParticipant, by: Any) -> None:
    """Take a co-pledging entity (or its invitation) off the pledge."""
    _require_pledge_editor(participant.pledge, by)
    record_change(
        participant.pledge,
        action="pledges.participant.removed",
        by=by,
        data={"entity": participant.entity_id},
    )
    participant.delete()
    _touch(participant.pledge_id)


@transaction.atomic
def link_pledges(*, source: Pledge, target: Pledge, kind: str, by: Any) -> PledgeLink:
    """Relate one pledge to another (matches, contributes to, supersedes, duplicate of)."""
    _require_pledge_editor(source, by)
    if kind not in LinkKind.values:
        raise ValidationError({"kind": [_("Choose a valid kind of link.")]})
    if source.pk == target.pk:
        raise ValidationError({"target": [_("A pledge cannot be linked to itself.")]})
    if not Pledge.objects.visible_to(by).filter(pk=target.pk).exists():
        raise ValidationError({"target": [_("No pledge with that reference.")]})
    try:
        with transaction.atomic():
            link = PledgeLink.objects.create(source=source, target=target, kind=kind)
    except IntegrityError:
        raise ValidationError({"target": [_("These pledges are already linked so.")]}) from None
    record_change(
        source,
        action="pledges.link.created",
        by=by,
        data={"target": target.reference, "kind": kind},
    )
    _touch(source.pk)
    return link


@transaction.atomic
def unlink_pledges(*, link: PledgeLink, by: Any) -> None:
    """Remove a link from the source pledge (its page and sync show the change)."""
    _require_pledge_editor(link.source, by)
    record_change(
        link.source,
        action="pledges.link.removed",
        by=by,
        data={"target": link.target.reference, "kind": link.kind},
    )
    link.delete()
    _touch(link.source_id)


# --------------------------------------------------------------------------------------------
# Progress updates
# --------------------------------------------------------------------------------------------


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


def validate_update(pledge: Pledge, data: UpdateInput) -> None:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if data.status not in ImplementationStatus.values:
        add("status", _("Choose the implementation status."))
    if not data.narrative.strip():
        add("narrative", _("Describe the progress made."))
    if data.reported_on > timezone.localdate():
        add("reported_on", _("The report date cannot be in the future."))
    url = URLValidator(schemes=["http", "https"])
    for link in data.evidence_links:
        try:
            url(link)
        except ValidationError:
            add("evidence_links", _("“%(link)s” is not a web address.") % {"link": link})
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
    targets = {t.pk: t for t in pledge.targets.all()}
    for target_id, value in data.actuals.items():
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
    if errors:
        raise ValidationError(errors)


def _pending_duplicate(pledge: Pledge, data: UpdateInput, by: Any) -> PledgeUpdate | None:
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
    ).prefetch_related("actuals")
    for candidate in candidates.order_by("id"):
        actuals = {a.target_id: a.value for a in candidate.actuals.all()}
        if candidate.evidence_links == list(data.evidence_links) and actuals == dict(data.actuals):
            return candidate
    return None


@transaction.atomic
def submit_update(*, pledge: Pledge, data: UpdateInput, by: Any) -> PledgeUpdate:
    """Report progress on a published pledge, on behalf of all its joint pledgers."""
    if not is_active_member(by, pledge.entity_id):
        raise PermissionDenied(_("Only members of the submitting entity can report progress."))
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
        data={"pledge": pledge.reference, "status": data.status},
    )
    notifications.new_update(update)
    return update


@transaction.atomic
def review_update(
    *, update: PledgeUpdate | int, action: str, by: Any, reason: str = ""
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
    notifications.update_decision(locked, transition=transition, reason=reason)
    return locked


def refresh_implementation_status(pledge_id: int) -> None:
    """Copy the latest approved update's status and date onto the pledge (a derived value kept
    on the row so that lists and filters need no subquery)."""
    latest = (
        PledgeUpdate.objects.filter(pledge_id=pledge_id, review_state=UpdateReviewState.APPROVED)
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


# --------------------------------------------------------------------------------------------
# Entities and memberships
# --------------------------------------------------------------------------------------------


# Longest reason the secretariat may give for declining a registration (the form's limit too).
DECLINE_REASON_MAX_LENGTH = 2000


def _lookalike_refusal(existing: Entity, by: Any) -> LookalikeName:
    """Refuse a name that looks like `existing`'s, saying only what `by` may know: an
    unverified entity is only a claim, so its name is not shown to others."""
    own = Membership.objects.filter(
        user=by, entity=existing, status=MembershipStatus.ACTIVE
    ).exists()
    if existing.is_verified:
        message = _(
            "“%(existing)s” is already registered, and this name looks the same. Ask to join "
            "it instead of registering it again."
        ) % {"existing": existing.name}
    elif own:
        message = _(
            "You have already registered “%(existing)s”, whose name looks the same; it is "
            "awaiting verification by the secretariat."
        ) % {"existing": existing.name}
    else:
        message = _(
            "An entity whose name looks the same is already registered and awaiting "
            "verification by the secretariat. If it is yours, ask its registrant to add you "
            "once it is verified, or write to the secretariat."
        )
    return LookalikeName({"name": [message]}, existing=existing, own=own)


@transaction.atomic
def register_entity(
    *,
    by: Any,
    name: str,
    entity_type: EntityType,
    country: Country | None = None,
    acronym: str = "",
    website: str = "",
    description: str = "",
) -> Entity:
    """Register a new entity. Its registrant acts for it at once and may draft pledges; none
    can be submitted for review (nor published) until the secretariat verifies it.

    A name that looks like a live entity's (same `pledges.names` skeleton, any type: a Cyrillic
    "о", a zero-width space or another case does not make a new entity) is refused with
    `LookalikeName`, which names the existing entity only if `by` may know it."""
    name = " ".join(name.split())
    skeleton, cased = name_skeleton(name), cased_name_skeleton(name)
    if not skeleton:
        raise ValidationError({"name": [_("Enter the entity's name.")]})
    if max(len(skeleton.encode()), len(cased.encode())) > MAX_SKELETON_BYTES:
        raise ValidationError({"name": [_("This name is too long.")]})
    existing = Entity.objects.looking_like(name).first()
    if existing is not None:
        raise _lookalike_refusal(existing, by)
    try:
        # A savepoint, so that a look-alike registered concurrently (the unique index on the
        # skeleton) becomes the same refusal instead of a broken transaction.
        with transaction.atomic():
            entity = Entity.objects.create(
                name=name,
                name_skeleton=skeleton,
                cased_name_skeleton=cased,
                entity_type=entity_type,
                country=country,
                acronym=acronym.strip(),
                website=website,
                description=description,
            )
    except IntegrityError:
        existing = Entity.objects.looking_like(name).first()
        if existing is None:
            raise
        raise _lookalike_refusal(existing, by) from None
    Membership.objects.create(
        user=by, entity=entity, role=MembershipRole.FOCAL_POINT, status=MembershipStatus.ACTIVE
    )
    record_change(entity, action="pledges.entity.registered", by=by)
    notifications.entity_registered(entity)
    return entity


def _lock_undecided_entity(entity: Entity) -> Entity:
    locked = Entity.objects.select_for_update().get(pk=entity.pk)
    if locked.is_verified:
        raise TransitionNotAllowed(_("%(entity)s is already verified.") % {"entity": locked.name})
    if locked.is_declined:
        raise TransitionNotAllowed(_("%(entity)s was declined.") % {"entity": locked.name})
    return locked


@transaction.atomic
def verify_entity(*, entity: Entity, by: Any) -> Entity:
    """The secretariat confirms the entity is who it says; its members are e-mailed."""
    if not is_secretariat(by):
        raise PermissionDenied(_("Only the secretariat verifies entities."))
    locked = _lock_undecided_entity(entity)
    locked.is_verified = True
    locked.verified_at = timezone.now()
    locked.save(update_fields=["is_verified", "verified_at", "updated_at"])
    # Its accepted co-pledgings become public (only verified co-pledgers are shown): each of
    # those pledges now shows one more co-pledger, which incremental sync must see.
    for pledge_id in locked.participations.filter(status=ParticipantStatus.ACCEPTED).values_list(
        "pledge_id", flat=True
    ):
        _touch(pledge_id)
    record_change(locked, action="pledges.entity.verified", by=by)
    notifications.entity_verified(locked)
    return locked


@transaction.atomic
def decline_entity(*, entity: Entity, reason: str, by: Any) -> Entity:
    """The secretariat refuses a registration (an impostor, a duplicate, not a pledging
    actor). The entity leaves the queue and frees its name; its members see the reason on
    their entities page and are e-mailed it."""
    if not is_secretariat(by):
        raise PermissionDenied(_("Only the secretariat declines entities."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Give a reason: the registrant will see it.")]})
    if len(reason) > DECLINE_REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": [
                    _("Keep the reason under %(limit)d characters.")
                    % {"limit": DECLINE_REASON_MAX_LENGTH}
                ]
            }
        )
    errors: dict[str, list[str]] = {}
    _check_storable(
        Entity,
        {"decline_reason": reason},
        lambda f, m: errors.setdefault(f, []).append(m),
        report_as="reason",
    )
    if errors:
        raise ValidationError(errors)
    locked = _lock_undecided_entity(entity)
    locked.declined_at = timezone.now()
    locked.decline_reason = reason
    locked.save(update_fields=["declined_at", "decline_reason", "updated_at"])
    record_change(locked, action="pledges.entity.declined", by=by, reason=reason)
    notifications.entity_declined(locked)
    return locked


@transaction.atomic
def request_membership(*, user: Any, entity: Entity) -> Membership:
    """Ask to act for an existing entity; the secretariat approves or declines."""
    membership, created = Membership.objects.select_for_update().get_or_create(
        user=user, entity=entity
    )
    if not created:
        if membership.status == MembershipStatus.ACTIVE:
            raise ValidationError(
                {"entity": [_("You already act for %(entity)s.") % {"entity": entity.name}]}
            )
        if membership.status == MembershipStatus.PENDING:
            raise ValidationError(
                {
                    "entity": [
                        _("Your request to join %(entity)s is pending.") % {"entity": entity.name}
                    ]
                }
            )
        membership.status = MembershipStatus.PENDING
        membership.save(update_fields=["status", "updated_at"])
    record_change(membership, action="pledges.membership.requested", by=user)
    notifications.membership_requested(membership)
    return membership


@transaction.atomic
def decide_membership(*, membership: Membership, approve: bool, by: Any) -> Membership:
    if not is_secretariat(by):
        raise PermissionDenied(_("Only the secretariat approves memberships."))
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if locked.status != MembershipStatus.PENDING:
        raise TransitionNotAllowed(_("This request has already been decided."))
    locked.status = MembershipStatus.ACTIVE if approve else MembershipStatus.DECLINED
    locked.save(update_fields=["status", "updated_at"])
    record_change(locked, action=f"pledges.membership.{locked.status}", by=by)
    notifications.membership_decision(locked)
    return locked


@transaction.atomic
def add_member(*, entity: Entity, user: Any, role: str, by: Any) -> Membership:
    """The secretariat makes `user` an active member of `entity` at once (the admin's
    membership inline): no request to decide, so the audit entry says who added them, and they
    get the e-mail of an approved request."""
    if not is_secretariat(by):
        raise PermissionDenied(_("Only the secretariat adds members."))
    if role not in MembershipRole.values:
        raise ValidationError({"role": [_("Choose a valid role.")]})
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user, entity=entity, role=role, status=MembershipStatus.ACTIVE
            )
    except IntegrityError:
        raise ValidationError(
            {
                "user": [
                    _("%(user)s already acts for, or has asked to join, %(entity)s.")
                    % {"user": user, "entity": entity.name}
                ]
            }
        ) from None
    record_change(membership, action="pledges.membership.added", by=by, data={"role": role})
    notifications.membership_decision(membership)
    return membership
