"""The change feed's JSON: one entry per change, a page of entries with the cursor that follows,
and the tombstone a removed row leaves (lists with `include_removed=true`, 410 answers)."""

from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from changefeed.models import Action, Change, RemovalReason, Resource


class ChangeSerializer(serializers.ModelSerializer):
    """One change to public data."""

    resource = serializers.ChoiceField(
        choices=Resource.choices,
        help_text=_(
            "Which API list the row belongs to: `pledge` (/pledges/, by reference), "
            "`pledge_update` (/pledge-updates/), `entity` (/entities/), "
            "`multistakeholder_pledge` (/multistakeholder-pledges/, by slug), `match` "
            "(/matches/), `indicator_value` (/indicator-values/, by id) or "
            "`progress_snapshot` (/progress/, by id)."
        ),
    )
    key = serializers.CharField(
        help_text=_("The row's address in its list: a reference, public id, slug or id.")
    )
    change = serializers.ChoiceField(
        source="action",
        choices=Action.choices,
        help_text=_(
            "`created` (now public for the first time, or again after a removal), `updated` "
            "(what the API shows of it changed) or `removed` (no longer public)."
        ),
    )
    at = serializers.DateTimeField(help_text=_("When the change was made (UTC)."))
    reason = serializers.ChoiceField(
        choices=RemovalReason.choices,
        allow_null=True,
        help_text=_("Why a removed row left; null unless `change` is `removed`."),
    )
    successor = serializers.CharField(
        allow_null=True,
        help_text=_("What replaced a removed row (a superseding pledge's reference), or null."),
    )

    class Meta:
        model = Change
        fields = ("resource", "key", "change", "at", "reason", "successor")
        read_only_fields = fields

    @cached_property
    def _time(self) -> serializers.DateTimeField:
        """The time's field (DRF's format) with the request's time zone read once a page: DRF
        looks it up for every value, ~70 µs a row under load."""
        return serializers.DateTimeField(default_timezone=timezone.get_current_timezone())

    def to_representation(self, instance: Change) -> dict[str, object]:
        # Written out rather than field by field: DRF's walk over the fields was a third of a
        # feed page's time (100 rows). The fields above still describe it (the schema).
        return {
            "resource": instance.resource,
            "key": instance.key,
            "change": instance.action,
            "at": self._time.to_representation(instance.at),
            "reason": instance.reason or None,
            "successor": instance.successor or None,
        }


@extend_schema_serializer(many=False)  # the answer of a `list` action, yet one object
class ChangePageSerializer(serializers.Serializer):
    """A page of the change feed."""

    changes = ChangeSerializer(many=True, help_text=_("The changes, oldest commit first."))
    cursor = serializers.CharField(
        help_text=_(
            "Store it and send it back as `cursor` to get what follows. It is returned even "
            "when the page is empty (then unchanged)."
        )
    )
    has_more = serializers.BooleanField(
        help_text=_("More changes are ready: ask again at once with `cursor`.")
    )


class TombstoneSerializer(serializers.ModelSerializer):
    """What is left of a public row that was removed."""

    reference = serializers.CharField(
        source="key",
        help_text=_("The row's address in its list (reference, public id, slug or id)."),
    )
    removed_at = serializers.DateTimeField(source="at", help_text=_("When it was removed (UTC)."))
    reason = serializers.ChoiceField(choices=RemovalReason.choices, help_text=_("Why it left."))
    successor = serializers.CharField(
        allow_null=True,
        help_text=_("The reference of what replaced it (a superseding pledge), or null."),
    )

    class Meta:
        model = Change
        fields = ("reference", "removed_at", "reason", "successor")
        read_only_fields = fields

    def to_representation(self, instance: Change) -> dict[str, object]:
        data = super().to_representation(instance)
        data["successor"] = data["successor"] or None
        return data
