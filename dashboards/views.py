"""The public dashboard (no login): `/dashboard/` per compact with its filters, each chart's CSV,
an objective's progress page and the method page rendered from docs/progress.md.

Views stay thin: the filters are `forms.DashboardFilterForm`, the reads `selectors`, the tables
and chart data `charts`. What the dashboard reads is cached briefly under the snapshot version
token, so that a recompute makes the next request read fresh figures.
"""

import csv
import logging
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

import markdown
from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_htmx.http import push_url

from compacts.models import Objective
from core.forms import choice_field
from core.http import HtmxHttpRequest
from core.spreadsheets import safe_row
from forums.models import ReportingRound
from goals import selectors as goal_selectors
from indicators import composite as tracker_composite
from indicators import snapshot_version
from partnerships.models import MultistakeholderPledge
from pledges.selectors import round_progress

from . import charts, selectors
from .forms import Choices, DashboardFilterForm, Filters

logger = logging.getLogger(__name__)

CACHE_SECONDS = 60
METHOD_FILE = Path(settings.BASE_DIR) / "docs" / "progress.md"
T = TypeVar("T")
# One line per component of the composite score; docs/progress.md has the full definition.
COMPONENT_METHOD = {
    "implementation": _(
        "Mean over the pledges of a status weight: fulfilled 1, in progress 0.5, planning 0.1, "
        "others and no update 0."
    ),
    "money": _("Disbursed US dollars ÷ pledged US dollars (latest reported disbursement)."),
    "targets": _(
        "Per unit, achieved ÷ target over the targets with a reported value (capped at each "
        "target), then the mean of the units."
    ),
    "indicators": _(
        "Mean over the indicators of (latest − baseline) ÷ (target − baseline), clamped to 0–100 %."
    ),
}


def cached(name: str, parts: tuple[Any, ...], build: Callable[[], T]) -> T:
    """`build()`, kept for CACHE_SECONDS under the snapshot version token: a recompute gives a
    new token, so nothing stale is served after it. No token (cache down) → no caching."""
    token = snapshot_version.current()
    if token is None:
        return build()
    # Whether the composite is shown changes what is built (charts, columns).
    shown = "composite" if tracker_composite.shown() else "no-composite"
    key = ":".join(["dashboards", name, token, get_language() or "", shown, *map(str, parts)])
    try:
        hit = cache.get(key)
    except Exception:
        logger.warning("Cache unreachable: dashboard served uncached", exc_info=True)
        return build()
    if hit is not None:
        return hit
    value = build()
    try:
        cache.set(key, value, CACHE_SECONDS)
    except Exception:
        logger.warning("Cache unreachable: dashboard not cached", exc_info=True)
    return value


def _filter_form(request: HttpRequest) -> tuple[DashboardFilterForm, Filters, Choices]:
    choices = Choices.load()
    form = DashboardFilterForm(request.GET, choices=choices)
    return form, form.filters(), choices


def _dashboard_data(filters: Filters, choices: Choices) -> dict[str, Any]:
    def build() -> dict[str, Any]:
        data = selectors.dashboard(filters)
        return {
            "data": data,
            "charts": charts.dashboard_charts(data, choices.labels()),
            "headline": charts.headline(data),
            "headline_status": charts.headline_status(data),
            "headline_targets": charts.target_lines(data.headline or {}),
            "cards": charts.objective_cards(data),
            "goals": goal_selectors.compact_goals(filters.compact, until=data.as_of),
        }

    parts = (
        filters.compact,
        *(f"{k}={v}" for k, v in sorted(filters.chosen.items())),
        filters.year,
    )
    return cached("dashboard", parts, build)


def _round_progress(filters: Filters) -> dict[str, Any] | None:
    """The chosen reporting round and how it is going, read from the pledges (not snapshots:
    rounds are not a slice), kept like the snapshots' figures until the next recompute."""
    if not filters.round:
        return None
    round_ = ReportingRound.objects.filter(pk=filters.round).first()
    if round_ is None:
        return None
    return {
        "round": round_,
        "figures": cached("round", (round_.pk,), lambda: round_progress(round_)),
    }


