# ruff: noqa: S608 — SQL is built from model table names; values are parameters.
"""Progress of collective goals (goals.Goal), part of the progress engine: one grouped query
over the contributing targets, one snapshot per goal and day (docs/progress.md, "Collective
goals").

- pledged: Σ target value of the contributing targets of published pledges of verified
  entities (a target whose unit is not the goal's — the goal's unit was changed since — is
  left out); for a goal of a multistakeholder pledge, only of the pledges it accepted as
  members (a membership that ended stops counting, its contribution stays);
- achieved: Σ of each such target's latest approved achieved value (reported by an entity
  still verified), capped at its target
  (cumulative: the latest value, never a sum of updates); unreported targets add nothing;
- pledged_share / achieved_share: each ÷ the goal's target value.
"""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from goals.models import Goal, GoalContribution, GoalProgressSnapshot
from partnerships.models import MembershipState, MultistakeholderMembership
from pledges.models import (
    Entity,
    Pledge,
    PledgeProgressMark,
    PledgeTarget,
    PledgeUpdate,
    PledgeUpdateActual,
    ReviewState,
    UpdateReviewState,
)

from . import progress, snapshot_version


def _t(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _sums_sql() -> str:
    return f"""
    WITH counted AS (
        SELECT c.goal_id, t.id, t.pledge_id, t.target_value
        FROM {_t(GoalContribution)} c
        JOIN {_t(Goal)} g ON g.id = c.goal_id
        JOIN {_t(PledgeTarget)} t ON t.id = c.target_id AND t.unit = g.unit
        JOIN {_t(Pledge)} p ON p.id = t.pledge_id AND p.review_state = %(published)s
        JOIN {_t(Entity)} e ON e.id = p.entity_id AND e.is_verified
        WHERE c.goal_id = ANY(%(goals)s)
          AND (g.msp_id IS NULL OR EXISTS (
              SELECT 1 FROM {_t(MultistakeholderMembership)} m
              WHERE m.msp_id = g.msp_id AND m.pledge_id = p.id AND m.state = %(accepted)s
          ))
    ), latest AS (
        SELECT DISTINCT ON (a.target_id) a.target_id, a.value
        FROM {_t(PledgeUpdateActual)} a
        JOIN {_t(PledgeUpdate)} u ON u.id = a.update_id
        -- Only a verified reporter's update counts (`pledges.models.approved_update_q`).
        JOIN {_t(Entity)} ue ON ue.id = u.entity_id AND ue.is_verified
        WHERE u.review_state = %(approved)s AND a.target_id IN (SELECT id FROM counted)
        ORDER BY a.target_id, u.reported_on DESC, u.id DESC
    )
    SELECT k.goal_id,
           count(*) AS targets,
           count(DISTINCT k.pledge_id) AS pledges,
           sum(k.target_value) AS pledged,
           count(l.value) AS reported,
           -- least() ignores NULLs: an unreported target must not count as achieved.
           sum(least(l.value, k.target_value)) FILTER (WHERE l.value IS NOT NULL) AS achieved
    FROM counted k LEFT JOIN latest l ON l.target_id = k.id
    GROUP BY k.goal_id
    """


def compute_goals(goal_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The figures of each goal (every goal given gets figures, zeros when nothing counts)."""
    goals = {g.pk: g for g in Goal.objects.filter(pk__in=goal_ids).only("pk", "target_value")}
    sums: dict[int, dict[str, Any]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            _sums_sql(),
            {
                "goals": list(goals),
                "published": ReviewState.PUBLISHED,
                "approved": UpdateReviewState.APPROVED,
                "accepted": MembershipState.ACCEPTED,
            },
        )
        columns = [c.name for c in cursor.description]
        for row in cursor.fetchall():
            found = dict(zip(columns, row, strict=True))
            sums[found["goal_id"]] = found
    results = {}
    for goal_id, goal in goals.items():
        found = sums.get(goal_id, {})
        pledged = Decimal(found.get("pledged") or 0)
        reported = int(found.get("reported") or 0)
        achieved = Decimal(found["achieved"]) if reported else None
        results[goal_id] = {
            "goal_target": progress.money(goal.target_value),
            "pledges": int(found.get("pledges") or 0),
            "targets": int(found.get("targets") or 0),
            "reported": reported,
            "pledged": progress.money(pledged),
            "achieved": progress.money(achieved),
            "pledged_share": progress.fmt(progress.ratio(pledged, goal.target_value)),
            "achieved_share": progress.fmt(progress.ratio(achieved, goal.target_value)),
        }
    return results


def recompute_goals(goal_ids: Sequence[int] | None = None, *, on: dt.date | None = None) -> int:
    """Compute and upsert today's (or `on`'s) snapshot of these goals (default: all); returns
    how many snapshots were written."""
    on = on or timezone.localdate()
    ids = list(
        Goal.objects.values_list("pk", flat=True)
        if goal_ids is None
        else Goal.objects.filter(pk__in=goal_ids).values_list("pk", flat=True)
    )
    if not ids:
        return 0
    results = compute_goals(ids)
    now = timezone.now()
    with transaction.atomic():
        GoalProgressSnapshot.objects.bulk_create(
            [
                GoalProgressSnapshot(goal_id=goal_id, date=on, figures=figures, computed_at=now)
                for goal_id, figures in results.items()
            ],
            update_conflicts=True,
            unique_fields=["goal", "date"],
            update_fields=["figures", "computed_at"],
            batch_size=500,
        )
        snapshot_version.bump_on_commit()
    return len(results)


def stale_goal_marks() -> dict[int, dt.datetime]:
    """Goal id → its stale mark, for the goals waiting for a recompute."""
    return {
        pk: mark
        for pk, mark in Goal.objects.filter(progress_stale_since__isnull=False).values_list(
            "pk", "progress_stale_since"
        )
        if mark is not None
    }


def clear_goal_marks(seen: dict[int, dt.datetime]) -> None:
    """Clear each mark only if it still holds the value read before computing: a change made
    meanwhile leaves its newer mark for the next run."""
    for goal_id, mark in seen.items():
        Goal.objects.filter(pk=goal_id, progress_stale_since=mark).update(progress_stale_since=None)


def mark_goals_of_changed_pledges(pledge_ids: Sequence[int] | None = None) -> int:
    """Mark the goals that targets of these pledges (default: every pledge marked as changed,
    `PledgeProgressMark`) count towards. The pledge services mark a changed pledge, not its
    goals (pledges knows nothing of goals): the runner calls this before it computes, and
    `delta.apply_marked` before it consumes a batch of pledge marks, so that no change is lost
    between the two."""
    contributions = GoalContribution.objects.all()
    if pledge_ids is None:
        marked = PledgeProgressMark.objects.values("pledge_id")
        contributions = contributions.filter(target__pledge_id__in=marked)
    else:
        contributions = contributions.filter(target__pledge_id__in=list(pledge_ids))
    goals = contributions.values("goal_id")
    return Goal.objects.filter(pk__in=goals).update(progress_stale_since=timezone.now())


def mark_goals_of_stale_msps() -> int:
    """Mark the goals of the multistakeholder pledges marked stale: a membership accepted or
    ended changes what counts towards their goals (the partnership services mark the MSP; they
    know nothing of goals). The stale-progress task calls this before the run computes goals."""
    return Goal.objects.filter(msp__progress_stale_since__isnull=False).update(
        progress_stale_since=timezone.now()
    )


def mark_all_goals_stale() -> int:
    """For a run that could not take the goals' lock: the next sweep redoes them."""
    return Goal.objects.update(progress_stale_since=timezone.now())
