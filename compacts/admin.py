"""Admin for compact reference data, which the secretariat edits here rather than in code."""

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from .models import (
    Compact,
    GuidingPrinciple,
    Objective,
    ObjectiveAction,
    SupportPlatform,
    ThematicArea,
)


class EnglishBaseColumnsMixin:
    """Saves translated reference data with English active. The form edits each language's
    column (`title_en`, `title_fr`…), but saving writes the untranslated column (`title`) from
    the active language: English keeps it English, as the pledge API's SQL, which reads it,
    expects, whatever the language of the admin."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
            super().save_model(request, obj, form, change)  # type: ignore[misc]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
            super().save_formset(request, form, formset, change)  # type: ignore[misc]


@admin.register(Compact)
class CompactAdmin(EnglishBaseColumnsMixin, TranslationAdmin):
    # Partners paste bare domains; assume https, which Django 6 makes the default anyway.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("code", "name", "adopted_on")
    search_fields = ("code", "name")
    ordering = ("code",)


class ObjectiveActionInline(TranslationTabularInline):
    model = ObjectiveAction
    extra = 0
    fields = ("letter", "text", "source")


@admin.register(Objective)
class ObjectiveAdmin(EnglishBaseColumnsMixin, TranslationAdmin):
    list_display = ("compact", "number", "short_label", "title")
    list_display_links = ("number", "short_label")
    list_filter = ("compact",)
    search_fields = ("title", "short_label", "compact__code")
    ordering = ("compact__code", "number")
    inlines = (ObjectiveActionInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Objective]:
        # The label ("GCR 1. …") reads the compact; autocomplete widgets elsewhere list objectives
        # through this queryset, so join it here rather than once per option. (The changelist
        # uses this join too: it skips list_select_related when the queryset already joins.)
        return super().get_queryset(request).select_related("compact")


@admin.register(ObjectiveAction)
class ObjectiveActionAdmin(EnglishBaseColumnsMixin, TranslationAdmin):
    list_display = ("__str__", "objective", "short_text")
    list_filter = ("objective__compact",)
    search_fields = ("text", "objective__short_label", "objective__title")
    ordering = ("objective__compact__code", "objective__number", "letter")
    autocomplete_fields = ("objective",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ObjectiveAction]:
        # Same reason as objectives: the label ("GCM 23(a)") reads objective and compact.
        return super().get_queryset(request).select_related("objective__compact")

    @admin.display(description=_("text"))
    def short_text(self, obj: ObjectiveAction) -> str:
        return obj.text if len(obj.text) <= 120 else f"{obj.text[:117]}…"


@admin.register(GuidingPrinciple)
class GuidingPrincipleAdmin(EnglishBaseColumnsMixin, TranslationAdmin):
    list_display = ("name", "number", "compact")
    list_filter = ("compact",)
    list_select_related = ("compact",)
    search_fields = ("name", "description")
    ordering = ("compact__code", "number")


@admin.register(ThematicArea)
class ThematicAreaAdmin(EnglishBaseColumnsMixin, TranslationAdmin):
    list_display = ("name", "slug", "compact")
    list_filter = ("compact",)
    list_select_related = ("compact",)
    search_fields = ("name", "slug", "description")
    ordering = ("compact__code", "name")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(SupportPlatform)
class SupportPlatformAdmin(EnglishBaseColumnsMixin, TranslationAdmin):
    list_display = ("code", "name", "compact", "launched_year")
    list_filter = ("compact",)
    list_select_related = ("compact",)
    search_fields = ("code", "name")
    ordering = ("code",)
    autocomplete_fields = ("countries",)