def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    """The dashboard of one compact; an htmx request gets the body only (the filters update it in
    place), any other request the whole page."""
    form, filters, choices = _filter_form(request)
    bundle = _dashboard_data(filters, choices)
    labels = choices.labels()
    names = choices.filter_labels()
    if filters.combined:
        slice_label = " · ".join(
            names.get(name, {}).get(value, value) for name, value in filters.chosen.items()
        )
    else:
        slice_label = labels.get(filters.slice_kind, {}).get(filters.slice_key, "")
    context = {
        **bundle,
        "form": form,
        "filters": filters,
        "compacts": choices.compacts,
        "forums": form.forums_of(filters.compact),
        "rounds": form.rounds_of(filters.compact),
        "round_progress": _round_progress(filters),
        "regions": list(labels["region"].items()),
        "entity_types": choices.entity_types,
        "years": choice_field(form, "year").choices,
        "query": urlencode(filters.params()),
        "slice_label": slice_label,
        "countries": choices.countries,
        "objectives": form.objectives_of(filters.compact),
        "msps": form.msps_of(filters.compact),
        "support_types": choices.support_types,
        "chart_list": list(bundle["charts"].values()),
        "compact_name": dict(choices.compacts).get(filters.compact, filters.compact),
        "composite_shown": tracker_composite.shown(),
    }
    partial = request.htmx and not request.htmx.history_restore_request
    template = "dashboards/_dashboard.html" if partial else "dashboards/dashboard.html"
    response = render(request, template, context)
    if partial:
        # The address bar shows the filters without the empty "any" selects of the form.
        push_url(response, f"{request.path}?{form.data.urlencode()}")
    # The same URL answers a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def dashboard_csv(request: HttpRequest, chart: str) -> HttpResponse:
    """Exactly the rows of one chart's data table, for the same filters."""
    form, filters, choices = _filter_form(request)
    if form.errors:
        messages = [f"{name}: {' '.join(map(str, errors))}" for name, errors in form.errors.items()]
        return HttpResponseBadRequest("\n".join(messages), content_type="text/plain")
    bundle = _dashboard_data(filters, choices)
    found = bundle["charts"].get(chart)
    if found is None:
        raise Http404("No such chart.")
    as_of = bundle["data"].as_of
    name = "-".join(str(p) for p in ["dashboard", *filters.params().values(), chart, as_of] if p)
    return _csv(found, name)


