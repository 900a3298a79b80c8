"""Representations of the GCR indicator framework, its values, exchange rates and computed
progress for the partner API.

Decimals are sent as strings (DRF's default), so that no client rounds them through a float; each
field's help text names its unit.
"""

from typing import Any

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from compacts.api.serializers import CompactRefSerializer, ObjectiveRefSerializer
from core.models import ExchangeRate
from indicators import composite as tracker_composite
from indicators import drilldown
from indicators.models import Indicator, IndicatorValue, ProgressSnapshot

# Lazy, like every text of the OpenAPI document (read in the caller's language).
UNIT_HELP = gettext_lazy(
    "In the indicator's unit: `usd` US dollars, `percent` 0–100, `persons` or `count` a number "
    "of people or of things. A decimal sent as a string."
)


class IndicatorRefSerializer(serializers.ModelSerializer):
    """An indicator as nested in its values: enough to read a value without another request."""

    compact = serializers.CharField(source="compact.code", read_only=True)
    edition = serializers.CharField(
        source="edition.slug",
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy(
            "The framework edition the indicator belongs to (e.g. `gcr-2022`); an indicator is "
            "identified by edition and code."
        ),
    )
    url = serializers.HyperlinkedIdentityField(view_name="indicator-detail")

    class Meta:
        model = Indicator
        # `edition` after the fields clients had, so that exported columns keep their places.
        fields = ("id", "compact", "code", "title", "unit", "edition", "url")


class IndicatorSerializer(serializers.ModelSerializer):
    compact = CompactRefSerializer(read_only=True)
    objective = ObjectiveRefSerializer(read_only=True)
    baseline_value = serializers.DecimalField(
        max_digits=20,
        decimal_places=4,
        read_only=True,
        allow_null=True,
        help_text=format_lazy("{} {}", gettext_lazy("Value in `baseline_year`."), UNIT_HELP),
    )
    target_value = serializers.DecimalField(
        max_digits=20,
        decimal_places=4,
        read_only=True,
        allow_null=True,
        help_text=format_lazy(
            "{} {}", gettext_lazy("Value aimed for by `target_year`, if one is set."), UNIT_HELP
        ),
    )
    values_url = serializers.SerializerMethodField(
        help_text=gettext_lazy("The indicator's values, per country and year.")
    )
    # Flat, not nested: an indicator recorded without an edition would give exports another
    # set of columns.
    edition = serializers.CharField(
        source="edition.slug",
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy(
            "The framework edition the indicator belongs to (e.g. `gcr-2022`); null for one "
            "recorded without. An indicator is identified by edition and code."
        ),
    )
    edition_title = serializers.CharField(source="edition.title", read_only=True, allow_null=True)
    framework_version = serializers.CharField(
        read_only=True,
        help_text=gettext_lazy('The edition\'s year (e.g. "2022"), as before `edition` existed.'),
    )
    counts_for_progress = serializers.BooleanField(
        read_only=True,
        help_text=gettext_lazy(
            "Whether the progress figures use this indicator: those of the latest edition do; "
            "older editions' are kept as history."
        ),
    )
    url = serializers.HyperlinkedIdentityField(view_name="indicator-detail")

    class Meta:
        model = Indicator
        fields = (
            "id",
            "compact",
            "objective",
            "code",
            "title",
            "description",
            "unit",
            "direction",
            "baseline_value",
            "baseline_year",
            "target_value",
            "target_year",
            "framework_version",
            "edition",
            "edition_title",
            "confirmed",
            "confirmation_note",
            "source_url",
            "counts_for_progress",
            "values_url",
            "url",
        )

    @extend_schema_field(OpenApiTypes.URI)
    def get_values_url(self, indicator: Indicator) -> str:
        path = f"{reverse('indicator-value-list')}?indicator_id={indicator.pk}"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class IndicatorValueSerializer(serializers.ModelSerializer):
    indicator = IndicatorRefSerializer(read_only=True)
    # Flat, not nested: a global value has no country, and a nested object that is sometimes
    # null would give CSV/XLSX exports a different set of columns per row.
    country = serializers.CharField(
        source="country_id",
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("ISO 3166-1 alpha-2 code; null for a global value."),
    )
    country_name = serializers.CharField(source="country.name", read_only=True, allow_null=True)
    value = serializers.DecimalField(
        max_digits=20, decimal_places=4, read_only=True, help_text=UNIT_HELP
    )
    numerator = serializers.DecimalField(
        max_digits=20,
        decimal_places=4,
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy(
            "For percentages: the count the value is a share of. Aggregate percentages "
            "as sum(numerator) / sum(denominator), never by averaging values."
        ),
    )
    denominator = serializers.DecimalField(
        max_digits=20,
        decimal_places=4,
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("For percentages: the population the value is a share of."),
    )
    # Flat, like `country`: a nested object that is null for some rows would give exports a
    # different set of columns per row.
    report = serializers.IntegerField(
        source="report.year",
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy(
            "Year of the indicator report edition that published the value; null for other "
            "sources (see `source`). A later report's revision of a year is another value: "
            "both are kept, and progress uses the latest report's."
        ),
    )
    report_title = serializers.CharField(source="report.title", read_only=True, allow_null=True)
    report_url = serializers.CharField(source="report.url", read_only=True, allow_null=True)
    url = serializers.HyperlinkedIdentityField(view_name="indicator-value-detail")

    class Meta:
        model = IndicatorValue
        fields = (
            "id",
            "indicator",
            "country",
            "country_name",
            "year",
            "value",
            "numerator",
            "denominator",
            "source",
            "report",
            "report_title",
            "report_url",
            "url",
        )


