"""Every write to webhook subscriptions and deliveries, and the delivery itself.

Views, the API and the tasks call these functions, so the rules (whose subscription, which
targets, which filters) and the audit trail are the same from every door. A subscription's secret
is returned by `create_subscription` and `rotate_secret` only, to be shown once.
"""

import base64
import datetime as dt
import json
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from compacts.models import Compact, Objective
from core.audit import record_change
from forums.models import Forum

from . import sending
from .models import (
    DeliveryState,
    EventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from .payloads import DESCRIBERS, Described, Scope
from .targets import TargetRefused, resolve_target

logger = logging.getLogger(__name__)

SECRET_BYTES = 32
DESCRIPTION_MAX_LENGTH = 200
# A worker that died while sending leaves its delivery "sending": after this long it is due again.
SENDING_GRACE = dt.timedelta(minutes=2)
DUE_BATCH = 500
# Rows described, and their events and deliveries inserted, per step of `record_event`.
DESCRIBE_CHUNK = 1000


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


@dataclass(frozen=True)
class SubscriptionInput:
    url: str
    event_types: Sequence[str]
    description: str = ""
    compact: Compact | None = None
    objective: Objective | None = None
    forum: Forum | None = None


def validate_subscription(data: SubscriptionInput) -> None:
    """Field-level errors for a subscription, including the SSRF guard on its URL."""
    errors: dict[str, list[str]] = {}
    try:
        resolve_target(data.url.strip())
    except TargetRefused as error:
        errors["url"] = [str(error)]
    if len(data.url) > WebhookSubscription._meta.get_field("url").max_length:  # type: ignore[operator]  # max_length is set
        errors["url"] = [_("Use at most 500 characters.")]
    unknown = set(data.event_types) - set(EventType.values)
    if not data.event_types:
        errors["event_types"] = [_("Choose at least one event.")]
    elif unknown:
        errors["event_types"] = [_("Unknown event “%(event)s”.") % {"event": sorted(unknown)[0]}]
    if len(data.description) > DESCRIPTION_MAX_LENGTH:
        errors["description"] = [
            _("Use at most %(max)d characters.") % {"max": DESCRIPTION_MAX_LENGTH}
        ]
    compact = data.compact
    for name, related in (("objective", data.objective), ("forum", data.forum)):
        if related is None:
            continue
        if compact is None:
            compact = related.compact
        elif related.compact_id != compact.pk:
            errors[name] = [
                _("Choose one that belongs to %(compact)s.") % {"compact": compact.code}
            ]
    if errors:
        raise ValidationError(errors)


def _require_owner(subscription: WebhookSubscription, by: Any) -> None:
    if not (getattr(by, "is_authenticated", False) and subscription.owner_id == by.pk):
        raise PermissionDenied(_("This is not your subscription."))


def _apply(subscription: WebhookSubscription, data: SubscriptionInput) -> None:
    subscription.url = data.url.strip()
    subscription.event_types = sorted(set(data.event_types))
    subscription.description = data.description.strip()
    # Narrowing to an objective or forum implies its compact.
    related = data.objective or data.forum
    subscription.compact = data.compact or (related.compact if related else None)
    subscription.objective = data.objective
    subscription.forum = data.forum


def _audit_data(subscription: WebhookSubscription) -> dict[str, Any]:
    return {
        "url": subscription.url,
        "events": subscription.event_types,
        "compact": subscription.compact_id,
        "objective": subscription.objective_id,
        "forum": subscription.forum_id,
    }


@transaction.atomic
def create_subscription(*, owner: User, data: SubscriptionInput) -> tuple[WebhookSubscription, str]:
    """A new subscription of `owner` and its signing secret (shown once)."""
    if not owner.is_active:
        raise PermissionDenied(_("A deactivated account cannot subscribe."))
    validate_subscription(data)
    subscription = WebhookSubscription(owner=owner, secret=new_secret())
    _apply(subscription, data)
    subscription.save()
    record_change(
        subscription,
        action="webhooks.subscription.created",
        by=owner,
        data=_audit_data(subscription),
    )
    return subscription, subscription.secret


@transaction.atomic
def change_subscription(
    *, subscription: WebhookSubscription, data: SubscriptionInput, by: User
) -> WebhookSubscription:
    _require_owner(subscription, by)
    validate_subscription(data)
    locked = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    _apply(locked, data)
    locked.save()
    record_change(locked, action="webhooks.subscription.changed", by=by, data=_audit_data(locked))
    return locked


@transaction.atomic
def pause_subscription(
    *, subscription: WebhookSubscription, by: User | None, reason: str = ""
) -> WebhookSubscription:
    """Stop sending (by the owner, or by the tracker after a day of failures: `by` None)."""
    if by is not None:
        _require_owner(subscription, by)
    locked = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    if locked.paused_at is None:
        locked.paused_at = timezone.now()
        locked.pause_reason = reason[:300]
        locked.save(update_fields=["paused_at", "pause_reason", "updated_at"])
        record_change(locked, action="webhooks.subscription.paused", by=by, reason=reason)
    return locked


@transaction.atomic
def resume_subscription(*, subscription: WebhookSubscription, by: User) -> WebhookSubscription:
    """Send again: the deliveries that were waiting are due at once, with a fresh schedule."""
    _require_owner(subscription, by)
    locked = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    if locked.paused_at is not None:
        locked.paused_at = None
        locked.pause_reason = ""
        locked.failing_since = None
        locked.save(update_fields=["paused_at", "pause_reason", "failing_since", "updated_at"])
        locked.deliveries.filter(state__in=[DeliveryState.PENDING, DeliveryState.RETRYING]).update(
            state=DeliveryState.PENDING, failures=0, next_attempt_at=timezone.now()
        )
        record_change(locked, action="webhooks.subscription.resumed", by=by)
        _enqueue_due(locked.pk)
    return locked


@transaction.atomic
def rotate_secret(
    *, subscription: WebhookSubscription, by: User
) -> tuple[WebhookSubscription, str]:
    """A new secret; the old one keeps signing too for `WEBHOOKS_SECRET_OVERLAP_HOURS`, so the
    receiver can switch without losing a delivery (both signatures are sent meanwhile)."""
    _require_owner(subscription, by)
    locked = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    locked.previous_secret = locked.secret
    locked.previous_secret_expires_at = timezone.now() + dt.timedelta(
        hours=settings.WEBHOOKS_SECRET_OVERLAP_HOURS
    )
    locked.secret = new_secret()
    locked.save(
        update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"]
    )
    record_change(
        locked,
        action="webhooks.subscription.secret_rotated",
        by=by,
        data={"old_secret_until": locked.previous_secret_expires_at.isoformat()},
    )
    return locked, locked.secret


@transaction.atomic
def delete_subscription(*, subscription: WebhookSubscription, by: User) -> None:
    _require_owner(subscription, by)
    record_change(
        subscription,
        action="webhooks.subscription.deleted",
        by=by,
        data=_audit_data(subscription),
    )
    subscription.delete()


@transaction.atomic
def replay_delivery(*, delivery: WebhookDelivery, by: User) -> WebhookDelivery:
    """Send an event again (same `webhook-id`, fresh timestamp and signature)."""
    _require_owner(delivery.subscription, by)
    if delivery.subscription.paused_at is not None:
        raise ValidationError(_("Resume the subscription before replaying its deliveries."))
    updated = (
        WebhookDelivery.objects.filter(pk=delivery.pk)
        .exclude(state=DeliveryState.SENDING)
        .update(
            state=DeliveryState.PENDING,
            failures=0,
            next_attempt_at=timezone.now(),
            replaying=True,
        )
    )
    if not updated:
        raise ValidationError(_("This delivery is being sent right now."))
    record_change(delivery.subscription, action="webhooks.delivery.replayed", by=by,
                  data={"delivery": str(delivery.public_id)})  # fmt: skip
    _enqueue([delivery.pk])
    delivery.refresh_from_db()
    return delivery


# --------------------------------------------------------------------------------------------
# Events and deliveries
# --------------------------------------------------------------------------------------------


def _matches(subscription: WebhookSubscription, scope: Scope) -> bool:
    if subscription.compact_id is not None and subscription.compact_id != scope.compact_id:
        return False
    if subscription.objective_id is not None and (
        subscription.objective_id not in scope.objective_ids
    ):
        return False
    return subscription.forum_id is None or subscription.forum_id in scope.forum_ids


def record_event(event_type: str, pks: list[int]) -> int:
    """Describe the committed change and queue one delivery per matching subscription (called
    on commit by `events.emit`); returns how many events were recorded. Costs one query when
    nobody listens to `event_type`, and a constant number per DESCRIBE_CHUNK rows otherwise: an
    import announces a hundred thousand pledges in one call."""
    subscriptions = list(WebhookSubscription.objects.listening_to(event_type))
    if not subscriptions:
        return 0
    describe = DESCRIBERS[event_type]
    recorded = 0
    for start in range(0, len(pks), DESCRIBE_CHUNK):
        chunk = pks[start : start + DESCRIBE_CHUNK]
        # A transaction per chunk: its deliveries are queued when it commits, while the next
        # chunk is described, and memory holds one chunk at a time.
        with transaction.atomic():
            recorded += _record_chunk(event_type, describe(chunk), subscriptions)
    return recorded


def _record_chunk(
    event_type: str,
    described: list[Described | None],
    subscriptions: list[WebhookSubscription],
) -> int:
    """One event per public row that a subscription's filters match, and its deliveries: two
    inserts for the chunk."""
    events: list[WebhookEvent] = []
    targets: list[list[WebhookSubscription]] = []
    for row in described:
        if row is None:
            continue  # not public: nothing is sent
        data, scope = row
        matching = [s for s in subscriptions if _matches(s, scope)]
        if not matching:
            continue
        payload = {"type": event_type, "timestamp": timezone.now().isoformat(), "data": data}
        events.append(
            WebhookEvent(
                message_id=f"msg_{secrets.token_urlsafe(18)}",
                event_type=event_type,
                payload=payload,
            )
        )
        targets.append(matching)
    if not events:
        return 0
    events = WebhookEvent.objects.bulk_create(events)
    now = timezone.now()
    created = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(subscription=s, event=event, next_attempt_at=now)
        for event, matching in zip(events, targets, strict=True)
        for s in matching
    )
    _enqueue([d.pk for d in created])
    return len(events)


