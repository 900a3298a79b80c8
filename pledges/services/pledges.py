"""Pledges: their content and its rules, creation, edits and the review transitions.

Each function is keyword-only, typed and atomic; transitions lock the row so that two reviewers
acting at once produce one transition and one audit entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
from ..exceptions import StaleVersion, TransitionNotAllowed
from ..models import (
    LANGUAGE_CODES,
    ContinuousReferenceCounter,
    Entity,
    GeographyScope,
    Pledge,
    PledgeReferenceCounter,
    PledgeTarget,
    ReviewState,
    SupportType,
    TargetUnit,
    continuous_reference,
    forum_reference,
)
from ..progress_marks import progress_changed
from ..search_context import refresh_context_search
from ..workflow import (
    EDITABLE_STATES,
    PLEDGE_TRANSITIONS,
    Actor,
    actor_allowed,
    can_edit,
    is_active_member,
    is_secretariat,
)
from .common import (
    _Add,
    _attribute_history,
    _check_storable,
    _checked_reason,
    all_or_none,
    implausible,
)
from .feed import feed_pledges

if TYPE_CHECKING:
    from accounts.models import User

# The GCM pledge form requires a description of this length (in characters).
GCM_DESCRIPTION_LENGTH = (300, 3000)
# Bounds that are facts about any pledge, so they hold for drafts too (a draft may be
# incomplete, never impossible): GCR publishes no maximum length, so its descriptions are
# bounded like progress narratives; the editor offers this many target rows; forums run from
# 2016 (the New York Declaration) and a pledge may build on earlier work or run for decades.
DESCRIPTION_MAX_LENGTH = 20_000
MAX_TARGETS = 50
PLEDGE_DATE_RANGE = (dt.date(2000, 1, 1), dt.date(2100, 12, 31))
ANNOUNCED_ON_NEEDED = gettext_lazy("Give the date the pledge was announced: it is not at a forum.")


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
    """Everything a stakeholder enters about a pledge."""

    title: str
    description: str
    compact: Compact
    # None: announced outside any forum (continuous pledging); `announced_on` is then required.
    forum: Forum | None
    entity: Entity
    # The language the title and description are written in (a code of settings.LANGUAGES).
    # None leaves it as it is (a new pledge: the site's default language), so that a client
    # that does not send it yet never turns a French pledge into an English one.
    language: str | None = None
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
    # The day the pledge was announced. Required without a forum; at a forum, None means the
    # forum's first day (unchanged for a pledge that has a date already).
    announced_on: dt.date | None = None
    # The id in the system the pledge was imported from; None leaves it as it is.
    external_id: str | None = None
    # The person confirmed content that looks wrong but is right (`_rule_plausible_dates`):
    # without it such content is refused with a message saying why.
    confirm_implausible: bool = False

    @classmethod
    def from_pledge(
        cls, pledge: Pledge, *, sets: Mapping[str, Sequence[Any]] | None = None
    ) -> PledgeInput:
        """The pledge's current content, e.g. to validate it in full before submission.
        `sets`: its many-to-many sets by field name, already read (an import reads them for
        500 pledges at once); the targets are then left out (None: left as they are)."""
        if sets is None:
            sets = {name: list(getattr(pledge, name).all()) for name in PLEDGE_SETS}
            targets: list[TargetInput] | None = [
                TargetInput(
                    id=t.pk,
                    metric=t.metric,
                    unit=t.unit,
                    target_value=t.target_value,
                    baseline=t.baseline,
                    due_date=t.due_date,
                )
                for t in pledge.targets.all()
            ]
        else:
            targets = None
        return cls(
            title=pledge.title,
            description=pledge.description,
            compact=pledge.compact,
            forum=pledge.forum,
            entity=pledge.entity,
            language=pledge.language,
            geography_scope=pledge.geography_scope,
            support_platform=pledge.support_platform,
            contact_name=pledge.contact_name,
            contact_email=pledge.contact_email,
            start_date=pledge.start_date,
            end_date=pledge.end_date,
            amount=pledge.amount,
            currency=pledge.currency,
            announced_on=pledge.announced_on,
            external_id=pledge.external_id,
            targets=targets,
            objectives=list(sets.get("objectives", [])),
            actions=list(sets.get("actions", [])),
            principles=list(sets.get("principles", [])),
            thematic_areas=list(sets.get("thematic_areas", [])),
            support_types=list(sets.get("support_types", [])),
            beneficiary_countries=list(sets.get("beneficiary_countries", [])),
        )


# The many-to-many sets of a pledge, as PledgeInput names them.
PLEDGE_SETS = (
    "objectives",
    "actions",
    "principles",
    "thematic_areas",
    "support_types",
    "beneficiary_countries",
)


# --- The rules of a pledge, one fact each. Each gets the pledge's content, `add` for its
# field-level messages and `complete`: completeness rules (at least one objective, the GCM
# description length, beneficiary countries) apply only when it is set. A new rule is one
# function here and one line in _PLEDGE_RULES.


def _rule_title_given(data: PledgeInput, add: _Add, complete: bool) -> None:
    if not data.title.strip():
        add("title", _("Give the pledge a title."))


def _rule_known_language(data: PledgeInput, add: _Add, complete: bool) -> None:
    if data.language is not None and data.language not in LANGUAGE_CODES:
        add(
            "language",
            _("Choose one of the languages of the site: %(languages)s.")
            % {"languages": ", ".join(LANGUAGE_CODES)},
        )


def _rule_forum_of_the_compact(data: PledgeInput, add: _Add, complete: bool) -> None:
    if data.forum is not None and data.forum.compact_id != data.compact.pk:
        add(
            "forum",
            _("%(forum)s is not a forum of the %(compact)s.")
            % {"forum": data.forum.name, "compact": data.compact.name},
        )


def _rule_announced_on_without_forum(data: PledgeInput, add: _Add, complete: bool) -> None:
    # Without a forum nothing else dates the pledge, and its amount converts to USD at this date.
    if data.forum is None and data.announced_on is None:
        add("announced_on", str(ANNOUNCED_ON_NEEDED))
    _check_date("announced_on", data.announced_on, add)


def _rule_objectives_of_the_compact(data: PledgeInput, add: _Add, complete: bool) -> None:
    foreign = [o for o in data.objectives if o.compact_id != data.compact.pk]
    if foreign:
        add(
            "objectives",
            _("Objectives must belong to the %(compact)s: %(objectives)s.")
            % {"compact": data.compact.code, "objectives": ", ".join(str(o) for o in foreign)},
        )


def _rule_actions_of_the_objectives(data: PledgeInput, add: _Add, complete: bool) -> None:
    objective_ids = {o.pk for o in data.objectives}
    stray = [a for a in data.actions if a.objective_id not in objective_ids]
    if stray:
        add(
            "actions",
            _("Actions must belong to one of the pledge's objectives: %(actions)s.")
            % {"actions": ", ".join(str(a) for a in stray)},
        )


def _rule_principles_of_the_compact(data: PledgeInput, add: _Add, complete: bool) -> None:
    if any(p.compact_id != data.compact.pk for p in data.principles):
        add(
            "principles",
            _("Guiding principles must be those of the %(compact)s.")
            % {"compact": data.compact.code},
        )


def _rule_thematic_areas_of_the_compact(data: PledgeInput, add: _Add, complete: bool) -> None:
    if any(t.compact_id != data.compact.pk for t in data.thematic_areas):
        add(
            "thematic_areas",
            _("Thematic areas must be those of the %(compact)s.") % {"compact": data.compact.code},
        )


def _rule_support_platform_of_the_compact(data: PledgeInput, add: _Add, complete: bool) -> None:
    if data.support_platform and data.support_platform.compact_id != data.compact.pk:
        add("support_platform", _("This support platform belongs to another compact."))


def _rule_amount_not_negative(data: PledgeInput, add: _Add, complete: bool) -> None:
    if data.amount is not None and data.amount < 0:
        add("amount", _("The amount cannot be negative."))


def _rule_amount_with_its_currency(data: PledgeInput, add: _Add, complete: bool) -> None:
    if data.amount is not None and data.currency is None:
        add("currency", _("Choose the currency of the amount."))
    if data.amount is None and data.currency is not None:
        add(
            "amount",
            _("Enter the amount in %(currency)s, or clear the currency.")
            % {"currency": data.currency.code},
        )


def _rule_dates_in_order(data: PledgeInput, add: _Add, complete: bool) -> None:
    if data.start_date and data.end_date and data.end_date < data.start_date:
        add("end_date", _("The end date cannot be before the start date."))


def _rule_known_geography_scope(data: PledgeInput, add: _Add, complete: bool) -> None:
    if data.geography_scope not in GeographyScope.values:
        add("geography_scope", _("Choose a valid geographic scope."))


def _rule_description_within_bound(data: PledgeInput, add: _Add, complete: bool) -> None:
    """A bound every save respects, draft or not (see DESCRIPTION_MAX_LENGTH)."""
    gcm = data.compact.code == "GCM"
    high = GCM_DESCRIPTION_LENGTH[1] if gcm else DESCRIPTION_MAX_LENGTH
    length = len(data.description.strip())
    # A complete GCM pledge gets the 300–3,000 message instead (_rule_description_given).
    if length > high and not (complete and gcm):
        add(
            "description",
            _("A description can be at most %(high)s characters (this one has %(length)s).")
            % {"high": f"{high:,}", "length": f"{length:,}"},
        )


def _rule_plausible_dates(data: PledgeInput, add: _Add, complete: bool) -> None:
    """A target due before the pledge starts is most likely a typing error in one of the dates."""
    if data.confirm_implausible or data.start_date is None:
        return
    for target in data.targets or ():
        if target.due_date is not None and target.due_date < data.start_date:
            implausible(
                add,
                "targets",
                _(
                    "Target “%(metric)s” is due on %(due)s, before the pledge starts "
                    "(%(start)s). Check both dates."
                )
                % {
                    "metric": target.metric,
                    "due": target.due_date.isoformat(),
                    "start": data.start_date.isoformat(),
                },
            )


def _rule_targets_at_most_max(data: PledgeInput, add: _Add, complete: bool) -> None:
    if data.targets is not None and len(data.targets) > MAX_TARGETS:
        add(
            "targets",
            _("A pledge can have at most %(max)s targets (this one has %(count)s).")
            % {"max": MAX_TARGETS, "count": f"{len(data.targets):,}"},
        )


def _rule_dates_in_range(data: PledgeInput, add: _Add, complete: bool) -> None:
    _check_date("start_date", data.start_date, add)
    _check_date("end_date", data.end_date, add)


def _rule_known_currency(data: PledgeInput, add: _Add, complete: bool) -> None:
    # A currency read from the table is known; only one built from a code needs the look-up.
    if (
        data.currency is not None
        and data.currency._state.adding
        and not Currency.objects.filter(code=data.currency.code).exists()
    ):
        add(
            "currency",
            _("“%(value)s” is not an ISO 4217 currency code we know.")
            % {"value": data.currency.code},
        )


def _rule_storable(data: PledgeInput, add: _Add, complete: bool) -> None:
    names = ("title", "description", "contact_name", "contact_email", "amount", "external_id")
    _check_storable(Pledge, {name: getattr(data, name) for name in names}, add)


def _rule_targets_valid(data: PledgeInput, add: _Add, complete: bool) -> None:
    for target in data.targets or ():
        _validate_target(target, add)


def _rule_objective_chosen(data: PledgeInput, add: _Add, complete: bool) -> None:
    if complete and not data.objectives:
        add("objectives", _("Choose at least one objective."))


def _rule_description_given(data: PledgeInput, add: _Add, complete: bool) -> None:
    """A complete pledge is described; a GCM one at the length its form requires."""
    if not complete:
        return
    length = len(data.description.strip())
    low, high = GCM_DESCRIPTION_LENGTH
    if data.compact.code == "GCM" and not low <= length <= high:
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


def _rule_beneficiaries_named(data: PledgeInput, add: _Add, complete: bool) -> None:
    global_scope = data.geography_scope == GeographyScope.GLOBAL
    if complete and not global_scope and not data.beneficiary_countries:
        add(
            "beneficiary_countries",
            _("Name at least one beneficiary country, or set the scope to global."),
        )


# In the order their messages are shown.
_PLEDGE_RULES: tuple[Callable[[PledgeInput, _Add, bool], None], ...] = (
    _rule_title_given,
    _rule_known_language,
    _rule_forum_of_the_compact,
    _rule_announced_on_without_forum,
    _rule_objectives_of_the_compact,
    _rule_actions_of_the_objectives,
    _rule_principles_of_the_compact,
    _rule_thematic_areas_of_the_compact,
    _rule_support_platform_of_the_compact,
    _rule_amount_not_negative,
    _rule_amount_with_its_currency,
    _rule_dates_in_order,
    _rule_known_geography_scope,
    _rule_description_within_bound,
    _rule_targets_at_most_max,
    _rule_dates_in_range,
    _rule_known_currency,
    _rule_storable,
    _rule_targets_valid,
    _rule_objective_chosen,
    _rule_description_given,
    _rule_beneficiaries_named,
    _rule_plausible_dates,
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
        messages = errors.setdefault(name, [])
        if message not in messages:  # e.g. the one confirmation several implausibilities ask
            messages.append(message)

    for rule in _PLEDGE_RULES:
        rule(data, add, complete)
    if errors:
        raise ValidationError(errors)


def _check_date(name: str, value: dt.date | None, add: _Add) -> None:
    low, high = PLEDGE_DATE_RANGE
    if value is not None and not low <= value <= high:
        add(
            name,
            _("Enter a date between %(low)s and %(high)s.")
            % {"low": low.isoformat(), "high": high.isoformat()},
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


def _validate_target(target: TargetInput, add: _Add) -> None:
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


def allocate_reference(forum: Forum | None, compact: Compact | None = None) -> str:
    """The next human reference for a pledge announced at `forum`, e.g. GRF23-00042; for one
    announced outside any forum, the next of its compact's continuous series, GCR-C-000123."""
    return allocate_references(forum, compact, 1)[0]