class ExchangeRateSerializer(serializers.ModelSerializer):
    currency = serializers.CharField(
        source="currency_id", read_only=True, help_text=gettext_lazy("ISO 4217 code.")
    )
    currency_name = serializers.CharField(source="currency.name", read_only=True)
    usd_per_unit = serializers.DecimalField(
        max_digits=20,
        decimal_places=10,
        read_only=True,
        help_text=gettext_lazy(
            "US dollars that one unit of the currency was worth on `date`. A decimal "
            "sent as a string."
        ),
    )
    url = serializers.HyperlinkedIdentityField(view_name="exchange-rate-detail")

    class Meta:
        model = ExchangeRate
        fields = ("id", "currency", "currency_name", "date", "usd_per_unit", "source", "url")


def _decimal(help_text: str = "") -> serializers.CharField:
    """A computed decimal sent as a string; null (never zero) when it cannot be computed."""
    return serializers.CharField(required=False, allow_null=True, help_text=help_text or None)


def _count(help_text: str = "") -> serializers.IntegerField:
    return serializers.IntegerField(required=False, help_text=help_text or None)


# The serializers below type `figures` in the OpenAPI document (so generated clients get real
# fields); the figures themselves are written by the progress engine (`indicators.engine`) and
# sent as stored. Every field is optional: older snapshots and MSP figures hold fewer of them.


class CompositeFiguresSerializer(serializers.Serializer):
    """The tracker's composite: the tracker's own measure, NOT an official figure (neither UNHCR
    nor the UN Network on Migration publishes such a score). A weighted mean of the components
    that have data; defined at `/about/figures/#composite`. Absent from `figures` where the
    deployment turns the composite off (`TRACKER_COMPOSITE_SCORE=false`)."""

    score = _decimal("A ratio 0–1, 4 decimals.")
    components = serializers.DictField(
        child=serializers.CharField(allow_null=True),
        required=False,
        help_text="Each component's ratio 0–1 (implementation, money, targets, indicators).",
    )
    weights = serializers.DictField(child=serializers.CharField(), required=False)
    weights_used = serializers.CharField(required=False)
    official = serializers.BooleanField(
        required=False, help_text="Always false: the composite is computed by the tracker."
    )
    definition = serializers.URLField(
        required=False, help_text="The page that defines the tracker's composite."
    )


class MoneyFiguresSerializer(serializers.Serializer):
    """Money pledged and disbursed, in US dollars (converted at the rate nearest each pledge)."""

    pledges_with_amount = _count()
    unconverted_pledges = _count("Pledges with an amount but no exchange rate to convert it.")
    pledged_usd = _decimal()
    pledges_reporting_disbursement = _count()
    disbursed_usd = _decimal()
    delivery_ratio = _decimal("Disbursed / pledged among the pledges reporting disbursement.")


class TargetFiguresSerializer(serializers.Serializer):
    """The pledges' targets of one unit."""

    targets = _count()
    reported = _count("Targets with a reported achievement.")
    met = _count()
    target_sum = _decimal("Absent for percentages, which cannot be added up.")
    achieved_sum = _decimal("Absent for percentages.")
    progress = _decimal("A ratio 0–1.")


