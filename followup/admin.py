"""Admin for follow-up documents: the secretariat records new reports and outcome documents
here (the Secretariat group holds this app's permissions, pledges.roles)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from modeltranslation.admin import TranslationAdmin

from compacts.admin import EnglishBaseColumnsMixin
from compacts.models import Compact

from .models import FollowUpDocument, UnLanguage


class FollowUpDocumentForm(forms.ModelForm):
    # Tick boxes rather than the comma-separated text box Django gives an array column.
    languages = forms.TypedMultipleChoiceField(
        choices=UnLanguage.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=FollowUpDocument._meta.get_field("languages").verbose_name,
        help_text=FollowUpDocument._meta.get_field("languages").help_text,
    )

    # Secretaries paste bare domains; https, as Django 6 assumes by default.
    url = forms.URLField(
        assume_scheme="https",
        max_length=500,
        label=FollowUpDocument._meta.get_field("url").verbose_name,
    )

    class Meta:
        model = FollowUpDocument
        fields = (
            "slug",
            "kind",
            "symbol",
            "title",
            "date",
            "date_precision",
            "languages",
            "url",
            "source",
            "note",
            "is_reference",
            "forums",
            "compacts",
            "objectives",
            "unofficial_languages",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # A document addressing GCM objectives, or linked to a GCM forum, concerns the GCM: the
        # compact filters find it even when the box was not ticked.
        implied = {o.compact_id for o in data.get("objectives") or []} | {
            f.compact_id for f in data.get("forums") or []
        }
        chosen = {c.pk for c in data.get("compacts") or []}
        if "compacts" in self.fields:
            data["compacts"] = Compact.objects.filter(pk__in=chosen | implied)
        return data

    def clean_languages(self) -> list[str]:
        chosen = set(self.cleaned_data.get("languages") or [])
        return [value for value in UnLanguage.values if value in chosen]  # the UN's order


@admin.register(FollowUpDocument)
class FollowUpDocumentAdmin(EnglishBaseColumnsMixin, TranslationAdmin):
    form = FollowUpDocumentForm
    list_display = ("title", "symbol", "kind", "date", "is_reference")
    list_filter = ("kind", "compacts", "forums", "is_reference")
    search_fields = ("title", "symbol", "slug")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("forums", "compacts", "objectives")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "date"

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "objectives":
            # Each option's label ("GCM 23. …") reads its compact.
            kwargs["queryset"] = db_field.related_model.objects.select_related("compact")
        return super().formfield_for_manytomany(db_field, request, **kwargs)
