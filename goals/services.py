"""Writes of the goals app: counting a pledge target towards a goal (and no longer), and saving
goals. Every write is audited on the pledge (its History page) and marks the goal's progress
stale in the same transaction; the progress engine recomputes it (docs/progress.md,
"Collective goals")."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compacts.progress_marks import nudge_recompute
from core.audit import record_change
from pledges.models import Pledge, PledgeTarget
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