def _enqueue(delivery_ids: list[int]) -> None:
    if not (delivery_ids and settings.WEBHOOKS_SEND_ON_COMMIT):
        return
    from .tasks import deliver_webhook_task  # tasks import this module

    def send() -> None:
        for pk in delivery_ids:
            deliver_webhook_task.delay(pk)

    transaction.on_commit(send, robust=True)


def _enqueue_due(subscription_id: int) -> None:
    _enqueue(
        list(
            WebhookDelivery.objects.filter(
                subscription_id=subscription_id, state=DeliveryState.PENDING
            ).values_list("pk", flat=True)[:DUE_BATCH]
        )
    )


def retry_delay(failures: int) -> dt.timedelta | None:
    """How long after its `failures`-th failure a delivery is tried again; None: give up."""
    schedule = settings.WEBHOOKS_RETRY_SCHEDULE
    if failures > len(schedule):
        return None
    return dt.timedelta(seconds=float(schedule[failures - 1]))


def signing_secrets(subscription: WebhookSubscription, now: dt.datetime) -> list[str]:
    found = [subscription.secret]
    expires = subscription.previous_secret_expires_at
    if subscription.previous_secret and expires and expires > now:
        found.append(subscription.previous_secret)
    return found


def _claim(delivery_id: int, now: dt.datetime) -> bool:
    """Take a due delivery for this worker: one conditional UPDATE, so a redelivered or
    duplicated task sends nothing twice."""
    due = Q(state__in=[DeliveryState.PENDING, DeliveryState.RETRYING], next_attempt_at__lte=now)
    stuck = Q(state=DeliveryState.SENDING, claimed_at__lt=now - SENDING_GRACE)
    return bool(
        WebhookDelivery.objects.filter(due | stuck, pk=delivery_id)
        .filter(subscription__paused_at__isnull=True)
        .update(state=DeliveryState.SENDING, claimed_at=now)
    )


