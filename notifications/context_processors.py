"""The unread count of the menu's notifications link, counted only when a page shows it."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import Notification


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: Notification.objects.for_user(user).unread().count()
        )
    }
