"""Representations of forums for the partner API."""

from rest_framework import serializers

from compacts.api.serializers import CompactRefSerializer
from forums.models import Forum


class ForumSerializer(serializers.ModelSerializer):
    compact = CompactRefSerializer(read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="forum-detail", lookup_field="code")
    official_url = serializers.URLField(source="url", read_only=True)

    class Meta:
        model = Forum
        fields = (
            "code",
            "name",
            "kind",
            "compact",
            "year",
            "start_date",
            "end_date",
            "place",
            "pledging_opens",
            "pledging_closes",
            "description",
            "official_url",
            "url",
        )
