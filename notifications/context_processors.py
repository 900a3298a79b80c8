"""The unread count of the menu's notifications link: a column of the user row, which the
page reads anyway, so the menu costs no query."""

from typing import Any

from django.http import HttpRequest


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": getattr(user, "unread_notifications", 0)}