def attempt_delivery(delivery_id: int) -> WebhookAttempt | None:
    """Send one due delivery once, log the attempt and schedule what follows (a retry, or the
    end); None when it was not due (already sent, taken by another worker, paused)."""
    now = timezone.now()
    if not _claim(delivery_id, now):
        return None
    delivery = WebhookDelivery.objects.select_related("event", "subscription__owner").get(
        pk=delivery_id
    )
    subscription = delivery.subscription
    body = json.dumps(delivery.event.payload, ensure_ascii=False, separators=(",", ":"))
    outcome = sending.post(
        subscription.url,
        message_id=delivery.event.message_id,
        body=body,
        secrets=signing_secrets(subscription, now),
    )
    with transaction.atomic():
        attempt = WebhookAttempt.objects.create(
            delivery=delivery,
            attempted_at=now,
            status_code=outcome.status,
            latency_ms=outcome.latency_ms,
            succeeded=outcome.succeeded,
            response_excerpt=outcome.excerpt,
            error=outcome.error,
            replay=delivery.replaying,
        )
        delivery.last_status = outcome.status
        delivery.replaying = False
        if outcome.succeeded:
            delivery.state = DeliveryState.SUCCEEDED
            delivery.delivered_at = timezone.now()
            delivery.next_attempt_at = None
            WebhookSubscription.objects.filter(pk=subscription.pk).update(failing_since=None)
        else:
            delivery.failures += 1
            delay = retry_delay(delivery.failures)
            if delay is None:
                delivery.state, delivery.next_attempt_at = DeliveryState.FAILED, None
            else:
                delivery.state = DeliveryState.RETRYING
                delivery.next_attempt_at = timezone.now() + delay
            _note_failure(subscription, now)
        delivery.save()
    return attempt


