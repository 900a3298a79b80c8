"""Multistakeholder pledges in the partner API: published data only — accepted leads of
verified entities, accepted members that are published, and the progress engine's figures."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from compacts.api.serializers import CompactRefSerializer, ObjectiveRefSerializer
from indicators.api.serializers import FiguresField
from partnerships.models import KeyOutcome, MultistakeholderLead, MultistakeholderPledge


class LeadSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="entity.name", read_only=True)
    entity = serializers.UUIDField(source="entity.public_id", read_only=True)

    class Meta:
        model = MultistakeholderLead
        fields = ("entity", "name")


class KeyOutcomeSerializer(serializers.ModelSerializer):
    class Meta:
        model = KeyOutcome
        fields = ("text", "unit", "target_value", "target_year")


class MemberSerializer(serializers.Serializer):
    """A member pledge: its reference and its link in the API."""

    reference = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, pledge: Any) -> str:
        return reverse(
            "pledge-detail", args=[pledge.reference], request=self.context.get("request")
        )


class MultistakeholderPledgeSerializer(serializers.ModelSerializer):
    compact = CompactRefSerializer(read_only=True)
    forum = serializers.CharField(source="forum.code", read_only=True, allow_null=True)
    objectives = ObjectiveRefSerializer(many=True, read_only=True)
    thematic_area = serializers.CharField(
        source="thematic_area.slug", read_only=True, allow_null=True
    )
    leads = LeadSerializer(source="public_leads", many=True, read_only=True)
    key_outcomes = KeyOutcomeSerializer(many=True, read_only=True)
    member_count = serializers.IntegerField(read_only=True)
    members_url = serializers.SerializerMethodField()
    # The composite in it labelled as the tracker's, or left out (TRACKER_COMPOSITE_SCORE).
    figures = FiguresField(
        read_only=True,
        allow_null=True,
        help_text=(
            "The latest overall figures computed by the tracker's progress engine over the "
            "published member pledges (not official figures); null until first computed. "
            "`composite` is the tracker's composite (not an official figure, defined at "
            "`/about/figures/#composite`), absent where the deployment turns it off."
        ),
    )
    figures_date = serializers.DateField(read_only=True, allow_null=True)
    url = serializers.HyperlinkedIdentityField(view_name="msp-detail", lookup_field="slug")

    class Meta:
        model = MultistakeholderPledge
        fields: tuple[str, ...] = (
            "slug",
            "title",
            "description",
            "compact",
            "forum",
            "objectives",
            "thematic_area",
            "status",
            "source_url",
            "is_reference",
            "leads",
            "key_outcomes",
            "member_count",
            "members_url",
            "figures",
            "figures_date",
            "created_at",
            "updated_at",
            "url",
        )

    @extend_schema_field(OpenApiTypes.URI)
    def get_members_url(self, msp: MultistakeholderPledge) -> str:
        """The member pledges in the pledge API (`/api/v1/pledges/?msp=<slug>`)."""
        base = reverse("pledge-list", request=self.context.get("request"))
        return f"{base}?msp={msp.slug}"


class MultistakeholderPledgeDetailSerializer(MultistakeholderPledgeSerializer):
    members = MemberSerializer(source="member_list", many=True, read_only=True)

    class Meta(MultistakeholderPledgeSerializer.Meta):
        fields = (*MultistakeholderPledgeSerializer.Meta.fields, "members")
