"""Multistakeholder pledges in the admin: shown, not edited. Every change goes through
`partnerships.services` (validation, consent, history with a reason, e-mails, stale marks) from
the MSP pages, so the admin offers no add, change or delete that would skip them."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest

from core.http import signed_in_user
from pledges.exceptions import PledgeError

from .models import (
    KeyOutcome,
    MultistakeholderLead,
    MultistakeholderMembership,
    MultistakeholderPledge,
)
from .services import remove_membership


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
    """Deletable, through `remove_membership` (the row stays, as removed, with who and why): the
    admin checks this permission for every membership a pledge's deletion cascades to, so an
    undeletable membership would forbid deleting a member pledge in the admin."""

    list_display = ("msp", "pledge", "state", "origin", "requested_at", "decided_at")
    list_filter = ("state", "origin")
    search_fields = ("=msp__slug", "=pledge__reference")
    list_select_related = ("msp", "pledge")
    raw_id_fields = ("pledge",)
    show_full_result_count = False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin.ModelAdmin.has_delete_permission(self, request, obj)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.delete_queryset(request, [obj])

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        try:
            with transaction.atomic():
                for membership in queryset:
                    remove_membership(membership=membership, by=signed_in_user(request))
        except (PermissionDenied, PledgeError, ValidationError) as error:
            reason = "; ".join(error.messages) if isinstance(error, ValidationError) else error
            self.message_user(request, str(reason), messages.ERROR)
