"""Admin for forums: the secretariat adds the next GRF, HLOM or IMRF here, and a round's GCM
regional reviews on the round's forum."""

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from compacts.admin import EnglishBaseColumnsMixin

from .models import Forum, ForumKind, RegionalReview, ReportingRound


class RegionalReviewInline(TranslationTabularInline):
    """A round's reviews, one per UN regional commission, edited on the round's forum."""

    model = RegionalReview
    fk_name = "round"
    extra = 0
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = ("commission", "name", "start_date", "end_date", "place", "source_url")


@admin.register(Forum)
class ForumAdmin(EnglishBaseColumnsMixin, TranslationAdmin):
    # Partners paste bare domains; assume https, which Django 6 makes the default anyway.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("code", "name", "compact", "kind", "year", "start_date", "end_date", "place")
    list_display_links = ("code", "name")
    list_filter = ("compact", "kind", "year")
    list_select_related = ("compact",)
    search_fields = ("code", "name", "place")
    ordering = ("compact__code", "year", "start_date", "code")
    fieldsets = (
        (None, {"fields": ("compact", "kind", "code", "name", "year")}),
        (_("When and where"), {"fields": ("start_date", "end_date", "place")}),
        (_("Pledging window"), {"fields": ("pledging_opens", "pledging_closes")}),
        (_("About"), {"fields": ("description", "url")}),
    )
    inlines = (RegionalReviewInline,)

    def get_inlines(self, request: HttpRequest, obj: Forum | None) -> list[type[Any]]:
        """Only a round of GCM regional reviews has reviews (one per UN regional commission)."""
        if obj is not None and obj.kind == ForumKind.REGIONAL_REVIEW:
            return list(self.inlines)
        return []


@admin.register(RegionalReview)
class RegionalReviewAdmin(EnglishBaseColumnsMixin, TranslationAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("name", "round", "commission", "start_date", "end_date", "place")
    list_filter = ("round", "commission")
    list_select_related = ("round",)
    search_fields = ("name", "place")


@admin.register(ReportingRound)
class ReportingRoundAdmin(admin.ModelAdmin):
    """Rounds are created, edited and closed on the secretariat's pages (`/review/rounds/`),
    where every change is audited: the admin shows them only."""

    list_display = ("title", "compact", "forum", "opens_on", "closes_on", "closed_early_on")
    list_select_related = ("compact", "forum")
    list_filter = ("compact",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: ReportingRound | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: ReportingRound | None = None
    ) -> bool:
        return False
