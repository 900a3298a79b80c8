"""Attachments in the admin: listed and read only. Adding and removing go through the pages
(and so through the services: checks, audit, storage clean-up)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Attachment


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin[Attachment]):
    list_display = ("name", "pledge", "update", "content_type", "size", "created_at")
    list_select_related = ("pledge", "update")
    search_fields = ("name", "pledge__reference", "sha256")
    readonly_fields = [field.name for field in Attachment._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
