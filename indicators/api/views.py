"""Read-only API for the GCR indicator framework, its values, exchange rates and computed progress.

Anyone may read these resources; the secretariat maintains indicators, values and rates in the
admin, and the progress engine writes the snapshots. Lists and exports share each resource's
FilterSet (`filters.py`), and every list reads a fixed number of queries whatever its length.
"""

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework.serializers import BaseSerializer

from changefeed.api.removed import RemovedMixin
from changefeed.models import Resource
from core.api.exports import flatten
from core.api.viewsets import ReadOnlyResourceViewSet
from core.models import ExchangeRate
from indicators import composite as tracker_composite
from indicators.models import Indicator, IndicatorValue, ProgressSnapshot

from .filters import ExchangeRateFilter, IndicatorFilter, IndicatorValueFilter, ProgressFilter
from .serializers import (
    ExchangeRateSerializer,
    IndicatorSerializer,
    IndicatorValueSerializer,
    ProgressSnapshotSerializer,
)

HOST = "https://tracker.example.org"
OBJECTIVE_3 = {
    "id": 3,
    "compact": "GCR",
    "number": 3,
    "short_label": "Third-country solutions",
    "url": f"{HOST}/api/v1/objectives/3/",
}
INDICATOR_EXAMPLE = {
    "id": 8,
    "compact": {
        "code": "GCR",
        "name": "Global Compact on Refugees",
        "url": f"{HOST}/api/v1/compacts/GCR/",
    },
    "objective": OBJECTIVE_3,
    "code": "3.1.1",
    "title": "Number of refugees resettled to third countries",
    "description": "GCR indicator framework, 2022 edition.",
    "unit": "persons",
    "direction": "higher",
    "baseline_value": "107800.0000",
    "baseline_year": 2018,
    "target_value": None,
    "target_year": None,
    "framework_version": "2022",
    "edition": "gcr-2022",
    "edition_title": "Global Compact on Refugees Indicator Framework, second edition (2022)",
    "confirmed": False,
    "confirmation_note": "Code, title and unit are not yet checked against the published text "
    "of the 2022 framework; confirm them before relying on them.",
    "source_url": "https://globalcompactrefugees.org/about/global-compact-refugees/"
    "global-compact-refugees-indicator-report",
    "counts_for_progress": True,
    "values_url": f"{HOST}/api/v1/indicator-values/?indicator_id=8",
    "url": f"{HOST}/api/v1/indicators/8/",
}
VALUE_EXAMPLE = {
    "id": 5120,
    "indicator": {
        "id": 6,
        "compact": "GCR",
        "code": "2.2.1",
        "title": "Proportion of refugee children enrolled in the national education system",
        "unit": "percent",
        "edition": "gcr-2022",
        "url": f"{HOST}/api/v1/indicators/6/",
    },
    "country": "KE",
    "country_name": "Kenya",
    "year": 2023,
    "value": "61.2500",
    "numerator": "245000.0000",
    "denominator": "400000.0000",
    "source": "GCR Indicator Report 2023",
    "report": 2023,
    "report_title": "Global Compact on Refugees Indicator Report 2023",
    "report_url": "https://www.unhcr.org/what-we-do/reports-and-publications/data-and-statistics/"
    "indicator-report-2023",
    "url": f"{HOST}/api/v1/indicator-values/5120/",
}
RATE_EXAMPLE = {
    "id": 311,
    "currency": "EUR",
    "currency_name": "Euro",
    "date": "2023-12-13",
    "usd_per_unit": "1.0791000000",
    "source": "IMF exchange rates",
    "url": f"{HOST}/api/v1/exchange-rates/311/",
}
PROGRESS_EXAMPLE = {
    "id": 90412,
    "objective": OBJECTIVE_3,
    "slice_kind": "forum",
    "slice_key": "GRF23",
    "date": "2025-06-30",
    "figures": {"pledges": 212, "entities": 148, "usd_pledged": "412500000.00"},
    "computed_at": "2025-06-30T02:10:44Z",
    "url": f"{HOST}/api/v1/progress/90412/",
}