def allocate_references(forum: Forum | None, compact: Compact | None, count: int) -> list[str]:
    """The next `count` references of the series of `forum` (or of `compact` outside any forum).

    The counter row is incremented with an UPDATE, which holds its lock until the caller's
    transaction ends, so concurrent creations never receive the same number."""
    if forum is None:
        if compact is None:
            raise ValueError("A pledge outside any forum is numbered in its compact's series.")
        ContinuousReferenceCounter.objects.get_or_create(compact=compact)
        counter = ContinuousReferenceCounter.objects.filter(compact=compact)
        counter.update(last_number=F("last_number") + count)
        last = counter.values_list("last_number", flat=True).get()
        return [continuous_reference(compact.code, n) for n in range(last - count + 1, last + 1)]
    PledgeReferenceCounter.objects.get_or_create(forum=forum)
    PledgeReferenceCounter.objects.filter(forum=forum).update(last_number=F("last_number") + count)
    last = PledgeReferenceCounter.objects.values_list("last_number", flat=True).get(forum=forum)
    return [forum_reference(forum.code, n) for n in range(last - count + 1, last + 1)]


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
    if data.announced_on is not None:
        pledge.announced_on = data.announced_on
    elif data.forum is not None and pledge.announced_on is None:
        pledge.announced_on = data.forum.start_date
    if data.language is not None:
        pledge.language = data.language
    if data.external_id is not None:
        pledge.external_id = data.external_id.strip()


