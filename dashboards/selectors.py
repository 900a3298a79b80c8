"""What the public dashboard shows, read from progress snapshots only (never from pledges).

Every read here is a fixed number of queries whatever the number of pledges or snapshots: the
snapshots are already aggregated, and the history is read as a narrow projection of the JSON
figures (`KT(...)`), one query per series rather than one per objective or per day.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.fields.json import KT

from compacts.models import Compact, Objective
from core.localized import localized
from core.models import Country
from forums.models import Forum
from indicators import combined
from indicators.models import (
    CompactProgressSnapshot,
    Indicator,
    IndicatorValue,
    MspProgressSnapshot,
    ProgressSnapshot,
    SliceKind,
)
from partnerships.models import MultistakeholderPledge
from pledges.models import SupportType

from .forms import Filters

# Time series show the year up to the as-of date; the page says how many dates that holds.
HISTORY_DAYS = 366
# Past this many dates a series shows one point per week (its last snapshot), so that a year of
# daily history stays a readable chart and table (and a page of reasonable size).
MAX_POINTS = 60
TOP_COUNTRIES = 20
BREAKDOWN_KINDS = (SliceKind.FORUM, SliceKind.REGION, SliceKind.ENTITY_TYPE)


@dataclass
class ObjectiveCard:
    """One objective on the dashboard: its latest figures on or before the as-of date."""

    number: int
    short_label: str
    title: str
    figures: dict[str, Any] | None = None
    date: dt.date | None = None


@dataclass
class Dashboard:
    """Everything `/dashboard/` shows for one set of filters (cached as a whole)."""

    filters: Filters
    as_of: dt.date | None = None
    headline: dict[str, Any] | None = None
    # (date, pledges, pledged USD, disbursed USD, delivery ratio) of the selected slice
    money_history: list[tuple[dt.date, int, str | None, str | None, str | None]] = field(
        default_factory=list
    )
    history_first: dt.date | None = None
    history_count: int = 0  # dates of history in the window, before thinning to weeks
    history_weekly: bool = False
    breakdowns: dict[str, list[tuple[str, dict[str, Any]]]] = field(default_factory=dict)
    countries: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    countries_total: int = 0
    # Every beneficiary country (code, name, figures), for the map: `countries` is its top.
    map_countries: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    objectives: list[ObjectiveCard] = field(default_factory=list)
    # objective number → date → composite score (selected slice)
    score_history: dict[int, dict[dt.date, str | None]] = field(default_factory=dict)

    @property
    def history_dates(self) -> list[dt.date]:
        return [row[0] for row in self.money_history]


def _slice_q(filters: Filters) -> Q:
    return Q(slice_kind=filters.slice_kind, slice_key=filters.slice_key)


def dashboard(filters: Filters) -> Dashboard:
    """The dashboard of one compact as of the filters' date, in six queries (fewer when nothing
    has been computed yet)."""
    if filters.combined:
        return combined_dashboard(filters)
    data = Dashboard(filters=filters)
    objectives = list(
        Objective.objects.filter(compact__code=filters.compact)
        .order_by("number")
        .values_list("number", "short_label", "title")
    )
    data.objectives = [ObjectiveCard(n, label, title) for n, label, title in objectives]

    compact_rows = CompactProgressSnapshot.objects.filter(compact__code=filters.compact)
    dated = compact_rows.filter(slice_kind=SliceKind.OVERALL)
    if filters.as_of_limit:
        dated = dated.filter(date__lte=filters.as_of_limit)
    data.as_of = dated.aggregate(latest=Max("date"))["latest"]
    if data.as_of is None:
        return data
    since = data.as_of - dt.timedelta(days=HISTORY_DAYS - 1)

    history = (
        compact_rows.filter(_slice_q(filters), date__range=(since, data.as_of))
        .order_by("date")
        .values_list(
            "date",
            KT("figures__pledges"),
            KT("figures__money__pledged_usd"),
            KT("figures__money__disbursed_usd"),
            KT("figures__money__delivery_ratio"),
        )
    )
    # KT() reads each figure as text (None where missing).
    rows = [(d, int(p or 0), pl, di, de) for d, p, pl, di, de in history]
    data.history_count = len(rows)
    data.history_first = rows[0][0] if rows else None
    shown = thin([row[0] for row in rows])
    data.history_weekly = len(shown) < len(rows)
    data.money_history = [row for row in rows if row[0] in shown]

    countries: list[tuple[str, str, dict[str, Any]]] = []
    # Country names come with the rows (a subquery on the primary key), not in a query of
    # their own: the count of queries stays the same with or without countries.
    names = (
        Country.objects.rewrite(False)
        .filter(code=OuterRef("slice_key"))
        .values(local_name=localized("name"))[:1]
    )
    for kind, key, figures, name in (
        compact_rows.filter(date=data.as_of)
        .annotate(country_name=Subquery(names))
        .values_list("slice_kind", "slice_key", "figures", "country_name")
    ):
        if kind == filters.slice_kind and key == filters.slice_key:
            data.headline = figures
        if kind == SliceKind.COUNTRY:
            countries.append((key, name or key, figures))
        elif kind in BREAKDOWN_KINDS:
            data.breakdowns.setdefault(kind, []).append((key, figures))
    for breakdown in data.breakdowns.values():
        breakdown.sort(key=lambda row: (-row[1]["pledges"], row[0]))
    _set_countries(data, countries)
    _objective_figures(data, since)
    return data


def _set_countries(data: Dashboard, countries: list[tuple[str, str, dict[str, Any]]]) -> None:
    data.countries_total = len(countries)
    countries.sort(key=lambda row: (-row[2]["pledges"], -_number(row[2]), row[0]))
    data.countries = countries[:TOP_COUNTRIES]
    data.map_countries = countries


def _fact_filter(filters: Filters) -> combined.FactFilter | None:
    """The filters as the facts' keys (ids, codes); None when one names nothing that exists."""
    compact_id = Compact.objects.filter(code=filters.compact).values_list("pk", flat=True).first()
    if compact_id is None:
        return None
    wanted = {
        "objective_id": (
            filters.objective,
            Objective.objects.filter(compact_id=compact_id, number=filters.objective or 0),
        ),
        "msp_id": (filters.msp, MultistakeholderPledge.objects.filter(slug=filters.msp)),
        "support_type_id": (
            filters.support_type,
            SupportType.objects.filter(code=filters.support_type),
        ),
    }
    ids: dict[str, int | None] = {}
    for name, (value, rows) in wanted.items():
        ids[name] = rows.values_list("pk", flat=True).first() if value else None
        if value and ids[name] is None:
            return None
    return combined.FactFilter(
        compact_id=compact_id,
        forum=filters.forum,
        region=filters.region,
        entity_type=filters.entity_type,
        country=filters.country,
        **ids,
    )


