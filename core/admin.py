"""Admin for the ISO reference tables (countries, currencies) and the audit log."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEntry, Country, Currency


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("code", "iso3", "name", "region", "subregion")
    list_filter = ("region",)
    search_fields = ("code", "iso3", "name")
    ordering = ("name",)

    def get_readonly_fields(self, request: HttpRequest, obj: Country | None = None) -> tuple:
        # The code is the primary key: editing it in the admin would save a second country
        # instead of renaming this one, leaving entities and pledges on the old row.
        return ("code",) if obj else ()


@admin.register(Currency)
class CurrencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")
    ordering = ("code",)

    def get_readonly_fields(self, request: HttpRequest, obj: Currency | None = None) -> tuple:
        # Same reason as for countries: the ISO code is the primary key.
        return ("code",) if obj else ()


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit trail is evidence of who decided what; the admin may read it, never rewrite it."""

    list_display = ("created_at", "action", "actor", "content_type", "object_id")
    list_filter = ("content_type",)
    list_select_related = ("actor", "content_type")
    search_fields = ("action", "=object_id", "actor__email")
    # One entry per action on every pledge and update: as big as the pledge table, so no second
    # full count and newest first by primary key.
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    ordering = ("-id",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False


class ComputedRowAdmin(admin.ModelAdmin):
    """Rows that only code writes and that other rows depend on (the progress engine's stored
    facts and sums, the pledges' progress marks): shown to look into, never edited or deleted
    by hand — a changed row would make every later figure wrong."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
