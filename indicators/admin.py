"""Admin for the indicator framework, indicator values, exchange rates and progress snapshots."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import ExchangeRate, Indicator, IndicatorValue, ProgressSnapshot


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "objective", "unit", "direction", "framework_version")
    list_display_links = ("code", "title")
    list_filter = ("compact", "framework_version", "unit", "direction")
    list_select_related = ("compact", "objective__compact")
    search_fields = ("code", "title")
    ordering = ("compact__code", "code")
    autocomplete_fields = ("objective",)
    fieldsets = (
        (None, {"fields": ("compact", "objective", "code", "title", "description")}),
        (_("Measure"), {"fields": ("unit", "direction", "framework_version")}),
        (
            _("Baseline and target"),
            {"fields": (("baseline_value", "baseline_year"), ("target_value", "target_year"))},
        ),
    )


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ("indicator", "country", "year", "value", "numerator", "denominator", "source")
    list_filter = ("indicator", "year", "country__region")
    list_select_related = ("indicator", "country")
    search_fields = ("indicator__code", "indicator__title", "country__name", "=country__code")
    ordering = ("indicator__code", "-year", "country__name")
    autocomplete_fields = ("indicator", "country")


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ("currency", "date", "usd_per_unit", "source")
    list_select_related = ("currency",)
    search_fields = ("=currency__code", "currency__name")
    ordering = ("currency__code", "-date")
    date_hierarchy = "date"
    autocomplete_fields = ("currency",)


@admin.register(ProgressSnapshot)
class ProgressSnapshotAdmin(admin.ModelAdmin):
    """Snapshots are computed by the progress engine; the admin only shows them, because an edited
    figure could no longer be traced to the pledges and updates behind it."""

    list_display = ("objective", "slice_kind", "slice_key", "date", "computed_at")
    list_filter = ("slice_kind", "objective__compact")
    search_fields = ("slice_key", "objective__short_label")
    ordering = ("objective__compact__code", "objective__number", "slice_kind", "-date")
    date_hierarchy = "date"
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProgressSnapshot]:
        return super().get_queryset(request).select_related("objective__compact")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: ProgressSnapshot | None = None
    ) -> bool:
        return False