def combined_dashboard(filters: Filters) -> Dashboard:
    """A combination of filters: the latest figures, computed from the per-pledge facts in one
    query (`indicators.combined`); no history (snapshots hold single slices only)."""
    data = Dashboard(filters=filters)
    objectives = list(
        Objective.objects.filter(compact__code=filters.compact)
        .order_by("number")
        .values_list("pk", "number", "short_label", "title")
    )
    data.objectives = [ObjectiveCard(n, label, title) for _pk, n, label, title in objectives]
    data.as_of = CompactProgressSnapshot.objects.filter(
        compact__code=filters.compact, slice_kind=SliceKind.OVERALL
    ).aggregate(latest=Max("date"))["latest"]
    flt = _fact_filter(filters)
    if data.as_of is None or flt is None:
        return data
    found = combined.combined(flt, on=data.as_of)
    data.headline = found.headline
    for kind in BREAKDOWN_KINDS:
        rows = list(found.groups.get(kind, {}).items())
        rows.sort(key=lambda row: (-row[1]["pledges"], row[0]))
        data.breakdowns[kind] = rows
    by_country = found.groups.get(SliceKind.COUNTRY, {})
    names = dict(Country.objects.filter(code__in=by_country).values_list("code", "name"))
    _set_countries(
        data, [(code, names.get(code, code), figures) for code, figures in by_country.items()]
    )
    per_objective = found.groups.get(combined.OBJECTIVE, {})
    numbers = {str(pk): number for pk, number, _l, _t in objectives}
    for card in data.objectives:
        for pk, number in numbers.items():
            if number == card.number and pk in per_objective:
                # Without targets and indicators per objective here, no composite: "—".
                card.figures = {**per_objective[pk], "composite": {"score": None}}
                card.date = data.as_of
    return data


