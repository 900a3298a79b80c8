"""What the secretariat reports count, read live from the pledge tables.

Every figure is aggregated in the database (one grouped query per table of the report), so a
report costs the same handful of queries at 100 pledges as at 100,000. The overdue rule is
`pledges.models.overdue_sql`, which the progress engine (`indicators.engine`) uses too.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext

from compacts.models import Compact, ThematicArea
from forums.models import Forum, ReportingRound
from pledges.models import (
    NO_FORUM,
    ImplementationStatus,
    Membership,
    MembershipRole,
    MembershipStatus,
    Pledge,
    PledgeQuerySet,
    PledgeUpdate,
    ReviewState,
    UpdateReviewState,
    approved_update_q,
    overdue_cutoff,
    report_interval,
)

# The pledge browser's value for "no approved update yet" (`pledges.filters.NO_UPDATE`).
NO_UPDATE = "none"
TOP_THEMATIC_AREAS = 10
PREVIEW_ROWS = 10


@dataclass(frozen=True)
class Scope:
    """Which pledges a report covers: one compact, optionally one of its forums; `round`
    reads the overdue rule per reporting round (`PledgeQuerySet.overdue_in_round`)."""

    compact: Compact
    forum: Forum | None = None
    round: ReportingRound | None = None
    # Pledges announced outside any forum (the GCR-C- series); `forum` is then None.
    between_forums: bool = False

    def condition(self, path: str = "") -> Q:
        """Published and in scope, for the pledge at `path` (e.g. `pledge__` from an update):
        a join the planner can use, rather than `IN (subquery)`."""
        condition = Q(
            **{f"{path}review_state": ReviewState.PUBLISHED, f"{path}compact": self.compact}
        )
        if self.between_forums:
            condition &= Q(**{f"{path}forum__isnull": True})
        elif self.forum is not None:
            condition &= Q(**{f"{path}forum": self.forum})
        return condition

    @property
    def forum_code(self) -> str:
        """The forum filter's value: a forum's code, `none` (between forums) or "" (all)."""
        if self.between_forums:
            return NO_FORUM
        return self.forum.code if self.forum is not None else ""

    def pledges(self) -> PledgeQuerySet:
        """The published pledges in scope (what every section counts)."""
        return Pledge.objects.filter(self.condition())

    def browser_query(self) -> dict[str, str]:
        """The same scope as filters of the pledge browser (`pledges.filters.PledgeFilter`)."""
        query = {"compact": self.compact.code}
        if self.forum_code:
            query["forum"] = self.forum_code
        return query

    def query(self) -> dict[str, str]:
        """The scope as this app's own filters (the browser has no round filter)."""
        query = self.browser_query()
        if self.round is not None:
            query["round"] = str(self.round.pk)
        return query


# --------------------------------------------------------------------------------------------
# Reporting cycles and the overdue rule
# --------------------------------------------------------------------------------------------


