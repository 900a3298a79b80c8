"""Admin for goals and official figures: the secretariat sets a forum's goals and records what
its organisers stated. Goals are saved through goals.services (validated, audited, marked for
recompute); contributions are set on the pledge's goals page, so they are shown, not edited."""

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils import translation
from modeltranslation.admin import TranslationAdmin

from compacts.admin import EnglishBaseColumnsMixin

from . import services
from .models import Goal, GoalProgressSnapshot, OfficialFigure


@admin.register(Goal)
class GoalAdmin(EnglishBaseColumnsMixin, TranslationAdmin):
    list_display = ("text", "forum", "msp", "unit", "target_value", "target_year", "is_reference")
    list_filter = ("forum", "unit", "is_reference")
    list_select_related = ("forum", "msp")
    search_fields = ("text", "source", "=msp__slug")
    readonly_fields = ("progress_stale_since",)

    def save_model(self, request: HttpRequest, obj: Goal, form: Any, change: bool) -> None:
        with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
            services.save_goal(goal=obj, by=request.user)


@admin.register(OfficialFigure)
class OfficialFigureAdmin(EnglishBaseColumnsMixin, TranslationAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("label", "forum", "qualifier", "value", "unit", "as_of", "source")
    list_filter = ("forum",)
    list_select_related = ("forum",)
    search_fields = ("label", "source")


@admin.register(GoalProgressSnapshot)
class GoalProgressSnapshotAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # computed rows
    list_display = ("goal", "date", "computed_at")
    list_filter = ("date",)
    list_select_related = ("goal",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
