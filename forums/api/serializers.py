"""Representations of forums for the partner API."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from compacts.api.serializers import CompactRefSerializer
from forums.models import Forum, RegionalReview, ReportingRound, RoundStatus


class RegionalReviewSerializer(serializers.ModelSerializer):
    """One UN regional commission's review in a round of GCM regional reviews."""

    source_url = serializers.URLField(
        read_only=True, help_text=_("Where the dates and place are published.")
    )

    class Meta:
        model = RegionalReview
        fields = ("commission", "name", "start_date", "end_date", "place", "source_url")


class ForumSerializer(serializers.ModelSerializer):
    compact = CompactRefSerializer(read_only=True)
    regional_reviews = RegionalReviewSerializer(
        many=True,
        read_only=True,
        help_text=_(
            "For a round of GCM regional reviews, one review per UN regional commission; "
            "empty for other forums."
        ),
    )
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
            "regional_reviews",
            "official_url",
            "url",
        )


class ReportingRoundSerializer(serializers.ModelSerializer):
    """A reporting round: when every active pledge of its compact is asked to report."""

    compact = CompactRefSerializer(read_only=True)
    forum: serializers.SlugRelatedField[Forum] = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text=_("The forum's code; null for a review moment between forums."),
    )
    status = serializers.ChoiceField(
        choices=RoundStatus.choices,
        read_only=True,
        help_text=_("Today, from the dates and an early close: scheduled, open or closed."),
    )
    url = serializers.HyperlinkedIdentityField(view_name="reporting-round-detail")

    class Meta:
        model = ReportingRound
        fields = (
            "id",
            "title",
            "compact",
            "forum",
            "opens_on",
            "closes_on",
            "closed_early_on",
            "status",
            "url",
        )