def _csv(chart: charts.Chart, name: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerows(safe_row(row) for row in chart.csv_rows())
    return response


def _objective(compact: str, number: int) -> Objective:
    return get_object_or_404(
        Objective.objects.select_related("compact"), compact__code=compact, number=number
    )


def _objective_data(objective: Objective) -> dict[str, Any]:
    def build() -> dict[str, Any]:
        data = selectors.objective_progress(objective)
        return {"progress": data, "charts": charts.objective_charts(data)}

    return cached("objective", (objective.pk,), build)


def objective_progress(request: HttpRequest, compact: str, number: int) -> HttpResponse:
    """One objective: official text, what is counted (pledges, status mix, money, targets),
    the components of progress and — after them, labelled as the tracker's own measure, where
    the deployment shows it — the tracker's composite; its indicators' values over time."""
    objective = _objective(compact, number)
    bundle = _objective_data(objective)
    progress = bundle["progress"]
    latest = progress.latest or {}
    composite = latest.get("composite") or {}
    pledges_url = charts.pledges_url(objective.compact.code, objective=objective.number)
    values = composite.get("components") or {}
    weights = composite.get("weights") or {}
    components = [
        {
            "label": label,
            "value": values.get(key),
            "text": charts.percent(values.get(key)),
            # Indicators are population statistics, not pledges: nothing to link to.
            "url": pledges_url if key != "indicators" else None,
            "weight": weights.get(key),
            "how": COMPONENT_METHOD[key],
        }
        for key, label in charts.COMPONENT_LABELS.items()
    ]
    context = {
        **bundle,
        "objective": objective,
        "latest": latest,
        "composite": composite,
        "components": components,
        "chart_list": list(bundle["charts"].values()),
        "pledges_url": pledges_url,
        "score_text": charts.percent(composite.get("score")),
        "composite_shown": tracker_composite.shown(),
        # What is counted comes first; the composite after it (objective_progress.html).
        "counted": charts.counted_figures(
            latest,
            pledges_url,
            charts.pledges_url(objective.compact.code, objective=objective.number, overdue=True),
        ),
        "status_mix": charts.status_mix(
            latest,
            lambda key: charts.pledges_url(
                objective.compact.code, objective=objective.number, status=key
            ),
        ),
        "targets": charts.target_lines(latest),
        "indicators": [
            (indicator, bundle["charts"][f"indicator-{indicator.code}"])
            for indicator in progress.indicators
        ],
    }
    return render(request, "dashboards/objective_progress.html", context)


def objective_csv(request: HttpRequest, compact: str, number: int, chart: str) -> HttpResponse:
    objective = _objective(compact, number)
    found = _objective_data(objective)["charts"].get(chart)
    if found is None:
        raise Http404("No such chart.")
    return _csv(found, f"objective-{compact}-{number}-{chart}")


def _msp(slug: str) -> MultistakeholderPledge:
    return get_object_or_404(MultistakeholderPledge.objects.select_related("compact"), slug=slug)


def _msp_data(msp: MultistakeholderPledge) -> dict[str, Any]:
    def build() -> dict[str, Any]:
        data = selectors.msp_progress(msp)
        return {"progress": data, "charts": charts.msp_charts(data)}

    return cached("msp", (msp.pk,), build)


def msp_progress(request: HttpRequest, slug: str) -> HttpResponse:
    """One multistakeholder pledge's slice: its members' status mix and figures over time,
    computed by the progress engine (not official figures)."""
    msp = _msp(slug)
    bundle = _msp_data(msp)
    return render(
        request,
        "dashboards/msp_progress.html",
        {
            **bundle,
            "msp": msp,
            "latest": bundle["progress"].latest or {},
            "pledges_url": charts.msp_pledges_url(msp.slug),
        },
    )


def msp_csv(request: HttpRequest, slug: str, chart: str) -> HttpResponse:
    msp = _msp(slug)
    found = _msp_data(msp)["charts"].get(chart)
    if found is None:
        raise Http404("No such chart.")
    return _csv(found, f"msp-{msp.slug}-{chart}")


@lru_cache(maxsize=4)
def _method_html(mtime: float) -> SafeString:
    """docs/progress.md as HTML, rendered once per version of the file."""
    text = METHOD_FILE.read_text(encoding="utf-8")
    html = markdown.markdown(text, extensions=["tables", "toc"], output_format="html")
    # The file is ours (in the repository and the image), not user input.
    return mark_safe(html)  # noqa: S308


def figures(request: HttpRequest) -> HttpResponse:
    """What is official and what the tracker computes, and the tracker's composite defined
    (when this deployment publishes it): the page every composite links to."""
    weights = settings.PROGRESS_COMPONENT_WEIGHTS
    components = [
        {"label": label, "weight": weights.get(key, "0"), "how": COMPONENT_METHOD[key]}
        for key, label in charts.COMPONENT_LABELS.items()
    ]
    return render(
        request,
        "dashboards/figures.html",
        {"composite_shown": tracker_composite.shown(), "components": components},
    )


def method(request: HttpRequest) -> HttpResponse:
    """How progress is computed: docs/progress.md, the definition the engine's tests check."""
    return render(
        request,
        "dashboards/method.html",
        {"method_html": _method_html(METHOD_FILE.stat().st_mtime)},
    )
