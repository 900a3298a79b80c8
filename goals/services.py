"""Writes of the goals app: counting a pledge target towards a goal (and no longer), and saving
goals. Every write is audited on the pledge (its History page) and marks the goal's progress
stale in the same transaction; the progress engine recomputes it (docs/progress.md,
"Collective goals")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from compacts.progress_marks import nudge_recompute
from core.audit import record_change
from partnerships.models import MembershipState, MultistakeholderPledge
from partnerships.services import can_manage
from pledges.models import Pledge, PledgeTarget, TargetUnit
from pledges.workflow import can_edit, is_secretariat

from .models import Goal, GoalContribution

if TYPE_CHECKING:
    from accounts.models import User


def may_count_towards_goals(pledge: Pledge, user: User | None) -> bool:
    """Who decides which goals a pledge's targets count towards: whoever may edit the pledge
    now (pledges.workflow.can_edit), and the secretariat at any time."""
    return can_edit(pledge, user) or is_secretariat(user)


def mark_goals_stale(goal_ids: Iterable[int]) -> int:
    """Mark goals as needing a recompute (durable, in this transaction) and nudge the engine
    after commit; the engine clears a mark only if it did not move meanwhile."""
    ids = {int(i) for i in goal_ids}
    if not ids:
        return 0
    marked = Goal.objects.filter(pk__in=ids).update(progress_stale_since=timezone.now())
    transaction.on_commit(nudge_recompute)
    return marked


def is_accepted_member(pledge: Pledge, msp_id: int) -> bool:
    return pledge.msp_memberships.filter(msp_id=msp_id, state=MembershipState.ACCEPTED).exists()


def goals_open_to(pledge: Pledge) -> QuerySet[Goal]:
    """The goals a pledge's targets may count towards: its compact's forums' goals, and the
    goals of the multistakeholder pledges that accepted it as a member."""
    accepted = pledge.msp_memberships.filter(state=MembershipState.ACCEPTED).values("msp_id")
    return (
        Goal.objects.filter(Q(forum__compact_id=pledge.compact_id) | Q(msp_id__in=accepted))
        .select_related("forum", "msp")
        .order_by("msp_id", "forum__year", "forum__code", "position", "id")
    )


@transaction.atomic
def add_contribution(*, goal: Goal, target: PledgeTarget, by: User) -> GoalContribution:
    """Count `target` towards `goal`. Refused, on the `goal` field, when the units differ, the
    goal belongs to the other compact, or the target already counts towards it."""
    pledge = target.pledge
    if not may_count_towards_goals(pledge, by):
        raise PermissionDenied(_("Only the pledge's editors or the secretariat can do this."))
    if goal.unit != target.unit:
        raise ValidationError(
            {
                "goal": [
                    _(
                        "This goal is counted in %(goal_unit)s and this target in "
                        "%(target_unit)s: a target counts only towards a goal of the same unit."
                    )
                    % {
                        "goal_unit": goal.get_unit_display(),
                        "target_unit": target.get_unit_display(),
                    }
                ]
            }
        )
    if goal.forum is not None and goal.forum.compact_id != pledge.compact_id:
        raise ValidationError({"goal": [_("This goal belongs to a forum of the other compact.")]})
    if goal.msp_id is not None and not is_accepted_member(pledge, goal.msp_id):
        raise ValidationError(
            {
                "goal": [
                    _(
                        "Only pledges the multistakeholder pledge accepted as members count "
                        "towards its goals."
                    )
                ]
            }
        )
    try:
        with transaction.atomic():
            contribution = GoalContribution.objects.create(goal=goal, target=target, created_by=by)
    except IntegrityError:
        raise ValidationError(
            {"goal": [_("This target already counts towards this goal.")]}
        ) from None
    record_change(
        pledge,
        action="goals.contribution.added",
        by=by,
        data={"goal": goal.pk, "target": target.pk, "metric": target.metric},
    )
    mark_goals_stale([goal.pk])
    return contribution


@transaction.atomic
def remove_contribution(*, contribution: GoalContribution, by: User) -> None:
    """Stop counting a target towards a goal."""
    pledge = contribution.target.pledge
    if not may_count_towards_goals(pledge, by):
        raise PermissionDenied(_("Only the pledge's editors or the secretariat can do this."))
    goal_id, target_id = contribution.goal_id, contribution.target_id
    contribution.delete()
    record_change(
        pledge,
        action="goals.contribution.removed",
        by=by,
        data={"goal": goal_id, "target": target_id},
    )
    mark_goals_stale([goal_id])


@transaction.atomic
def save_goal(*, goal: Goal, by: User | None = None) -> Goal:
    """Save a goal (the admin calls this): validated, audited, and its progress marked stale,
    since a new unit or target value changes every figure."""
    goal.full_clean()
    created = goal.pk is None
    goal.save()
    record_change(
        goal,
        action="goals.goal.created" if created else "goals.goal.changed",
        by=by,
        data={"unit": goal.unit, "target_value": str(goal.target_value)},
    )
    mark_goals_stale([goal.pk])
    return goal


# --- goals of multistakeholder pledges ----------------------------------------------------------


@dataclass
class GoalInput:
    text: str
    unit: str
    target_value: Decimal
    target_year: int | None = None
    source: str = ""


def _require_msp_manager(msp: MultistakeholderPledge, by: User) -> None:
    if not can_manage(by, msp):
        raise PermissionDenied(
            _("Only the secretariat and the lead entities can manage this pledge's goals.")
        )


def _check_goal(data: GoalInput) -> None:
    """The goal's check constraints, as field errors."""
    errors: dict[str, list[str]] = {}
    if not (data.text or "").strip():
        errors["text"] = [_("Say what the goal is.")]
    if data.unit == TargetUnit.PERCENT:
        errors["unit"] = [_("Percentages of different pledges cannot be added up: choose a count.")]
    elif data.unit not in TargetUnit.values:
        errors["unit"] = [_("Choose a unit from the list.")]
    if data.target_value is None or data.target_value <= 0:
        errors["target_value"] = [_("The target must be more than zero.")]
    if data.target_year is not None and not 2000 <= data.target_year <= 2100:
        errors["target_year"] = [_("Give a year between 2000 and 2100.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_msp_goal(
    *, msp: MultistakeholderPledge, data: GoalInput, by: User, goal: Goal | None = None
) -> Goal:
    """Create (goal=None) or change one goal of an MSP: its managers' write, audited on the
    goal; its progress is marked stale since a new unit or target changes every figure."""
    _require_msp_manager(msp, by)
    if goal is None:
        last = Goal.objects.filter(msp=msp).aggregate(last=Max("position"))["last"]
        goal = Goal(msp=msp, position=(last or 0) + 1)
    elif goal.msp_id != msp.pk:
        raise PermissionDenied(_("This goal belongs to another multistakeholder pledge."))
    _check_goal(data)
    # The goal's text is stored as its base (English) text, the fallback of every language,
    # as the admin does; translations are added in the admin.
    with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
        goal.text = (data.text or "").strip()
    goal.unit = data.unit
    goal.target_value = data.target_value
    goal.target_year = data.target_year
    goal.source = (data.source or "").strip()
    # full_clean gives field errors (unit, target year, lengths); the constraints back it.
    return save_goal(goal=goal, by=by)


@transaction.atomic
def remove_msp_goal(*, goal: Goal, by: User) -> None:
    """Remove an MSP's goal with its contributions and snapshots; the audit entry keeps what
    it was."""
    if goal.msp is None:
        raise PermissionDenied(_("Only goals of multistakeholder pledges can be removed here."))
    _require_msp_manager(goal.msp, by)
    record_change(
        goal,
        action="goals.goal.removed",
        by=by,
        data={
            "msp": goal.msp.slug,
            "text": goal.text,
            "unit": goal.unit,
            "target_value": str(goal.target_value),
            "contributions": goal.contributions.count(),
        },
    )
    goal.delete()
