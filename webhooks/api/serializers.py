"""Shapes of the webhook API: subscriptions (the secret only in the answers that make one) and
deliveries with their attempts."""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from compacts.models import Compact, Objective
from core.api.serializers import StrictSerializer
from forums.models import Forum

from ..models import (
    DeliveryState,
    EventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from ..services import DESCRIPTION_MAX_LENGTH, SubscriptionInput


class SubscriptionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    event_types = serializers.ListField(child=serializers.ChoiceField(EventType.choices))
    compact: serializers.SlugRelatedField[Compact] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    objective = serializers.SerializerMethodField()
    forum: serializers.SlugRelatedField[Forum] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    paused = serializers.BooleanField(source="is_paused", read_only=True)
    secret_overlap_until = serializers.DateTimeField(
        source="previous_secret_expires_at", read_only=True, allow_null=True
    )

    class Meta:
        model = WebhookSubscription
        fields: tuple[str, ...] = (
            "id",
            "url",
            "description",
            "event_types",
            "compact",
            "objective",
            "forum",
            "paused",
            "paused_at",
            "pause_reason",
            "failing_since",
            "secret_overlap_until",
            "created_at",
            "updated_at",
        )
        read_only_fields: tuple[str, ...] = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_objective(self, subscription: WebhookSubscription) -> int | None:
        return subscription.objective.number if subscription.objective else None


class SubscriptionWithSecretSerializer(SubscriptionSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="The signing secret (`whsec_…`): shown in this answer only.",
    )

    class Meta(SubscriptionSerializer.Meta):
        fields = (*SubscriptionSerializer.Meta.fields, "secret")
        read_only_fields = fields


class SubscriptionWriteSerializer(StrictSerializer):
    """What a partner sends: the compact and forum by code, the objective by number (of the
    compact, which it then requires)."""

    url = serializers.URLField(max_length=500)
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    event_types = serializers.ListField(
        child=serializers.ChoiceField(EventType.choices), allow_empty=False, max_length=20
    )
    compact = serializers.SlugRelatedField(
        slug_field="code", queryset=Compact.objects.all(), required=False, allow_null=True
    )
    objective = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=1000
    )
    forum = serializers.SlugRelatedField(
        slug_field="code", queryset=Forum.objects.all(), required=False, allow_null=True
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        number = attrs.get("objective")
        if number is not None:
            compact = attrs.get("compact")
            if compact is None:
                raise serializers.ValidationError(
                    {"objective": [_("Give the compact too (`compact`: GCR or GCM).")]}
                )
            found = Objective.objects.filter(compact=compact, number=number).first()
            if found is None:
                raise serializers.ValidationError(
                    {
                        "objective": [
                            _("%(compact)s has no objective %(number)s.")
                            % {"compact": compact.code, "number": number}
                        ]
                    }
                )
            attrs["objective"] = found
        return attrs

    def to_input(self) -> SubscriptionInput:
        data = self.validated_data
        return SubscriptionInput(
            url=data["url"],
            event_types=data["event_types"],
            description=data.get("description", ""),
            compact=data.get("compact"),
            objective=data.get("objective"),
            forum=data.get("forum"),
        )


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = (
            "attempted_at",
            "status_code",
            "latency_ms",
            "succeeded",
            "response_excerpt",
            "error",
            "replay",
        )
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    subscription = serializers.UUIDField(source="subscription.public_id", read_only=True)
    message_id = serializers.CharField(source="event.message_id", read_only=True)
    event_type = serializers.ChoiceField(
        EventType.choices, source="event.event_type", read_only=True
    )
    payload = serializers.JSONField(source="event.payload", read_only=True)
    state = serializers.ChoiceField(DeliveryState.choices, read_only=True)
    attempts = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = (
            "id",
            "subscription",
            "message_id",
            "event_type",
            "payload",
            "state",
            "next_attempt_at",
            "last_status",
            "created_at",
            "delivered_at",
            "attempts",
        )
        read_only_fields = fields