@dataclass
class LatestCountries:
    """Every beneficiary country's figures in the latest snapshots of one or both compacts."""

    compacts: list[str]
    as_of: dt.date | None = None
    countries: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)


def latest_countries(codes: list[str]) -> LatestCountries:
    """The country slices of each compact's latest snapshot date (of `codes`, or of every
    compact), pledges and US dollars added up over the compacts: a pledge belongs to one
    compact. Two queries."""
    compacts = Compact.objects.order_by("code")
    if codes:
        compacts = compacts.filter(code__in=codes)
    latest = dict(
        CompactProgressSnapshot.objects.filter(compact__in=compacts, slice_kind=SliceKind.OVERALL)
        .values("compact_id")
        .annotate(latest=Max("date"))
        .values_list("compact_id", "latest")
    )
    found = LatestCountries(compacts=[c for c in codes if c])
    if not latest:
        return found
    found.as_of = max(latest.values())
    names = (
        Country.objects.rewrite(False)
        .filter(code=OuterRef("slice_key"))
        .values(local_name=localized("name"))[:1]
    )
    rows = (
        CompactProgressSnapshot.objects.filter(
            reduce(or_, (Q(compact_id=c, date=d) for c, d in latest.items())),
            slice_kind=SliceKind.COUNTRY,
        )
        .annotate(country_name=Subquery(names))
        .values_list("slice_key", "country_name", "figures")
    )
    totals: dict[str, tuple[str, int, Decimal | None]] = {}
    for code, name, figures in rows:
        _name, pledges, usd = totals.get(code, (name, 0, None))
        pledged = figures["money"]["pledged_usd"]
        if pledged is not None:
            usd = (usd or Decimal(0)) + Decimal(pledged)
        totals[code] = (name or code, pledges + figures["pledges"], usd)
    found.countries = [
        (
            code,
            name,
            {"pledges": n, "money": {"pledged_usd": None if usd is None else str(usd)}},
        )
        for code, (name, n, usd) in totals.items()
    ]
    return found


def thin(dates: list[dt.date]) -> set[dt.date]:
    """The dates a time series shows: all of them up to MAX_POINTS, else the last of each ISO
    week (the as-of date is always the last of its week)."""
    if len(dates) <= MAX_POINTS:
        return set(dates)
    last_of_week: dict[tuple[int, int], dt.date] = {}
    for date in sorted(dates):
        last_of_week[date.isocalendar()[:2]] = date
    return set(last_of_week.values())


def _number(figures: dict[str, Any]) -> float:
    return float(figures["money"]["pledged_usd"] or 0)


def _objective_figures(data: Dashboard, since: dt.date) -> None:
    """Score history of every objective (one query), then the figures of each objective's latest
    snapshot (one query): objectives are recomputed one by one during the day, so their latest
    snapshots need not share a date with the compact's."""
    filters = data.filters
    rows = (
        ProgressSnapshot.objects.filter(
            _slice_q(filters),
            objective__compact__code=filters.compact,
            date__range=(since, data.as_of),
        )
        .order_by("date")
        .values_list("objective__number", "objective_id", "date", KT("figures__composite__score"))
    )
    latest: dict[int, tuple[int, dt.date]] = {}
    history: dict[int, dict[dt.date, str | None]] = defaultdict(dict)
    for number, objective_id, date, score in rows:
        history[number][date] = score
        latest[number] = (objective_id, date)
    shown = thin(sorted({d for dates in history.values() for d in dates}))
    data.score_history = {
        number: {d: score for d, score in dates.items() if d in shown}
        for number, dates in history.items()
    }
    if not latest:
        return
    wanted = reduce(or_, (Q(objective_id=o, date=d) for o, d in latest.values()))
    figures = dict(
        ProgressSnapshot.objects.filter(wanted, _slice_q(filters)).values_list(
            "objective__number", "figures"
        )
    )
    for card in data.objectives:
        if card.number in latest:
            card.figures = figures.get(card.number)
            card.date = latest[card.number][1]


@dataclass
class ObjectiveProgress:
    """The objective page: its snapshots' history and its indicators' values over time."""

    objective: Objective
    latest: dict[str, Any] | None = None
    latest_date: dt.date | None = None
    # (date, score, implementation, money, targets, indicators)
    history: list[tuple[Any, ...]] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)


