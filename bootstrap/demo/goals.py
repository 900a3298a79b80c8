# ruff: noqa: S608 — SQL is built from model table names; values are parameters.
"""Targets of the demo pledges that count towards the forums' collective goals: one
INSERT … SELECT, whatever the number of pledges (the benchmark loads up to 1,000,000)."""

from django.db import connection
from django.utils import timezone

from goals.models import Goal, GoalContribution
from goals.services import mark_goals_stale
from pledges.models import Pledge, PledgeTarget

# Of the targets in a goal's unit announced at its forum, about one in SHARE counts towards
# each goal (spread by id, so that every goal gets some and the choice is reproducible).
SHARE = 4


def _t(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)  # type: ignore[attr-defined]  # a model


def create_goal_contributions() -> int:
    """Count some targets of every forum's pledges towards that forum's goals (pledges in any
    review state: the engine itself keeps the published pledges of verified entities). Returns
    how many contributions were added; the goals are marked for the progress engine."""
    goals = list(Goal.objects.filter(forum__isnull=False).order_by("forum_id", "position", "id"))
    if not goals:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH goal AS (
                SELECT g.id, g.forum_id, g.unit,
                       (row_number() OVER (PARTITION BY g.forum_id ORDER BY g.position, g.id)
                        - 1) %% {SHARE} AS slot
                FROM {_t(Goal)} g WHERE g.forum_id IS NOT NULL
            )
            INSERT INTO {_t(GoalContribution)} (goal_id, target_id, created_at)
            SELECT goal.id, t.id, %(now)s
            FROM {_t(PledgeTarget)} t
            JOIN {_t(Pledge)} p ON p.id = t.pledge_id
            JOIN goal ON goal.forum_id = p.forum_id AND goal.unit = t.unit
                     AND t.id %% {SHARE} = goal.slot
            ON CONFLICT DO NOTHING
            """,
            {"now": timezone.now()},
        )
        added = cursor.rowcount
    mark_goals_stale(goal.pk for goal in goals)
    return max(added, 0)