def _examples(name: str, value: dict[str, Any]) -> list[OpenApiExample]:
    return [OpenApiExample(name, value=value, response_only=True)]


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List indicators"),
        description=gettext_lazy(
            "The indicators that measure each objective at population level (the GCR "
            "indicator framework, e.g. 3.1.1 refugees resettled), with unit, direction, baseline "
            "and target. Filter with `compact=GCR&objective=3`, `unit`, `direction`. Values and "
            "targets are decimals sent as strings, in the indicator's `unit`."
        ),
        examples=_examples("Indicator 3.1.1", INDICATOR_EXAMPLE),
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("One indicator"),
        description=gettext_lazy(
            "An indicator by id; `values_url` lists its values per country and year."
        ),
        examples=_examples("Indicator 3.1.1", INDICATOR_EXAMPLE),
    ),
)
class IndicatorViewSet(ReadOnlyResourceViewSet):
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    ordering = ("id",)
    ordering_fields = ("id",)
    export_basename = "indicators"

    def get_queryset(self) -> QuerySet[Indicator]:
        return Indicator.objects.select_related(
            "compact", "objective__compact", "edition"
        ).with_counts_for_progress()


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List indicator values"),
        description=gettext_lazy(
            "Observed values of the indicators per country (or `global`) and year, with "
            "their source. Filter with `compact=GCR&indicator=2.2.1`, `country=KE` or "
            "`country=global`, `year` or `year_min`/`year_max` (inclusive). `value` is in the "
            "indicator's unit (USD, percent 0–100, persons, count); percentages carry `numerator` "
            "and `denominator`, which are what to sum when aggregating. Values carry no timestamp, "
            "so there is no `updated_since` filter: use `If-None-Match` to re-read cheaply."
        ),
        examples=_examples("Kenya, 2023", VALUE_EXAMPLE),
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("One indicator value"),
        description=gettext_lazy("A value by id, with its indicator, country, year and source."),
        examples=_examples("Kenya, 2023", VALUE_EXAMPLE),
    ),
)
class IndicatorValueViewSet(RemovedMixin, ReadOnlyResourceViewSet):
    feed_resource = Resource.INDICATOR_VALUE
    serializer_class = IndicatorValueSerializer
    filterset_class = IndicatorValueFilter
    ordering = ("id",)
    ordering_fields = ("id",)
    export_basename = "indicator-values"

    def get_queryset(self) -> QuerySet[IndicatorValue]:
        return IndicatorValue.objects.select_related(
            "indicator__compact", "indicator__edition", "country", "report"
        )


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List exchange rates"),
        description=gettext_lazy(
            "US dollars per unit of each currency on a date; the tracker converts "
            "pledged amounts to USD with the rate nearest the pledge. Filter with `currency=EUR`, "
            "`date` or `date_min`/`date_max` (inclusive). `usd_per_unit` is a decimal sent as a "
            "string."
        ),
        examples=_examples("Euro on GRF 2023's first day", RATE_EXAMPLE),
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("One exchange rate"),
        description=gettext_lazy(
            "A rate by id: a currency, a date and the US dollars one unit was worth."
        ),
        examples=_examples("Euro on GRF 2023's first day", RATE_EXAMPLE),
    ),
)
class ExchangeRateViewSet(ReadOnlyResourceViewSet):
    serializer_class = ExchangeRateSerializer
    filterset_class = ExchangeRateFilter
    ordering = ("id",)
    ordering_fields = ("id",)
    export_basename = "exchange-rates"

    def get_queryset(self) -> QuerySet[ExchangeRate]:
        return ExchangeRate.objects.select_related("currency")


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List progress snapshots"),
        description=gettext_lazy(
            "Computed progress of each objective, overall and per slice (forum, region, "
            "entity type), one snapshot per objective × slice × day, so that history forms time "
            "series. Filter with `compact=GCR&objective=3`, `slice_kind`, `slice_key`, `date` or "
            "`date_min`/`date_max` (inclusive); `latest=true` keeps only the newest snapshot of "
            "each objective × slice among those selected. `figures` holds the computed figures: "
            "money in USD, decimals as strings, null (never zero) when a figure cannot be "
            "computed. CSV and XLSX exports have one `figures.<name>` column per figure found in "
            "any exported row."
        ),
        examples=_examples("GCR objective 3 at GRF 2023", PROGRESS_EXAMPLE),
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("One progress snapshot"),
        description=gettext_lazy(
            "A snapshot by id: one objective, one slice, one day, and its figures."
        ),
        examples=_examples("GCR objective 3 at GRF 2023", PROGRESS_EXAMPLE),
    ),
)
class ProgressViewSet(RemovedMixin, ReadOnlyResourceViewSet):
    feed_resource = Resource.PROGRESS
    serializer_class = ProgressSnapshotSerializer
    filterset_class = ProgressFilter
    ordering = ("id",)
    ordering_fields = ("id",)
    export_basename = "progress"

    def get_queryset(self) -> QuerySet[ProgressSnapshot]:
        return ProgressSnapshot.objects.select_related("objective__compact")

    def export_rows(
        self, queryset: QuerySet[ProgressSnapshot], serializer: BaseSerializer
    ) -> Iterator[dict[str, Any]]:
        """Every row with the same columns: snapshots of different objectives and slices may
        hold different figures, and a spreadsheet takes its columns from the first row. A first
        pass over the figures alone collects every `figures.…` column; a figure a row lacks is
        left empty (missing), never zero."""
        columns: dict[str, None] = {}
        for figures in queryset.values_list("figures", flat=True).iterator(chunk_size=2000):
            # The columns of the figures as published (the composite labelled, or left out).
            public = tracker_composite.public_figures(figures, "")
            columns.update(dict.fromkeys(flatten(public, "figures.")))
        figure_columns = sorted(columns)
        for row in super().export_rows(queryset, serializer):
            base = {key: value for key, value in row.items() if not key.startswith("figures")}
            figures = {column: row.get(column) for column in figure_columns}
            yield _with_figures(base, figures)


def _with_figures(base: dict[str, Any], figures: dict[str, Any]) -> dict[str, Any]:
    """The row's columns in serializer order, with the figure columns where `figures` is."""
    fields = list(ProgressSnapshotSerializer.Meta.fields)
    after = set(fields[fields.index("figures") + 1 :])
    row: dict[str, Any] = {}
    for key, value in base.items():
        if figures and key.split(".")[0] in after:
            row.update(figures)
            figures = {}
        row[key] = value
    row.update(figures)
    return row