def _apply_relations(pledge: Pledge, data: PledgeInput) -> None:
    # The M2M writes must not each leave a history row: the caller's final save records one
    # version with all of them.
    pledge.skip_history_when_saving = True  # type: ignore[attr-defined]  # simple_history's switch
    try:
        pledge.objectives.set(data.objectives)
        pledge.actions.set(data.actions)
        pledge.principles.set(data.principles)
        pledge.thematic_areas.set(data.thematic_areas)
        pledge.support_types.set(data.support_types)
        pledge.beneficiary_countries.set(data.beneficiary_countries)
    finally:
        del pledge.skip_history_when_saving  # type: ignore[attr-defined]  # as above
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


def _save_with_history(pledge: Pledge, *, by: User, reason: str) -> None:
    _attribute_history(pledge, by=by, reason=reason)
    pledge.save()


@transaction.atomic
def create_pledge(*, data: PledgeInput, by: User, reason: str = "") -> Pledge:
    """Create a draft pledge for `data.entity`, with a fresh reference. `reason` (e.g. the import
    and its file) goes into the history version and the audit entry."""
    if not (is_active_member(by, data.entity) or is_secretariat(by)):
        raise PermissionDenied(_("You can create pledges only for entities you act for."))
    validate_pledge(data, complete=False)
    pledge = Pledge(
        entity=data.entity,
        reference=allocate_reference(data.forum, data.compact),
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    _apply_content(pledge, data)
    pledge.skip_history_when_saving = True  # type: ignore[attr-defined]  # simple_history's switch
    pledge.save()
    del pledge.skip_history_when_saving  # type: ignore[attr-defined]  # as above
    _apply_relations(pledge, data)
    _save_with_history(pledge, by=by, reason=reason or _("Created"))
    # After the save, which writes every column: the vector is read from the rows just written.
    refresh_context_search([pledge.pk])
    pledge.refresh_from_db(fields=["context_search_vector"])
    record_change(pledge, action="pledges.pledge.created", by=by, reason=reason)
    return pledge


@transaction.atomic
def update_pledge(
    *,
    pledge: Pledge,
    data: PledgeInput,
    by: User,
    expected_version: int | None = None,
    reason: str = "",
) -> Pledge:
    """Save new content for a pledge. `expected_version` is the version the editor loaded:
    if somebody saved in between, StaleVersion is raised and nothing changes. `reason` (e.g.
    the import and its file) goes into the history version and the audit entry."""
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
    _save_with_history(locked, by=by, reason=reason or _("Edited"))
    refresh_context_search([locked.pk])
    locked.refresh_from_db(fields=["context_search_vector"])
    record_change(locked, action="pledges.pledge.updated", by=by, reason=reason)
    feed_pledges([locked.pk])
    return locked


# --------------------------------------------------------------------------------------------
# Review transitions
# --------------------------------------------------------------------------------------------


def _check_ready_for_review(pledge: Pledge) -> None:
    """What submission and publication need: a verified entity, and complete content."""
    if not pledge.entity.is_verified:
        raise ValidationError(
            {
                "entity": [
                    _(
                        "%(entity)s has not been verified by the secretariat yet; its "
                        "pledges can be submitted and published once it is."
                    )
                    % {"entity": pledge.entity.name}
                ]
            }
        )
    # What looked implausible was confirmed (or refused) when it was entered.
    content = replace(PledgeInput.from_pledge(pledge), confirm_implausible=True)
    validate_pledge(content, complete=True)


@transaction.atomic
def transition_pledge(*, pledge: Pledge | int, action: str, by: User, reason: str = "") -> Pledge:
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
        _check_ready_for_review(locked)

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
    feed_pledges([locked.pk])
    if transition.actor is Actor.SECRETARIAT:
        notifications.review_decision(locked, transition=transition, reason=reason)
    elif action in {"submit", "resubmit"}:
        notifications.new_submission(locked)
    return locked


def _pledge_reference(pledge: Pledge | int) -> str:
    if isinstance(pledge, Pledge):
        return pledge.reference
    return Pledge.objects.filter(pk=pledge).values_list("reference", flat=True).first() or str(
        pledge
    )


@transaction.atomic
def bulk_publish(*, pledges: Iterable[Pledge | int], by: User) -> list[Pledge]:
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
