"""Writes of the notifications app: reading notifications, choosing channels, unsubscribing."""

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from core.audit import record_change

from .models import Channel, Kind, Notification, Preference, Unsubscription


def _recount(user: Any) -> None:
    """Set the menu's unread count from the rows (after a change to them)."""
    get_user_model().objects.filter(pk=user.pk).update(
        unread_notifications=Notification.objects.for_user(user).unread().count()
    )


@transaction.atomic
def mark_read(*, user: Any, notification_id: int) -> Notification | None:
    """Mark one of the user's notifications read; None when it is not theirs (or gone)."""
    note = Notification.objects.filter(user=user, pk=notification_id).first()
    if note is not None and note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
        _recount(user)
    return note


@transaction.atomic
def mark_all_read(*, user: Any) -> int:
    done = Notification.objects.for_user(user).unread().update(read_at=timezone.now())
    _recount(user)
    return done


def channels_of(user: object) -> dict[str, str]:
    """Every kind with the user's channel for it (e-mail unless they chose otherwise)."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "channel"))
    return {kind: chosen.get(kind, Channel.EMAIL) for kind in Kind.values}


@transaction.atomic
def set_preferences(*, user: object, channels: dict[str, str]) -> None:
    """Set the user's channel per kind (unknown kinds or channels are the form's to refuse)."""
    before = channels_of(user)
    changed = {k: c for k, c in channels.items() if k in Kind.values and before.get(k) != c}
    for kind, channel in changed.items():
        Preference.objects.update_or_create(user=user, kind=kind, defaults={"channel": channel})
        if channel == Channel.EMAIL:
            # Choosing e-mail again takes back a one-click unsubscribe of the same address.
            Unsubscription.objects.filter(email=user.email.lower(), kind=kind).delete()  # type: ignore[attr-defined]
    if changed:
        record_change(user, action="notifications.preferences.changed", by=user, data=changed)  # type: ignore[arg-type]


@transaction.atomic
def unsubscribe(*, email: str, kind: str) -> None:
    """Stop e-mails of `kind` to `email` (the one-click link; no log-in). A person with an
    account keeps the notifications in the tracker; an address without one gets nothing more
    of that kind. Idempotent."""
    email = email.lower()
    user = get_user_model().objects.filter(email__iexact=email).first()
    if user is not None:
        current = channels_of(user).get(kind)
        if current == Channel.EMAIL:
            Preference.objects.update_or_create(
                user=user, kind=kind, defaults={"channel": Channel.IN_APP}
            )
    _, created = Unsubscription.objects.get_or_create(email=email, kind=kind)
    if created:
        record_change(
            user if user is not None else Unsubscription.objects.get(email=email, kind=kind),
            action="notifications.unsubscribed",
            data={"kind": kind},
        )
