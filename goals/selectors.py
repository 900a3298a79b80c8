"""Reads of the goals app: a forum's official figures and its goals with their latest computed
progress, each in one query."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import DateField, F, JSONField, OuterRef, Q, QuerySet, Subquery

from forums.models import Forum
from partnerships.models import MultistakeholderPledge

from .models import Goal, GoalProgressSnapshot, OfficialFigure


def forum_figures(forum: Forum) -> QuerySet[OfficialFigure]:
    return OfficialFigure.objects.filter(forum=forum).order_by("position", "id")


@dataclass(frozen=True)
class GoalProgress:
    """A goal and its latest snapshot's figures (None before the engine first computed it)."""

    goal: Goal
    figures: dict[str, Any] | None
    date: Any

    def _decimal(self, key: str) -> Decimal | None:
        value = (self.figures or {}).get(key)
        return None if value is None else Decimal(value)

    @property
    def pledged(self) -> Decimal | None:
        return self._decimal("pledged")

    @property
    def achieved(self) -> Decimal | None:
        return self._decimal("achieved")

    @property
    def pledged_percent(self) -> Decimal | None:
        share = self._decimal("pledged_share")
        return None if share is None else share * 100

    @property
    def achieved_percent(self) -> Decimal | None:
        share = self._decimal("achieved_share")
        return None if share is None else share * 100

    @property
    def pledges(self) -> int:
        return int((self.figures or {}).get("pledges", 0))

    @property
    def targets(self) -> int:
        return int((self.figures or {}).get("targets", 0))

    @property
    def reported(self) -> int:
        return int((self.figures or {}).get("reported", 0))


def goals_with_latest(goals: QuerySet[Goal], *, until: dt.date | None = None) -> list[GoalProgress]:
    """The goals with their latest snapshot (on or before `until` if given), in one query."""
    latest = GoalProgressSnapshot.objects.filter(goal=OuterRef("pk")).order_by("-date")
    if until is not None:
        latest = latest.filter(date__lte=until)
    rows = goals.select_related("forum", "msp").annotate(
        latest_figures=Subquery(latest.values("figures")[:1], output_field=JSONField()),
        latest_date=Subquery(latest.values("date")[:1], output_field=DateField()),
    )
    return [
        GoalProgress(goal=goal, figures=goal.latest_figures, date=goal.latest_date) for goal in rows
    ]


def forum_goals(forum: Forum) -> list[GoalProgress]:
    return goals_with_latest(Goal.objects.filter(forum=forum).order_by("position", "id"))


def msp_goals(msp: MultistakeholderPledge) -> list[GoalProgress]:
    return goals_with_latest(Goal.objects.filter(msp=msp).order_by("position", "id"))


def compact_goals(compact_code: str, *, until: dt.date | None = None) -> list[GoalProgress]:
    """The goals of a compact (the dashboard's panel): every forum's, oldest forum first, then
    its multistakeholder pledges', by the MSP's title (one query)."""
    goals = Goal.objects.filter(
        Q(forum__compact__code=compact_code) | Q(msp__compact__code=compact_code)
    ).order_by(
        # Forum goals first (an MSP goal has no forum: NULLs sort last ascending).
        F("forum__year").asc(nulls_last=True),
        "forum__code",
        "msp__title",
        "msp_id",
        "position",
        "id",
    )
    return goals_with_latest(goals, until=until)
