"""Admin for the indicator framework, indicator values, exchange rates, progress snapshots and
the runs of the progress engine."""

import logging
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.admin import ComputedRowAdmin
from core.models import ExchangeRate
from pledges.workflow import REVIEW_PERMISSION

from . import services
from .models import (
    CompactProgressSnapshot,
    FilterSum,
    FrameworkEdition,
    Indicator,
    IndicatorValue,
    MspProgressSnapshot,
    PledgeFact,
    ProgressBase,
    ProgressSnapshot,
    ProgressSum,
    RecomputeRun,
    ReportEdition,
)
from .tasks import request_full_recompute, tasks_run_inline

logger = logging.getLogger(__name__)


class ReportEditionInline(admin.TabularInline):
    model = ReportEdition
    extra = 0
    fields = ("year", "title", "published_month", "url", "source")


@admin.register(FrameworkEdition)
class FrameworkEditionAdmin(admin.ModelAdmin):
    """Editions of the indicator framework and, inline, the indicator reports based on each."""

    list_display = ("title", "compact", "year", "indicator_count", "shipped_indicators")
    list_filter = ("compact",)
    list_select_related = ("compact",)
    search_fields = ("title", "slug")
    ordering = ("compact__code", "year")
    prepopulated_fields = {"slug": ("title",)}
    inlines = (ReportEditionInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[FrameworkEdition]:
        return super().get_queryset(request).annotate(recorded=Count("indicators"))

    @admin.display(description=_("indicators recorded"), ordering="recorded")
    def shipped_indicators(self, obj: FrameworkEdition) -> int:
        return obj.recorded  # type: ignore[attr-defined]  # annotated above


@admin.register(ReportEdition)
class ReportEditionAdmin(admin.ModelAdmin):
    list_display = ("title", "year", "published_month", "framework")
    list_filter = ("framework",)
    list_select_related = ("framework",)
    search_fields = ("title",)
    ordering = ("framework__compact__code", "year")

    def save_model(self, request: Any, obj: ReportEdition, form: Any, change: bool) -> None:
        # Another latest report can change which value progress uses.
        services.save_report_edition(report=obj)


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "objective", "unit", "direction", "edition", "confirmed")
    list_display_links = ("code", "title")
    list_filter = ("compact", "edition", "confirmed", "unit", "direction")
    list_select_related = ("compact", "objective__compact", "edition")
    search_fields = ("code", "title")
    ordering = ("compact__code", "edition__year", "code")
    autocomplete_fields = ("objective",)

    def save_model(self, request: Any, obj: Indicator, form: Any, change: bool) -> None:
        # Through the service, so that the objectives whose progress it moves are marked.
        previous = form.initial.get("objective") if change else None
        services.save_indicator(indicator=obj, previous_objective_id=previous)

    fieldsets = (
        (None, {"fields": ("compact", "edition", "objective", "code", "title", "description")}),
        (_("Measure"), {"fields": ("unit", "direction")}),
        (
            _("Baseline and target"),
            {"fields": (("baseline_value", "baseline_year"), ("target_value", "target_year"))},
        ),
        (_("Source"), {"fields": ("source_url", "confirmed", "confirmation_note")}),
    )


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = (
        "indicator",
        "country",
        "year",
        "report",
        "value",
        "numerator",
        "denominator",
        "source",
    )
    list_filter = ("report", "indicator", "year", "country__region")
    list_select_related = ("indicator", "country", "report")
    search_fields = ("indicator__code", "indicator__title", "country__name", "=country__code")
    ordering = ("indicator__code", "-year", "country__name")
    autocomplete_fields = ("indicator", "country")
    fields = (
        "indicator",
        "report",
        "country",
        "year",
        "value",
        "numerator",
        "denominator",
        "source",
    )

    def save_model(self, request: Any, obj: IndicatorValue, form: Any, change: bool) -> None:
        services.save_indicator_value(value=obj)

    def delete_model(self, request: Any, obj: IndicatorValue) -> None:
        services.delete_indicator_value(value=obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for value in queryset.select_related("indicator"):
            services.delete_indicator_value(value=value)


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ("currency", "date", "usd_per_unit", "source")
    list_select_related = ("currency",)
    search_fields = ("=currency__code", "currency__name")
    ordering = ("currency__code", "-date")
    date_hierarchy = "date"
    autocomplete_fields = ("currency",)

    def save_model(self, request: Any, obj: ExchangeRate, form: Any, change: bool) -> None:
        services.save_exchange_rate(rate=obj)

    def delete_model(self, request: Any, obj: ExchangeRate) -> None:
        services.delete_exchange_rate(rate=obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for rate in queryset:
            services.delete_exchange_rate(rate=rate)


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


@admin.register(CompactProgressSnapshot)
class CompactProgressSnapshotAdmin(admin.ModelAdmin):
    """Compact totals, computed by the progress engine: read-only for the same reason."""

    list_display = ("compact", "slice_kind", "slice_key", "date", "computed_at")
    list_filter = ("slice_kind", "compact")
    search_fields = ("slice_key", "=compact__code")
    ordering = ("compact__code", "slice_kind", "slice_key", "-date")
    date_hierarchy = "date"
    show_full_result_count = False
    list_select_related = ("compact",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: CompactProgressSnapshot | None = None
    ) -> bool:
        return False


@admin.register(MspProgressSnapshot)
class MspProgressSnapshotAdmin(admin.ModelAdmin):
    """A multistakeholder pledge's figures, computed by the progress engine: read-only."""

    list_display = ("msp", "slice_kind", "slice_key", "date", "computed_at")
    list_filter = ("slice_kind",)
    search_fields = ("slice_key", "=msp__slug")
    ordering = ("msp__slug", "slice_kind", "slice_key", "-date")
    date_hierarchy = "date"
    show_full_result_count = False
    list_select_related = ("msp",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: MspProgressSnapshot | None = None
    ) -> bool:
        return False


@admin.register(RecomputeRun)
class RecomputeRunAdmin(admin.ModelAdmin):
    """The record of each run of the progress engine, read-only; the "Recompute now" button
    above the list queues a full recompute, like the button on the secretariat's Jobs page."""

    change_list_template = "indicators/admin/recomputerun_change_list.html"
    list_display = (
        "started_at",
        "kind",
        "status",
        "duration_ms",
        "objectives_done",
        "attempt",
        "triggered_by",
        "error_summary",
    )
    list_filter = ("status", "kind")
    search_fields = ("task_id", "triggered_by", "error")
    date_hierarchy = "started_at"
    ordering = ("-started_at", "-id")

    @admin.display(description=_("error"))
    def error_summary(self, run: RecomputeRun) -> str:
        return run.error_summary

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: RecomputeRun | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: RecomputeRun | None = None) -> bool:
        return False  # the record of what ran stays, like an audit log

    def get_urls(self) -> list[URLPattern]:
        recompute = path(
            "recompute/",
            self.admin_site.admin_view(require_POST(self.recompute_view)),
            name="indicators_recomputerun_recompute",
        )
        return [recompute, *super().get_urls()]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {
            **(extra_context or {}),
            "can_recompute": request.user.has_perm(REVIEW_PERMISSION),
        }
        return super().changelist_view(request, context)

    def recompute_view(self, request: HttpRequest) -> HttpResponse:
        """Queue a full recompute; only the secretariat (the review permission) may."""
        if not request.user.has_perm(REVIEW_PERMISSION):
            raise PermissionDenied
        changelist = reverse("admin:indicators_recomputerun_changelist")
        try:
            queued = request_full_recompute(triggered_by=request.user.get_username())
        except Exception:
            logger.exception("A full progress recompute could not be queued or failed inline.")
            self.message_user(
                request,
                gettext("The recompute failed or could not be queued; try again in a moment."),
                messages.ERROR,
            )
            return HttpResponseRedirect(changelist)
        if not queued:
            text = gettext("A full recompute is already queued or running.")
        elif tasks_run_inline():
            text = gettext("Progress was recomputed for every objective.")
        else:
            text = gettext("A full recompute is queued; reload this list to follow it.")
        self.message_user(request, text, messages.SUCCESS if queued else messages.WARNING)
        return HttpResponseRedirect(changelist)


@admin.register(ProgressBase)
class ProgressBaseAdmin(ComputedRowAdmin):
    list_display = ("built_on", "built_at", "filter_sums_on")


@admin.register(ProgressSum)
class ProgressSumAdmin(ComputedRowAdmin):
    list_display = ("owner_kind", "owner_id", "slice_kind", "slice_key", "unit")
    list_filter = ("owner_kind", "slice_kind")
    search_fields = ("slice_key",)


@admin.register(FilterSum)
class FilterSumAdmin(ComputedRowAdmin):
    list_display = ("compact_id", "dims", "forum_code", "entity_type_code", "country", "unit")
    list_filter = ("dims",)


@admin.register(PledgeFact)
class PledgeFactAdmin(ComputedRowAdmin):
    list_display = ("pledge_id", "compact_id", "forum_code", "implementation_status", "last")
    search_fields = ("=pledge_id",)