COMPONENTS = ("implementation", "money", "targets", "indicators")


def latest_figures(snapshots: QuerySet[Any]) -> tuple[dt.date, dict[str, Any]] | None:
    """(date, figures) of the latest of these snapshots (one slice of one owner), or None when
    none has been computed yet. One query: the latest row by the snapshots' unique index."""
    return snapshots.order_by("-date").values_list("date", "figures").first()


def objective_latest(objective: Objective) -> tuple[dt.date, dict[str, Any]] | None:
    """The latest overall figures of one objective (its page's headline)."""
    return latest_figures(
        ProgressSnapshot.objects.filter(objective=objective, slice_kind=SliceKind.OVERALL)
    )


def forum_latest(forum: Forum) -> tuple[dt.date, dict[str, Any]] | None:
    """The latest figures of the pledges announced at a forum: its slice of its compact's
    totals (a pledge's forum is always of the pledge's compact)."""
    return latest_figures(
        CompactProgressSnapshot.objects.filter(
            compact_id=forum.compact_id, slice_kind=SliceKind.FORUM, slice_key=forum.code
        )
    )


def objective_progress(objective: Objective) -> ObjectiveProgress:
    """Overall figures of one objective (indicators are population statistics: overall only)."""
    data = ObjectiveProgress(objective=objective)
    overall = ProgressSnapshot.objects.filter(objective=objective, slice_kind=SliceKind.OVERALL)
    latest = latest_figures(overall)
    if latest:
        data.latest_date, data.latest = latest
        since = data.latest_date - dt.timedelta(days=HISTORY_DAYS - 1)
        history = list(
            overall.filter(date__gte=since)
            .order_by("date")
            .values_list(
                "date",
                KT("figures__composite__score"),
                *(KT(f"figures__composite__components__{name}") for name in COMPONENTS),
            )
        )
        shown = thin([row[0] for row in history])
        data.history = [row for row in history if row[0] in shown]
    data.indicators = list(
        # The indicators progress counts (the current framework edition's); older editions'
        # are on their own pages.
        Indicator.objects.counting()
        .filter(objective=objective)
        .select_related("edition")
        .prefetch_related(
            # Global values only: the progress figures use those (docs/progress.md).
            _global_values()
        )
    )
    for indicator in data.indicators:
        indicator.global_values = one_per_year(indicator.global_values)  # type: ignore[attr-defined]
    return data


def _global_values() -> Prefetch:
    return Prefetch(
        "values",
        queryset=IndicatorValue.objects.filter(country__isnull=True).latest_first(),
        to_attr="global_values",
    )


def one_per_year(values: list[IndicatorValue]) -> list[IndicatorValue]:
    """Of values ordered latest first, the one progress uses for each year (the latest
    report's), oldest year first."""
    kept: dict[int, IndicatorValue] = {}
    for value in values:
        kept.setdefault(value.year, value)
    return sorted(kept.values(), key=lambda v: v.year)


@dataclass
class MspProgress:
    """A multistakeholder pledge's slice of the dashboard: its latest overall figures and
    their history (member pledges, pledged and disbursed US dollars, composite score)."""

    msp: MultistakeholderPledge
    latest: dict[str, Any] | None = None
    latest_date: dt.date | None = None
    # (date, pledges, pledged USD, disbursed USD, composite score)
    history: list[tuple[Any, ...]] = field(default_factory=list)


def msp_progress(msp: MultistakeholderPledge) -> MspProgress:
    """Two queries whatever the number of member pledges: the snapshots are aggregated."""
    data = MspProgress(msp=msp)
    overall = MspProgressSnapshot.objects.filter(msp=msp, slice_kind=SliceKind.OVERALL)
    latest = latest_figures(overall)
    if latest:
        data.latest_date, data.latest = latest
        since = data.latest_date - dt.timedelta(days=HISTORY_DAYS - 1)
        history = list(
            overall.filter(date__gte=since)
            .order_by("date")
            .values_list(
                "date",
                KT("figures__pledges"),
                KT("figures__money__pledged_usd"),
                KT("figures__money__disbursed_usd"),
                KT("figures__composite__score"),
            )
        )
        shown = thin([row[0] for row in history])
        data.history = [row for row in history if row[0] in shown]
    return data