def _note_failure(subscription: WebhookSubscription, now: dt.datetime) -> None:
    """Start the failure clock, and pause a subscription that has failed for
    `WEBHOOKS_PAUSE_AFTER_SECONDS` without a success, telling its owner."""
    WebhookSubscription.objects.filter(pk=subscription.pk, failing_since__isnull=True).update(
        failing_since=now
    )
    since = (
        WebhookSubscription.objects.filter(pk=subscription.pk)
        .values_list("failing_since", flat=True)
        .first()
    )
    limit = dt.timedelta(seconds=settings.WEBHOOKS_PAUSE_AFTER_SECONDS)
    if since is None or now - since < limit or subscription.paused_at is not None:
        return
    with translation.override(subscription.owner.language or settings.LANGUAGE_CODE):
        reason = _("Every delivery failed for %(hours)s hours.") % {
            "hours": f"{limit.total_seconds() / 3600:g}"
        }
        subject = _("Webhook paused: %(url)s") % {"url": subscription.url}
        body = "\n\n".join(
            [
                _(
                    "Your webhook subscription to %(url)s is paused: %(reason)s "
                    "Nothing more is sent to it until you resume it."
                )
                % {"url": subscription.url, "reason": reason},
                _(
                    "Check that the receiver answers with a 2xx status, then resume the "
                    "subscription on the Webhooks page of your account; the deliveries that were "
                    "waiting are sent again."
                ),
            ]
        )
    pause_subscription(subscription=subscription, by=None, reason=reason)
    owner_email = subscription.owner.email
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [owner_email]),
        robust=True,
    )


def due_delivery_ids(limit: int = DUE_BATCH) -> list[int]:
    """Deliveries whose time has come (and sends a dead worker left behind)."""
    now = timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            Q(state__in=[DeliveryState.PENDING, DeliveryState.RETRYING], next_attempt_at__lte=now)
            | Q(state=DeliveryState.SENDING, claimed_at__lt=now - SENDING_GRACE),
            subscription__paused_at__isnull=True,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def deliver_due(limit: int = DUE_BATCH) -> int:
    """Attempt every due delivery here, one after the other; how many were attempted. (The beat
    sweep queues them as tasks instead; this is for tests and management commands.)"""
    return sum(attempt_delivery(pk) is not None for pk in due_delivery_ids(limit))
