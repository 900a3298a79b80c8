"""Representations of the compacts' reference data for the partner API."""

from rest_framework import serializers

from compacts.models import Compact, GuidingPrinciple, Objective, ObjectiveAction


class CompactRefSerializer(serializers.ModelSerializer):
    """A compact as nested in other resources: its code, name and link."""

    url = serializers.HyperlinkedIdentityField(view_name="compact-detail", lookup_field="code")

    class Meta:
        model = Compact
        fields = ("code", "name", "url")


class ObjectiveRefSerializer(serializers.ModelSerializer):
    """An objective as nested in other resources."""

    compact = serializers.CharField(source="compact.code", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="objective-detail")

    class Meta:
        model = Objective
        fields = ("id", "compact", "number", "short_label", "url")


class CompactSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="compact-detail", lookup_field="code")
    official_url = serializers.URLField(source="url", read_only=True)
    objective_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Compact
        fields = (
            "code",
            "name",
            "summary",
            "adopted_on",
            "adoption_note",
            "official_url",
            "document_symbol",
            "document_url",
            "resolution_symbol",
            "resolution_url",
            "objective_count",
            "url",
        )


class ObjectiveActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ObjectiveAction
        fields = ("letter", "text", "source")


class ObjectiveSerializer(serializers.ModelSerializer):
    compact = CompactRefSerializer(read_only=True)
    actions = ObjectiveActionSerializer(many=True, read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="objective-detail")

    class Meta:
        model = Objective
        fields = (
            "id",
            "compact",
            "number",
            "title",
            "short_label",
            "description",
            "commitment",
            "source",
            "actions",
            "url",
        )


class PrincipleSerializer(serializers.ModelSerializer):
    compact = CompactRefSerializer(read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="principle-detail")

    class Meta:
        model = GuidingPrinciple
        fields = ("id", "compact", "number", "name", "description", "text", "source", "url")
