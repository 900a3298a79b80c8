"""The webhook API (`/api/v1/webhooks/…`): a partner manages their own subscriptions and reads
and replays their deliveries. Everything is scoped to the caller (`owned_by`): another
partner's subscription or delivery answers 404. Writes are `webhooks.services` calls."""

from collections.abc import Mapping
from typing import Any

import django_filters
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.schema import ApiSchema
from pledges.api.views import FILTERS, _caller

from .. import services
from ..models import DeliveryState, EventType, WebhookAttempt, WebhookDelivery, WebhookSubscription
from .serializers import (
    DeliverySerializer,
    SubscriptionSerializer,
    SubscriptionWithSecretSerializer,
    SubscriptionWriteSerializer,
)

UUID_REGEX = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
EVENTS_TEXT = ", ".join(f"`{value}`" for value in EventType.values)


@extend_schema_view(
    list=extend_schema(
        summary=_("List your webhook subscriptions"),
        description=_("Only your own. Cursor-paginated, newest first."),
    ),
    retrieve=extend_schema(summary=_("One of your webhook subscriptions")),
    create=extend_schema(
        summary=_("Subscribe a URL to events"),
        description=_(
            "Events: %(events)s. Optional filters: `compact` (code), `objective` (number, with "
            "`compact`), `forum` (code). The URL must resolve to a public address. The answer "
            "holds the signing `secret`, shown this once."
        )
        % {"events": EVENTS_TEXT},
        request=SubscriptionWriteSerializer,
        responses={201: SubscriptionWithSecretSerializer},
    ),
    update=extend_schema(
        summary=_("Change a subscription"),
        request=SubscriptionWriteSerializer,
        responses={200: SubscriptionSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change some fields of a subscription"),
        request=SubscriptionWriteSerializer(partial=True),
        responses={200: SubscriptionSerializer},
    ),
    destroy=extend_schema(summary=_("Delete a subscription and its delivery log")),
)
class WebhookSubscriptionViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    queryset = WebhookSubscription.objects.none()  # for the schema; requests use get_queryset
    serializer_class = SubscriptionSerializer
    permission_classes = (IsAuthenticated,)
    filter_backends = FILTERS
    schema = ApiSchema()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_REGEX
    ordering = ("-id",)
    ordering_fields = ("id",)

    def get_queryset(self) -> QuerySet[WebhookSubscription]:
        return WebhookSubscription.objects.owned_by(self.request.user).select_related(
            "compact", "objective", "forum"
        )

    def _write_input(self, request: Request | dict[str, Any]) -> SubscriptionWriteSerializer:
        data = request if isinstance(request, dict) else request.data
        serializer = SubscriptionWriteSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._write_input(request).to_input()
        subscription, secret = services.create_subscription(owner=_caller(request), data=data)
        subscription.secret = secret
        return Response(
            SubscriptionWithSecretSerializer(subscription).data, status=status.HTTP_201_CREATED
        )

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """PUT replaces every field; PATCH changes those sent (the others keep their value)."""
        subscription = self.get_object()
        if kwargs.get("partial"):
            current = {
                "url": subscription.url,
                "description": subscription.description,
                "event_types": subscription.event_types,
                "compact": subscription.compact.code if subscription.compact else None,
                "objective": subscription.objective.number if subscription.objective else None,
                "forum": subscription.forum.code if subscription.forum else None,
            }
            if not isinstance(request.data, Mapping):
                raise ValidationError({"non_field_errors": [gettext("Send a JSON object.")]})
            body: Request | dict[str, Any] = {**current, **request.data}
        else:
            body = request
        data = self._write_input(body).to_input()
        changed = services.change_subscription(
            subscription=subscription, data=data, by=_caller(request)
        )
        return Response(SubscriptionSerializer(changed).data)

    def perform_destroy(self, instance: WebhookSubscription) -> None:
        services.delete_subscription(subscription=instance, by=_caller(self.request))

    @extend_schema(summary=_("Pause a subscription"), request=None)
    @action(detail=True, methods=["post"])
    def pause(self, request: Request, id: str) -> Response:
        subscription = services.pause_subscription(
            subscription=self.get_object(),
            by=_caller(request),
            reason=gettext("Paused by its owner."),
        )
        return Response(SubscriptionSerializer(subscription).data)

    @extend_schema(
        summary=_("Resume a subscription"),
        description=_("Deliveries that were waiting are sent again, with a fresh schedule."),
        request=None,
    )
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, id: str) -> Response:
        subscription = services.resume_subscription(
            subscription=self.get_object(), by=_caller(request)
        )
        return Response(SubscriptionSerializer(subscription).data)

    @extend_schema(
        summary=_("Rotate the signing secret"),
        description=_(
            "Answers the new secret (this once). Until `secret_overlap_until` every message "
            "carries a signature with the old secret too."
        ),
        request=None,
        responses={200: SubscriptionWithSecretSerializer},
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, id: str) -> Response:
        subscription, _secret = services.rotate_secret(  # the row holds it
            subscription=self.get_object(), by=_caller(request)
        )
        return Response(SubscriptionWithSecretSerializer(subscription).data)


class DeliveryFilter(django_filters.FilterSet):
    subscription = django_filters.UUIDFilter(
        field_name="subscription__public_id", help_text=_("A subscription's id.")
    )
    state = django_filters.ChoiceFilter(choices=DeliveryState.choices)
    event_type = django_filters.ChoiceFilter(
        field_name="event__event_type", choices=EventType.choices
    )

    class Meta:
        model = WebhookDelivery
        fields = ("subscription", "state", "event_type")


@extend_schema_view(
    list=extend_schema(
        summary=_("List your webhook deliveries"),
        description=_(
            "Every delivery to your subscriptions, newest first, with its attempts (status, "
            "latency, the start of the response). Filter by `subscription`, `state`, "
            "`event_type`. Cursor-paginated."
        ),
    ),
    retrieve=extend_schema(summary=_("One of your webhook deliveries")),
)
class WebhookDeliveryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = WebhookDelivery.objects.none()  # for the schema; requests use get_queryset
    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilter
    permission_classes = (IsAuthenticated,)
    filter_backends = FILTERS
    schema = ApiSchema()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_REGEX
    ordering = ("-id",)
    ordering_fields = ("id",)

    def get_queryset(self) -> QuerySet[WebhookDelivery]:
        return (
            WebhookDelivery.objects.filter(
                subscription__in=WebhookSubscription.objects.owned_by(self.request.user)
            )
            .select_related("event", "subscription")
            .prefetch_related(
                Prefetch("attempts", queryset=WebhookAttempt.objects.order_by("-attempted_at"))
            )
        )

    @extend_schema(
        summary=_("Send a delivery again"),
        description=_(
            "Same `webhook-id` (so a receiver that already processed it can tell), new timestamp "
            "and signature. Refused (400) while the subscription is paused."
        ),
        request=None,
        responses={202: DeliverySerializer},
    )
    @action(detail=True, methods=["post"])
    def replay(self, request: Request, id: str) -> Response:
        delivery = services.replay_delivery(delivery=self.get_object(), by=_caller(request))
        fresh = self.get_queryset().get(pk=delivery.pk)
        return Response(DeliverySerializer(fresh).data, status=status.HTTP_202_ACCEPTED)
