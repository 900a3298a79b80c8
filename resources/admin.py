from django.contrib import admin

from .models import LibrarySettings, Resource


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    """For corrections only: curation and review go through the library's own pages, whose
    services audit every change."""

    list_display = ("title", "resource_type", "state", "date", "is_demo")
    list_filter = ("resource_type", "state", "is_demo")
    search_fields = ("title", "publisher")
    readonly_fields = ("state", "entity", "submitted_by", "submitted_at", "published_at")
    filter_horizontal = ("countries", "objectives", "principles", "thematic_areas")
    raw_id_fields = ("pledges",)


@admin.register(LibrarySettings)
class LibrarySettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "updated_at")
