"""Partners' webhook subscriptions, the events sent to them and every delivery attempt.

An event (`WebhookEvent`) is one public change described once (its JSON body is what every
subscriber receives, signed per subscription); a delivery (`WebhookDelivery`) is that event on its
way to one subscription, retried on the schedule in `WEBHOOKS_RETRY_SCHEDULE`; an attempt
(`WebhookAttempt`) is one HTTP request of a delivery, kept for the partner's log.
"""

import uuid
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from compacts.models import Compact, Objective
from core.models import TimeStampedModel
from forums.models import Forum


class EventType(models.TextChoices):
    """What a partner can subscribe to. Only changes to public data are ever sent."""

    PLEDGE_PUBLISHED = "pledge.published", _("A pledge was published")
    PLEDGE_UPDATED = "pledge.updated", _("A published pledge was changed")
    PLEDGE_REMOVED = "pledge.removed", _("A pledge left the public record (withdrawn, superseded)")
    UPDATE_APPROVED = "update.approved", _("A progress update was approved")
    MATCH_ACCEPTED = "match.accepted", _("A match between two pledges was accepted")
    PROGRESS_UPDATED = "progress.updated", _("An objective's progress figures changed")


class SubscriptionQuerySet(models.QuerySet["WebhookSubscription"]):
    """Reads of subscriptions. Outside the admin a person only ever sees their own."""

    def owned_by(self, user: Any) -> "SubscriptionQuerySet":
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)

    def active(self) -> "SubscriptionQuerySet":
        return self.filter(paused_at__isnull=True, owner__is_active=True)

    def listening_to(self, event_type: str) -> "SubscriptionQuerySet":
        return self.active().filter(event_types__contains=[event_type])


class WebhookSubscription(TimeStampedModel):
    """A partner's standing request: "POST these kinds of change, optionally only those of this
    compact, objective or forum, to this URL, signed with this secret"."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
        verbose_name=_("owner"),
    )
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = ArrayField(
        models.CharField(max_length=40, choices=EventType.choices), verbose_name=_("events")
    )
    compact = models.ForeignKey(
        Compact, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("compact")
    )
    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("objective")
    )
    forum = models.ForeignKey(
        Forum, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("forum")
    )
    # `whsec_` + base64 of 32 random bytes, as the Standard Webhooks libraries expect. Stored in
    # clear: signing needs it (unlike an API key, which is only compared).
    secret = models.CharField(_("secret"), max_length=100, editable=False)
    # After a rotation the old secret also signs until `previous_secret_expires_at`.
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    paused_at = models.DateTimeField(_("paused"), null=True, blank=True, editable=False)
    pause_reason = models.CharField(_("pause reason"), max_length=300, blank=True, editable=False)
    # When its deliveries started failing without a success since (None while healthy).
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(event_types=[]), name="webhook_subscription_has_events"
            ),
            models.CheckConstraint(
                condition=models.Q(secret__startswith="whsec_"),  # noqa: S106  # a prefix
                name="webhook_subscription_secret_format",
            ),
        ]

    def __str__(self) -> str:
        return self.url

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


class WebhookEvent(models.Model):
    """One change to public data, described once as the JSON body every subscriber receives.
    `message_id` is the Standard Webhooks `webhook-id`: the same on every retry and replay, so
    that receivers can drop duplicates."""

    message_id = models.CharField(max_length=40, unique=True, editable=False)
    event_type = models.CharField(_("event"), max_length=40, choices=EventType.choices)
    payload = models.JSONField(_("payload"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")

    def __str__(self) -> str:
        return f"{self.event_type} {self.message_id}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    RETRYING = "retrying", _("Failed, will retry")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed, no more retries")


class WebhookDelivery(models.Model):
    """One event on its way to one subscription: sent, retried with growing delays, and replayed
    on the partner's request."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(
        _("state"), max_length=20, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    # Failed attempts since the last (re)start: the position in the retry schedule.
    failures = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The partner asked to send it again: its next attempt is logged as a replay.
    replaying = models.BooleanField(default=False)
    last_status = models.PositiveSmallIntegerField(_("last status"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event"], name="webhook_delivery_once_per_subscription"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=DeliveryState.values),
                name="webhook_delivery_state_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state__in=["pending", "retrying"]),
                name="webhook_delivery_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription}"


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery, as the partner's delivery log shows it."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    attempted_at = models.DateTimeField(_("attempted"))
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"))
    succeeded = models.BooleanField(_("succeeded"))
    response_excerpt = models.TextField(_("response"), blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    replay = models.BooleanField(_("replay"), default=False)

    class Meta:
        ordering = ["-attempted_at", "-pk"]
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.attempted_at:%Y-%m-%d %H:%M:%S} {self.status_code}"
