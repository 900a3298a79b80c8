"""Multistakeholder pledges in the admin: shown, not edited. Every change goes through
`partnerships.services` (validation, consent, history with a reason, e-mails, stale marks) from
the MSP pages, so the admin offers no add, change or delete that would skip them."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    KeyOutcome,
    MultistakeholderLead,
    MultistakeholderMembership,
    MultistakeholderPledge,
)


class ShownOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MultistakeholderPledge)
class MultistakeholderPledgeAdmin(ShownOnly):
    list_display = ("title", "slug", "compact", "forum", "status", "is_reference")
    list_filter = ("compact", "status", "is_reference")
    search_fields = ("title", "slug")
    list_select_related = ("compact", "forum")


@admin.register(MultistakeholderLead)
class MultistakeholderLeadAdmin(ShownOnly):
    list_display = ("msp", "entity", "status", "responded_at")
    list_filter = ("status",)
    search_fields = ("=msp__slug", "entity__name")
    list_select_related = ("msp", "entity")


@admin.register(KeyOutcome)
class KeyOutcomeAdmin(ShownOnly):
    list_display = ("msp", "text", "unit", "target_value", "target_year")
    list_select_related = ("msp",)


@admin.register(MultistakeholderMembership)
class MultistakeholderMembershipAdmin(ShownOnly):
    list_display = ("msp", "pledge", "state", "origin", "requested_at", "decided_at")
    list_filter = ("state", "origin")
    search_fields = ("=msp__slug", "=pledge__reference")
    list_select_related = ("msp", "pledge")
    raw_id_fields = ("pledge",)
    show_full_result_count = False
