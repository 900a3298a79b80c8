"""Each chart of the dashboard defined once: its data table (what people read, with a link to the
pledges behind every number), its CSV (the same rows, raw values) and its Chart.js data.

The template renders `Chart.rows`, the CSV view writes `Chart.rows`: the download cannot drift
from the table.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from core.models import Region
from indicators import composite as tracker_composite
from indicators import drilldown
from indicators.models import SliceKind
from pledges.models import ImplementationStatus, TargetUnit

from . import selectors
from .forms import Filters
from .selectors import Dashboard, MspProgress, ObjectiveProgress

STATUS_ORDER = [*ImplementationStatus.values, "no_update"]


@dataclass(frozen=True)
class Cell:
    """One table cell: `value` goes to the CSV, `text` to the page, `url` to the pledges."""

    value: Any
    text: str
    url: str | None = None


@dataclass
class Row:
    cells: list[Cell]
    selected: bool = False  # the slice chosen in the filters, highlighted


@dataclass
class Chart:
    key: str
    title: str
    caption: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    spec: dict[str, Any] = field(default_factory=dict)  # Chart.js data, see static/js/dashboard.js
    note: str = ""
    header: int = 0  # the column whose cell heads each row (th scope="row")
    # Set on charts of the tracker's composite: the page links to its definition beside them.
    definition_url: str = ""

    @property
    def dom_id(self) -> str:
        return "chart-" + "".join(c if c.isalnum() else "-" for c in self.key)

    @property
    def data_id(self) -> str:
        return f"{self.dom_id}-data"

    def csv_rows(self) -> list[list[Any]]:
        return [self.columns] + [[c.value for c in row.cells] for row in self.rows]


# --- formatting ----------------------------------------------------------------------------


def count(value: int | None) -> str:
    return "—" if value is None else number_format(value, force_grouping=True)


def usd(value: str | None) -> str:
    return "—" if value is None else number_format(Decimal(value), 0, force_grouping=True)


def percent(value: str | None) -> str:
    if value is None:
        return "—"
    return f"{number_format(Decimal(value) * 100, 1)} %"


def as_float(value: str | None, scale: int = 1) -> float | None:
    return None if value is None else float(Decimal(value) * scale)


def day(value: dt.date | None) -> str:
    """The date in words; "" for none (a dashboard with no figures yet has no as-of date)."""
    return date_format(value, "j M Y") if value is not None else ""


# --- links to the pledges behind a number ----------------------------------------------------


def pledges_url(
    compact: str,
    slice_kind: str = SliceKind.OVERALL,
    slice_key: str = "",
    *,
    objective: int | None = None,
    status: str | None = None,
    overdue: bool = False,
) -> str | None:
    """The pledge browser on exactly the pledges a snapshot counted (as they are today), or None
    where no browser filter can select them (the `global` region: scope is not a filter)."""
    if objective is not None:
        params = drilldown.slice_params(
            compact=compact, objective_number=objective, slice_kind=slice_kind, slice_key=slice_key
        )
        if params is None:
            return None
    else:
        params = {"compact": compact}
        if slice_kind == SliceKind.COUNTRY:
            params["country"] = slice_key
        elif slice_kind != SliceKind.OVERALL:
            region_only = drilldown.slice_params(
                compact=compact, objective_number=0, slice_kind=slice_kind, slice_key=slice_key
            )
            if region_only is None:
                return None
            region_only.pop("objective")
            params.update(region_only)
    if status is not None:
        params["implementation_status"] = drilldown.status_values()[status]
    if overdue:
        params["overdue"] = "true"
    return reverse("pledges:pledge-list") + "?" + urlencode(params)


def filters_url(
    f: Filters,
    *,
    objective: int | None = None,
    status: str | None = None,
    overdue: bool = False,
    override: dict[str, str] | None = None,
) -> str | None:
    """The pledge browser on the pledges behind a figure of these filters (a single slice or a
    combination; `override` replaces or adds filters, e.g. one row of a breakdown)."""
    override = override or {}
    if not f.combined and not override:
        return pledges_url(
            f.compact,
            f.slice_kind,
            f.slice_key,
            objective=objective,
            status=status,
            overdue=overdue,
        )
    params = {"compact": f.compact}
    for name, value in {**f.chosen, **override}.items():
        if name == SliceKind.REGION and value not in Region.values:
            return None  # the `global` region: scope is not a browser filter
        params[name] = f"{f.compact}-{value}" if name == "objective" else value
    if objective is not None:
        params["objective"] = f"{f.compact}-{objective}"
    if status is not None:
        params["implementation_status"] = drilldown.status_values()[status]
    if overdue:
        params["overdue"] = "true"
    return reverse("pledges:pledge-list") + "?" + urlencode(params)


def country_url(f: Filters, code: str) -> str | None:
    """A country's pledges: of the whole compact on a single slice's dashboard (whose country
    figures are the whole compact's), of the combination otherwise."""
    return (
        filters_url(f, override={"country": code})
        if f.combined
        else pledges_url(f.compact, SliceKind.COUNTRY, code)
    )


def browser_country_url(compacts: list[str], code: str) -> str:
    """The pledge browser on one beneficiary country (of these compacts, when chosen)."""
    params = [("compact", c) for c in compacts] + [("country", code)]
    return reverse("pledges:pledge-list") + "?" + urlencode(params)


def browser_map_caption(as_of: dt.date | None) -> str:
    return _(
        "Published pledges and US dollars pledged per beneficiary country, as of %(date)s; a "
        "pledge counts once under each of its countries"
    ) % {"date": day(as_of)}


def status_labels() -> dict[str, str]:
    labels = {value: str(label) for value, label in ImplementationStatus.choices}
    return {**labels, "no_update": _("No update yet")}


# --- the dashboard's charts ------------------------------------------------------------------


def dashboard_charts(data: Dashboard, labels: dict[str, dict[str, str]]) -> dict[str, Chart]:
    """Every chart of `/dashboard/`, keyed by the name used in its CSV address."""
    if data.as_of is None:
        return {}
    # A combination has no history (snapshots hold single slices): no chart over time.
    over_time = not data.filters.combined
    charts = [
        _status_chart(data),
        *([_money_chart(data)] if over_time else []),
        *(_breakdown_chart(data, kind, labels[kind]) for kind in labels),
        # The tracker's own measure: off the page (and its CSV) where the deployment says so.
        *([_objectives_chart(data)] if tracker_composite.shown() and over_time else []),
        _map_chart(data),
        _countries_chart(data),
    ]
    return {chart.key: chart for chart in charts}


def _status_chart(data: Dashboard) -> Chart:
    f = data.filters
    status = (data.headline or {}).get("status", {})
    total = sum(status.values())
    names = status_labels()
    chart = Chart(
        key="status",
        title=_("Implementation status"),
        caption=_("Pledges by the status of their latest approved update, as of %(date)s")
        % {"date": day(data.as_of)},
        columns=[_("Status"), _("Pledges"), _("Share")],
    )
    for key in STATUS_ORDER:
        n = status.get(key, 0)
        share = None if not total else str(Decimal(n) / total)
        url = filters_url(f, status=key)
        chart.rows.append(
            Row(
                [
                    Cell(names[key], names[key]),
                    Cell(n, count(n), url),
                    Cell(None if share is None else round(float(share), 4), percent(share), url),
                ]
            )
        )
    chart.spec = {
        "type": "doughnut",
        "labels": [names[k] for k in STATUS_ORDER],
        "datasets": [{"label": _("Pledges"), "data": [status.get(k, 0) for k in STATUS_ORDER]}],
        "format": "count",
    }
    return chart


def _step(data: Dashboard) -> str:
    if data.history_weekly:
        return _("one row per week (the last snapshot of each week)")
    return _("one row per snapshot date")


def _money_chart(data: Dashboard) -> Chart:
    f = data.filters
    url = filters_url(f)
    chart = Chart(
        key="money",
        title=_("Money pledged and disbursed over time"),
        caption=_("US dollars pledged and disbursed, %(step)s up to %(date)s")
        % {"step": _step(data), "date": day(data.as_of)},
        columns=[
            _("Date"),
            _("Pledges"),
            _("Pledged (USD)"),
            _("Disbursed (USD)"),
            _("Delivery"),
        ],
    )
    for date, pledges, pledged, disbursed, delivery in data.money_history:
        chart.rows.append(
            Row(
                [
                    Cell(date.isoformat(), day(date)),
                    Cell(pledges, count(pledges), url),
                    Cell(pledged, usd(pledged), url),
                    Cell(disbursed, usd(disbursed), url),
                    Cell(delivery, percent(delivery), url),
                ]
            )
        )
    chart.spec = {
        "type": "line",
        "labels": [d.isoformat() for d in data.history_dates],
        "datasets": [
            {"label": _("Pledged (USD)"), "data": [as_float(r[2]) for r in data.money_history]},
            {"label": _("Disbursed (USD)"), "data": [as_float(r[3]) for r in data.money_history]},
        ],
        "format": "usd",
    }
    return chart


# Lazy: built at import, read in each request's language.
BREAKDOWN_TITLES: dict[str, tuple[StrOrPromise, StrOrPromise]] = {
    SliceKind.FORUM: (gettext_lazy("Pledges per forum"), gettext_lazy("Forum")),
    SliceKind.REGION: (gettext_lazy("Pledges per region"), gettext_lazy("Region (beneficiary)")),
    SliceKind.ENTITY_TYPE: (gettext_lazy("Pledges per entity type"), gettext_lazy("Entity type")),
}


def _breakdown_chart(data: Dashboard, kind: str, names: dict[str, str]) -> Chart:
    f = data.filters
    title, heading = BREAKDOWN_TITLES[kind]
    if f.combined:
        caption = _("The pledges of the chosen filters broken down by %(what)s, as of %(date)s")
    else:
        caption = _(
            "The whole compact broken down by %(what)s, as of %(date)s (whatever slice is "
            "selected; the selected one is highlighted)"
        )
    chart = Chart(
        key=kind,
        title=str(title),
        caption=caption % {"what": str(heading).lower(), "date": day(data.as_of)},
        columns=[str(heading), _("Code"), _("Pledges"), _("Pledged (USD)"), _("Disbursed (USD)")],
    )
    rows = data.breakdowns.get(kind, [])
    for key, figures in rows:
        url = (
            filters_url(f, override={kind: key})
            if f.combined
            else pledges_url(f.compact, kind, key)
        )
        money = figures["money"]
        chart.rows.append(
            Row(
                [
                    Cell(names.get(key, key), names.get(key, key)),
                    Cell(key, key),
                    Cell(figures["pledges"], count(figures["pledges"]), url),
                    Cell(money["pledged_usd"], usd(money["pledged_usd"]), url),
                    Cell(money["disbursed_usd"], usd(money["disbursed_usd"]), url),
                ],
                selected=(kind == f.slice_kind and key == f.slice_key),
            )
        )
    if kind == SliceKind.REGION and any(key == "global" for key, _f in rows):
        chart.note = _(
            "Pledges of global scope have no region; the pledge browser cannot select them by "
            "scope, so their numbers are not links."
        )
    chart.spec = {
        "type": "bar",
        "labels": [names.get(key, key) for key, _f in rows],
        "datasets": [{"label": _("Pledges"), "data": [fig["pledges"] for _k, fig in rows]}],
        "highlight": [row.selected for row in chart.rows],
        "format": "count",
    }
    return chart


def _objectives_chart(data: Dashboard) -> Chart:
    f = data.filters
    dates = sorted({d for history in data.score_history.values() for d in history})
    cards = data.objectives
    chart = Chart(
        key="objectives",
        title=_("Tracker composite per objective over time"),
        caption=_(
            "The tracker's composite (not an official figure) of each objective, %(step)s up "
            "to %(date)s"
        )
        % {"step": _step(data), "date": day(data.as_of)},
        columns=[_("Date")] + [f"{c.number}. {c.short_label}" for c in cards],
        definition_url=tracker_composite.definition_url(),
    )
    urls = {c.number: filters_url(f, objective=c.number) for c in cards}
    for date in dates:
        cells = [Cell(date.isoformat(), day(date))]
        for card in cards:
            score = data.score_history.get(card.number, {}).get(date)
            cells.append(Cell(score, percent(score), urls[card.number]))
        chart.rows.append(Row(cells))
    chart.spec = {
        "type": "line",
        "labels": [d.isoformat() for d in dates],
        "datasets": [
            {
                "label": f"{c.number}. {c.short_label}",
                "data": [as_float(data.score_history.get(c.number, {}).get(d), 100) for d in dates],
            }
            for c in cards
        ],
        "format": "percent",
    }
    return chart


def _map_chart(data: Dashboard) -> Chart:
    from .maps import map_chart  # maps builds on this module's Chart

    f = data.filters
    if f.combined:
        caption = _(
            "Pledges of the chosen filters and US dollars pledged per beneficiary country, as "
            "of %(date)s; a pledge counts once under each of its countries"
        )
    else:
        caption = _(
            "Pledges of the whole compact and US dollars pledged per beneficiary country, as "
            "of %(date)s; a pledge counts once under each of its countries"
        )
    return map_chart(
        data.map_countries,
        caption=caption % {"date": day(data.as_of)},
        url_of=lambda code: country_url(f, code),
    )


def _countries_chart(data: Dashboard) -> Chart:
    f = data.filters
    chart = Chart(
        key="countries",
        header=1,
        title=_("Beneficiary countries"),
        caption=(
            _(
                "The %(top)s countries with the most pledges of the chosen filters, as of "
                "%(date)s (of %(total)s countries); a pledge counts once under each of its "
                "countries"
            )
            if f.combined
            else _(
                "The %(top)s countries with the most pledges of the whole compact, as of "
                "%(date)s (of %(total)s countries); a pledge counts once under each of its "
                "countries"
            )
        )
        % {"top": len(data.countries), "date": day(data.as_of), "total": data.countries_total},
        columns=[
            _("Rank"),
            _("Country"),
            _("Code"),
            _("Pledges"),
            _("Pledged (USD)"),
            _("Disbursed (USD)"),
        ],
    )
    for rank, (code, name, figures) in enumerate(data.countries, start=1):
        url = country_url(f, code)
        money = figures["money"]
        chart.rows.append(
            Row(
                [
                    Cell(rank, str(rank)),
                    Cell(name, name),
                    Cell(code, code),
                    Cell(figures["pledges"], count(figures["pledges"]), url),
                    Cell(money["pledged_usd"], usd(money["pledged_usd"]), url),
                    Cell(money["disbursed_usd"], usd(money["disbursed_usd"]), url),
                ]
            )
        )
    chart.spec = {
        "type": "bar",
        "horizontal": True,
        "labels": [name for _c, name, _f in data.countries],
        "datasets": [
            {"label": _("Pledges"), "data": [fig["pledges"] for *_x, fig in data.countries]}
        ],
        "format": "count",
    }
    return chart


# --- the objective page's charts ---------------------------------------------------------------


COMPONENT_LABELS = {
    "implementation": gettext_lazy("Implementation"),
    "money": gettext_lazy("Money (delivery)"),
    "targets": gettext_lazy("Targets"),
    "indicators": gettext_lazy("Indicators"),
}


def objective_charts(data: ObjectiveProgress) -> dict[str, Chart]:
    """The objective page's charts: its components (and the tracker's composite, where the
    deployment shows it) over time, and each indicator's global values by year."""
    objective = data.objective
    compact = objective.compact.code
    url = pledges_url(compact, objective=objective.number)
    shown = tracker_composite.shown()
    labels = [str(v) for v in COMPONENT_LABELS.values()]
    if shown:
        labels.insert(0, _("Tracker composite (not an official figure)"))
    # History rows are (date, composite, components…): the composite goes when not shown.
    history = [(row[0], *row[1 if shown else 2 :]) for row in data.history]
    score = Chart(
        key="score",
        title=_("Components and tracker composite over time")
        if shown
        else _("Components over time"),
        caption=_(
            "Overall figures of the objective over the last twelve months, one row per snapshot "
            "date (per week, its last snapshot, when there are more than %(max)s)"
        )
        % {"max": selectors.MAX_POINTS},
        columns=[_("Date"), *labels],
        definition_url=tracker_composite.definition_url() if shown else "",
    )
    for date, *values in history:
        score.rows.append(
            Row([Cell(date.isoformat(), day(date))] + [Cell(v, percent(v), url) for v in values])
        )
    score.spec = {
        "type": "line",
        "labels": [row[0].isoformat() for row in history],
        "datasets": [
            {"label": label, "data": [as_float(row[i], 100) for row in history]}
            for i, label in enumerate(labels, start=1)
        ],
        "format": "percent",
    }
    charts = {score.key: score}
    for indicator in data.indicators:
        chart = Chart(
            key=f"indicator-{indicator.code}",
            title=f"{indicator.code} {indicator.title}",
            caption=_("Global values of indicator %(code)s by year (%(unit)s)")
            % {"code": indicator.code, "unit": indicator.get_unit_display()},
            columns=[_("Year"), _("Value"), _("Source")],
        )
        values = indicator.global_values  # type: ignore[attr-defined]  # prefetched (to_attr)
        for value in values:
            chart.rows.append(
                Row(
                    [
                        Cell(value.year, str(value.year)),
                        Cell(
                            str(value.value.normalize()),
                            number_format(value.value.normalize(), force_grouping=True),
                        ),
                        Cell(value.source, value.source),
                    ]
                )
            )
        chart.spec = {
            "type": "line",
            "labels": [str(v.year) for v in values],
            "datasets": [{"label": indicator.code, "data": [float(v.value) for v in values]}],
            "format": "number",
        }
        charts[chart.key] = chart
    return charts


def msp_pledges_url(slug: str, status: str | None = None) -> str:
    """The pledge browser on a multistakeholder pledge's members (with one status)."""
    params = {"msp": slug}
    if status is not None:
        params["implementation_status"] = drilldown.status_values()[status]
    return reverse("pledges:pledge-list") + "?" + urlencode(params)


def msp_charts(data: MspProgress) -> dict[str, Chart]:
    """The MSP slice's charts: its members' status mix, and pledges and money over time."""
    slug = data.msp.slug
    url = msp_pledges_url(slug)
    status = (data.latest or {}).get("status", {})
    total = sum(status.values())
    names = status_labels()
    mix = Chart(
        key="status",
        title=_("Implementation status of the member pledges"),
        caption=_("Member pledges by the status of their latest approved update, as of %(date)s")
        % {"date": day(data.latest_date)},
        columns=[_("Status"), _("Pledges"), _("Share")],
    )
    for key in STATUS_ORDER:
        n = status.get(key, 0)
        share = None if not total else str(Decimal(n) / total)
        link = msp_pledges_url(slug, key)
        mix.rows.append(
            Row(
                [
                    Cell(names[key], names[key]),
                    Cell(n, count(n), link),
                    Cell(None if share is None else round(float(share), 4), percent(share), link),
                ]
            )
        )
    mix.spec = {
        "type": "doughnut",
        "labels": [names[k] for k in STATUS_ORDER],
        "datasets": [{"label": _("Pledges"), "data": [status.get(k, 0) for k in STATUS_ORDER]}],
        "format": "count",
    }
    shown = tracker_composite.shown()
    history = Chart(
        key="history",
        title=_("Member pledges and money over time"),
        caption=_("Overall figures of the member pledges over the last twelve months"),
        columns=[
            _("Date"),
            _("Pledges"),
            _("Pledged (USD)"),
            _("Disbursed (USD)"),
            *([_("Tracker composite (not an official figure)")] if shown else []),
        ],
        definition_url=tracker_composite.definition_url() if shown else "",
    )
    for date, pledges, pledged, disbursed, score in data.history:
        cells = [
            Cell(date.isoformat(), day(date)),
            Cell(pledges, count(None if pledges is None else int(pledges)), url),
            Cell(pledged, usd(pledged), url),
            Cell(disbursed, usd(disbursed), url),
        ]
        if shown:
            cells.append(Cell(score, percent(score), url))
        history.rows.append(Row(cells))
    history.spec = {
        "type": "line",
        "labels": [row[0].isoformat() for row in data.history],
        "datasets": [
            {"label": str(_("Pledged (USD)")), "data": [as_float(row[2]) for row in data.history]},
            {
                "label": str(_("Disbursed (USD)")),
                "data": [as_float(row[3]) for row in data.history],
            },
        ],
        "format": "number",
    }
    return {mix.key: mix, history.key: history}


# --- headline figures and objective cards ---------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A headline number: what it is, its value as shown, and the pledges behind it."""

    label: str
    text: str
    url: str | None
    note: str = ""


def headline(data: Dashboard) -> list[Figure]:
    """The compact's (or the selected slice's) headline numbers as of the date: what is
    counted. The tracker's composite is never one of them (it is the tracker's own measure,
    shown after these, labelled, on the objective cards)."""
    if data.headline is None:
        return []
    f = data.filters
    return counted_figures(
        data.headline,
        filters_url(f),
        filters_url(f, overdue=True),
    )


def counted_figures(
    figures: dict[str, Any], url: str | None, overdue_url: str | None
) -> list[Figure]:
    """Pledges, money and overdue pledges of a snapshot's figures, each linking to its pledges."""
    money = figures.get("money") or {}
    unconverted = money.get("unconverted_pledges") or 0
    return [
        Figure(_("Published pledges"), count(figures.get("pledges", 0)), url),
        Figure(
            _("Pledged (USD)"),
            usd(money.get("pledged_usd")),
            url,
            _("%(n)s pledges not converted (no exchange rate)") % {"n": count(unconverted)}
            if unconverted
            else "",
        ),
        Figure(_("Disbursed (USD)"), usd(money.get("disbursed_usd")), url),
        Figure(
            _("Delivery (disbursed ÷ pledged)"),
            percent(money.get("delivery_ratio")),
            url,
            "" if money.get("delivery_ratio") else _("No pledge reports a disbursement yet."),
        ),
        Figure(
            _("Overdue"),
            count(figures.get("overdue", 0)),
            overdue_url,
            _("No approved progress update in the last two reporting cycles."),
        ),
    ]


def headline_status(data: Dashboard) -> list[tuple[str, str, str | None]]:
    f = data.filters
    return status_mix(
        data.headline or {},
        lambda key: filters_url(f, status=key),
    )


def status_mix(
    figures: dict[str, Any], url_for: Callable[[str], str | None]
) -> list[tuple[str, str, str | None]]:
    """(status, pledges, the pledges behind it) for each status that has pledges."""
    status = figures.get("status") or {}
    names = status_labels()
    return [
        (names[key], count(status[key]), url_for(key)) for key in STATUS_ORDER if status.get(key)
    ]


@dataclass(frozen=True)
class TargetLine:
    """The targets of one unit: how many were reported, and the sums (or, for percentages,
    which cannot be added up, how many were met)."""

    unit: str
    reported: str
    targets: str
    pledged: str
    achieved: str


def target_lines(figures: dict[str, Any]) -> list[TargetLine]:
    names = dict(TargetUnit.choices)
    lines = []
    for unit, t in sorted((figures.get("targets") or {}).items()):
        percent_unit = unit == TargetUnit.PERCENT
        lines.append(
            TargetLine(
                unit=str(names.get(unit, unit)),
                reported=count(t.get("reported")),
                targets=count(t.get("targets")),
                pledged="—" if percent_unit else usd(t.get("target_sum")),
                achieved=_("%(n)s met") % {"n": count(t.get("met"))}
                if percent_unit
                else usd(t.get("achieved_sum")),
            )
        )
    return lines


@dataclass(frozen=True)
class Card:
    number: int
    short_label: str
    title: str
    date: dt.date | None
    score: str | None
    score_text: str
    pledges: str
    pledge_count: int
    pledges_url: str | None
    status: list[tuple[str, str, str | None]]
    pledged: str
    disbursed: str
    delivery: str
    overdue: str
    overdue_url: str | None

    @property
    def score_id(self) -> str:
        return f"score-{self.number}"


def objective_cards(data: Dashboard) -> list[Card]:
    f = data.filters
    names = status_labels()
    cards = []
    for obj in data.objectives:
        figures = obj.figures or {}
        money = figures.get("money") or {}
        status = figures.get("status") or {}
        score = (figures.get("composite") or {}).get("score")
        cards.append(
            Card(
                number=obj.number,
                short_label=obj.short_label,
                title=obj.title,
                date=obj.date,
                score=score,
                score_text=percent(score),
                pledges=count(figures.get("pledges", 0)),
                pledge_count=figures.get("pledges", 0),
                pledges_url=filters_url(f, objective=obj.number),
                status=[
                    (
                        names[key],
                        count(status.get(key, 0)),
                        filters_url(f, objective=obj.number, status=key),
                    )
                    for key in STATUS_ORDER
                    if status.get(key)
                ],
                pledged=usd(money.get("pledged_usd")),
                disbursed=usd(money.get("disbursed_usd")),
                delivery=percent(money.get("delivery_ratio")),
                overdue=count(figures.get("overdue", 0)),
                overdue_url=filters_url(f, objective=obj.number, overdue=True),
            )
        )
    return cards