class IndicatorFiguresSerializer(serializers.Serializer):
    """One indicator of the objective, with its newest global value."""

    code = serializers.CharField(required=False)
    unit = serializers.CharField(required=False)
    direction = serializers.CharField(required=False)
    baseline = _decimal()
    target = _decimal()
    latest = _decimal()
    latest_year = serializers.IntegerField(required=False, allow_null=True)
    progress = _decimal("A ratio 0–1.")


class ProgressFiguresSerializer(serializers.Serializer):
    """The figures computed by the tracker (not official figures). Money is in US dollars and
    decimals are strings; a figure that cannot be computed (a missing exchange rate or value)
    is null, never zero. Nested objects become `figures.<name>.<part>` columns in CSV and XLSX
    exports."""

    pledges = _count("Published pledges counted.")
    entities = _count("Entities behind them (multistakeholder pledges' overall figures).")
    status = serializers.DictField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Pledges per implementation status (`no_update` when none was reported).",
    )
    overdue = _count("Pledges late with their progress report.")
    implementation_score = _decimal("Weighted share of implementation, 0–1.")
    money = MoneyFiguresSerializer(required=False)
    targets = serializers.DictField(
        child=TargetFiguresSerializer(),
        required=False,
        help_text="Targets per unit (persons, places, usd, percent, count, other).",
    )
    target_progress = _decimal("Mean progress of the units' targets, 0–1.")
    indicators = IndicatorFiguresSerializer(many=True, required=False)
    indicator_progress = _decimal("Mean progress of the indicators, 0–1.")
    composite = CompositeFiguresSerializer(required=False)


@extend_schema_field(ProgressFiguresSerializer)
class FiguresField(serializers.JSONField):
    """A snapshot's figures as published (`indicators.composite.public_figures`): the tracker's
    composite labelled as such with its definition, or left out where the deployment says so."""

    def to_representation(self, value: Any) -> Any:
        figures = super().to_representation(value)
        if not isinstance(figures, dict):  # null: an MSP not computed yet
            return figures
        return tracker_composite.public_figures(figures, self.definition)

    @property
    def definition(self) -> str:
        """The composite's definition as an absolute URL, worked out once per serializer (an
        export serializes thousands of rows with one)."""
        if not hasattr(self, "_definition"):
            request = self.context.get("request")
            path = tracker_composite.definition_url()
            self._definition = request.build_absolute_uri(path) if request else path
        return self._definition


class ProgressLinksSerializer(serializers.Serializer):
    """Where the pledges behind a snapshot's figures are listed."""

    pledges = serializers.URLField(
        help_text=gettext_lazy("The pledge browser, filtered to this slice.")
    )
    pledges_api = serializers.URLField(help_text=gettext_lazy("The same pledges through the API."))
    by_status = serializers.DictField(
        child=serializers.URLField(),
        help_text=gettext_lazy(
            "The browser filtered to this slice and one implementation status, per key "
            "of `figures.status`."
        ),
    )


class ProgressSnapshotSerializer(serializers.ModelSerializer):
    objective = ObjectiveRefSerializer(read_only=True)
    links = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "Drill-down: the pledges behind the figures (null for the `global` region "
            "slice, which no filter selects)."
        )
    )
    slice_key = serializers.CharField(
        read_only=True,
        help_text=gettext_lazy(
            "Which slice: empty for `overall`, else a forum code (GRF23), a UN M49 "
            "region code (002) or an entity type code."
        ),
    )
    figures = FiguresField(read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="progress-detail")

    class Meta:
        model = ProgressSnapshot
        fields = (
            "id",
            "objective",
            "slice_kind",
            "slice_key",
            "date",
            "figures",
            "computed_at",
            "links",
            "url",
        )

    @extend_schema_field(ProgressLinksSerializer(allow_null=True))
    def get_links(self, snapshot: ProgressSnapshot) -> dict[str, Any] | None:
        params = drilldown.slice_params(
            compact=snapshot.objective.compact.code,
            objective_number=snapshot.objective.number,
            slice_kind=snapshot.slice_kind,
            slice_key=snapshot.slice_key,
        )
        if params is None:
            return None
        request = self.context.get("request")

        def absolute(path: str) -> str:
            return request.build_absolute_uri(path) if request else path

        browser = reverse("pledges:pledge-list")
        return {
            "pledges": absolute(browser + drilldown.query(params)),
            "pledges_api": absolute(reverse("pledge-list") + drilldown.query(params)),
            "by_status": {
                key: absolute(browser + drilldown.query(params, implementation_status=value))
                for key, value in drilldown.status_values().items()
            },
        }
