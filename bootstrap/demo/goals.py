# ruff: noqa: S608 — SQL is built from model table names; values are parameters.
"""Targets of the demo pledges that count towards the forums' collective goals, and a goal
for each multistakeholder pledge with targets of its accepted members counting towards it: one
INSERT … SELECT per kind, whatever the number of pledges (the benchmark loads up to 1,000,000)."""

from django.db import connection
from django.utils import timezone

from goals.models import Goal, GoalContribution
from goals.services import mark_goals_stale
from partnerships.models import MembershipState, MultistakeholderMembership, MultistakeholderPledge
from pledges.models import Pledge, PledgeTarget, TargetUnit

# Of the targets in a goal's unit announced at its forum, about one in SHARE counts towards
# each goal (spread by id, so that every goal gets some and the choice is reproducible).
SHARE = 4


def _t(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)  # type: ignore[attr-defined]  # a model


def create_goal_contributions() -> int:
    """Count some targets of every forum's pledges towards that forum's goals (pledges in any
    review state: the engine itself keeps the published pledges of verified entities), and
    targets of MSP members towards their MSP's goal. Returns how many contributions were added;
    the goals are marked for the progress engine."""
    return _forum_goal_contributions() + _msp_goal_contributions()


def _msp_goal_contributions() -> int:
    """One goal in persons for each MSP without goals (a few rows), then about one in SHARE of
    its accepted members' person targets counted towards it."""
    Goal.objects.bulk_create(
        Goal(
            msp=msp,
            text=f"Reach 10,000 people through {msp.title}",
            unit=TargetUnit.PERSONS,
            target_value=10_000,
            target_year=2027,
            position=1,
        )
        for msp in MultistakeholderPledge.objects.filter(goals__isnull=True).order_by("pk")
    )
    goals = list(Goal.objects.filter(msp__isnull=False).values_list("pk", flat=True))
    if not goals:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {_t(GoalContribution)} (goal_id, target_id, created_at)
            SELECT g.id, t.id, %(now)s
            FROM {_t(Goal)} g
            JOIN {_t(MultistakeholderMembership)} m
                 ON m.msp_id = g.msp_id AND m.state = %(accepted)s
            JOIN {_t(PledgeTarget)} t
                 ON t.pledge_id = m.pledge_id AND t.unit = g.unit AND t.id %% {SHARE} = 0
            WHERE g.msp_id IS NOT NULL
            -- Ids in this order, whatever order the rows lie in: the same seed, the same rows.
            ORDER BY g.id, t.id
            ON CONFLICT DO NOTHING
            """,
            {"now": timezone.now(), "accepted": MembershipState.ACCEPTED},
        )
        added = cursor.rowcount
    mark_goals_stale(goals)
    return max(added, 0)


def _forum_goal_contributions() -> int:
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
            ORDER BY goal.id, t.id
            ON CONFLICT DO NOTHING
            """,
            {"now": timezone.now()},
        )
        added = cursor.rowcount
    mark_goals_stale(goal.pk for goal in goals)
    return max(added, 0)