def cycle_start(on: dt.date, cycles_back: int = 0) -> dt.date:
    """The first day of the reporting cycle containing `on` (cycles are counted in whole
    months from 1 January), or of the cycle `cycles_back` before it."""
    months = settings.REPORTING_CYCLE_MONTHS
    index = on.year * 12 + on.month - 1
    start = index - index % months - cycles_back * months
    return dt.date(start // 12, start % 12 + 1, 1)


def overdue_pledges(scope: Scope, *, on: dt.date) -> QuerySet[Pledge]:
    """The scope's overdue pledges (the rule is `Pledge.objects.overdue`, or with a round
    `Pledge.objects.overdue_in_round`), annotated with `last_report` (a date) for ordering and
    display, and with a round `round_due_on`, the round's last open day."""
    if scope.round is not None:
        return (
            scope.pledges()
            .overdue_in_round(scope.round)
            .annotate(round_due_on=Value(scope.round.last_open_day(), output_field=DateField()))
        )
    return scope.pledges().overdue(on=on)


def days_overdue(last_report: dt.date, *, on: dt.date) -> int:
    """Days since the report became due (two cycles after the last one)."""
    due = last_report + report_interval()
    return (on - due).days


def pledge_days_overdue(pledge: Pledge, *, on: dt.date) -> int:
    """Days overdue of a pledge of `overdue_pledges`: since its round's last open day (0 while
    the round is open), else since two cycles after its last report."""
    round_due: dt.date | None = getattr(pledge, "round_due_on", None)
    if round_due is not None:
        return max(0, (on - round_due).days)
    return days_overdue(pledge.last_report, on=on)  # type: ignore[attr-defined]  # annotated


def _entity_contact(column: str) -> Subquery:
    """The entity's contact: its focal point, else its longest-standing active member."""
    members = (
        Membership.objects.filter(entity_id=OuterRef("entity_id"), status=MembershipStatus.ACTIVE)
        .annotate(
            rank=Case(
                When(role=MembershipRole.FOCAL_POINT, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "created_at", "pk")
    )
    return Subquery(members.values(column)[:1])


def with_reminder_contact(pledges: QuerySet[Pledge]) -> QuerySet[Pledge]:
    """Add what a reminder needs: `entity_contact_name` / `entity_contact_email` (used when the
    pledge names no contact e-mail), with entity, compact and forum joined; no per-row query."""
    return pledges.select_related("entity", "compact", "forum").annotate(
        entity_contact_name=_entity_contact("user__full_name"),
        entity_contact_email=_entity_contact("user__email"),
    )


@dataclass(frozen=True)
class Contact:
    """Who to remind about a pledge, and whether it came from the pledge or its entity."""

    name: str
    email: str
    from_entity: bool


def reminder_contact(pledge: Pledge) -> Contact:
    """The pledge's own contact when it has an e-mail address, else the entity's (see
    `with_reminder_contact`); an empty e-mail when nobody can be reached."""
    if pledge.contact_email:
        return Contact(pledge.contact_name, pledge.contact_email, from_entity=False)
    email = getattr(pledge, "entity_contact_email", None) or ""
    name = getattr(pledge, "entity_contact_name", None) or ""
    return Contact(name, email, from_entity=bool(email))


# --------------------------------------------------------------------------------------------
# Report sections
# --------------------------------------------------------------------------------------------


def share(part: int, whole: int) -> Decimal | None:
    """`part` as a percentage of `whole`, one decimal; None when there is nothing to share."""
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class StatusShare:
    """Published pledges in one implementation status ("" = no approved update yet)."""

    status: str
    label: str
    count: int
    percent: Decimal | None

    @property
    def filter_value(self) -> str:
        return self.status or NO_UPDATE


@dataclass(frozen=True)
class ThematicShare:
    area: ThematicArea
    count: int
    percent: Decimal | None


@dataclass
class Report:
    """Every figure of one report (what the page and the XLSX export show)."""

    scope: Scope
    since: dt.date
    on: dt.date
    published: int = 0
    statuses: list[StatusShare] = field(default_factory=list)
    new_count: int = 0
    new_preview: list[Pledge] = field(default_factory=list)
    updates_approved: int = 0
    updates_pledges: int = 0
    updates_by_status: list[tuple[str, int]] = field(default_factory=list)
    updates_pending: int = 0
    overdue_count: int = 0
    overdue_preview: list[Pledge] = field(default_factory=list)
    # With a round: the pledges it asks to report, those with an approved update for it, and
    # the updates for it awaiting review.
    round_asked: int = 0
    round_reported: int = 0
    round_pending: int = 0
    thematic_areas: list[ThematicShare] = field(default_factory=list)

    @property
    def cutoff(self) -> dt.date:
        return overdue_cutoff(self.on)


def _since_start(since: dt.date) -> dt.datetime:
    """The first instant of `since` in the site's time zone (timestamps are compared)."""
    return timezone.make_aware(dt.datetime.combine(since, dt.time.min))


def new_pledges(scope: Scope, since: dt.date) -> QuerySet[Pledge]:
    """Pledges of the scope published on or after `since`, newest first."""
    return (
        scope.pledges()
        .filter(published_at__gte=_since_start(since))
        .select_related("entity", "forum")
        .order_by("-published_at", "-id")
    )


def approved_updates(scope: Scope, since: dt.date) -> QuerySet[PledgeUpdate]:
    """Updates on the scope's pledges approved on or after `since`, latest approval first."""
    return (
        PledgeUpdate.objects.filter(
            approved_update_q(),
            scope.condition("pledge__"),
            reviewed_at__gte=_since_start(since),
        )
        .select_related("pledge", "pledge__entity")
        .order_by("-reviewed_at", "-id")
    )


def overdue_rows(scope: Scope, *, on: dt.date) -> QuerySet[Pledge]:
    """The overdue pledges as listed: longest overdue first, with their reminder contact."""
    return with_reminder_contact(overdue_pledges(scope, on=on)).order_by(
        F("last_report").asc(), "reference"
    )


def thematic_area_counts(scope: Scope, limit: int | None = TOP_THEMATIC_AREAS) -> list[Any]:
    """Thematic areas by number of published pledges in scope, most first."""
    rows = (
        ThematicArea.objects.filter(scope.condition("pledges__"))
        .annotate(pledge_count=Count("pledges"))
        .order_by("-pledge_count", "name")
    )
    return list(rows[:limit] if limit else rows)


def build_report(scope: Scope, *, since: dt.date, on: dt.date, previews: bool = True) -> Report:
    """Every section of the report, in six queries whatever the number of pledges; four
    without the first new and overdue pledges the page shows (`previews`: the workbook lists
    them all in its sheets)."""
    report = Report(scope=scope, since=since, on=on)
    statuses = [*ImplementationStatus.values, ""]
    counts = scope.pledges().aggregate(
        published=Count("id"),
        new=Count("id", filter=Q(published_at__gte=_since_start(since))),
        **{
            f"status_{s or NO_UPDATE}": Count("id", filter=Q(implementation_status=s))
            for s in statuses
        },
    )
    report.published = counts["published"]
    report.new_count = counts["new"]
    labels = dict(ImplementationStatus.choices)
    report.statuses = [
        StatusShare(
            status=s,
            label=str(labels.get(s, "")) if s else _no_update_label(),
            count=counts[f"status_{s or NO_UPDATE}"],
            percent=share(counts[f"status_{s or NO_UPDATE}"], report.published),
        )
        for s in statuses
    ]
    if previews:
        report.new_preview = list(new_pledges(scope, since)[:PREVIEW_ROWS])

    # Approved updates count as the public sees them (`approved_update_q`: a reporter that lost
    # its verification takes its reports out); pending ones are the reviewers' queue, all count.
    approved = approved_update_q() & Q(reviewed_at__gte=_since_start(since))
    updates = PledgeUpdate.objects.filter(scope.condition("pledge__")).aggregate(
        approved=Count("id", filter=approved),
        pledges=Count("pledge_id", filter=approved, distinct=True),
        pending=Count("id", filter=Q(review_state=UpdateReviewState.PENDING)),
        **{
            f"status_{s}": Count("id", filter=approved & Q(status=s))
            for s in ImplementationStatus.values
        },
    )
    report.updates_approved = updates["approved"]
    report.updates_pledges = updates["pledges"]
    report.updates_pending = updates["pending"]
    report.updates_by_status = [
        (str(label), updates[f"status_{value}"]) for value, label in ImplementationStatus.choices
    ]

    if scope.round is not None:
        asked = scope.pledges().in_round(scope.round)
        in_round = PledgeUpdate.objects.filter(round=scope.round, pledge__in=asked.values("pk"))
        report.round_asked = asked.count()
        report.round_reported = (
            in_round.filter(approved_update_q()).values("pledge_id").distinct().count()
        )
        report.round_pending = in_round.filter(review_state=UpdateReviewState.PENDING).count()

    overdue = overdue_rows(scope, on=on)
    report.overdue_count = overdue.count()
    if previews:
        report.overdue_preview = list(overdue[:PREVIEW_ROWS])

    report.thematic_areas = [
        ThematicShare(area=a, count=a.pledge_count, percent=share(a.pledge_count, report.published))
        for a in thematic_area_counts(scope)
    ]
    return report


def _no_update_label() -> str:
    return gettext("No update yet")
