"""Resources in the partner API: published resources only, with the codes the filters take."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from compacts.api.serializers import ObjectiveRefSerializer
from resources.models import Resource, ResourceLanguage, ResourceType


class ResourceSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    type = serializers.ChoiceField(source="resource_type", choices=ResourceType.choices)
    type_label = serializers.CharField(source="get_resource_type_display", read_only=True)
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=ResourceLanguage.choices),
        read_only=True,
        help_text="The languages the resource is written in; the first is its main language.",
    )
    region = serializers.CharField(
        read_only=True, help_text="UN M49 region code (e.g. 002), empty when none is given."
    )
    countries: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    objectives = ObjectiveRefSerializer(many=True, read_only=True)
    principles: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    related_pledges = serializers.SerializerMethodField(
        help_text="References of the published pledges the resource relates to."
    )
    resource_url = serializers.URLField(
        source="url", read_only=True, help_text="Where the resource is published."
    )
    file_url = serializers.SerializerMethodField(
        help_text="Download address of the stored file, if the resource has one."
    )
    url = serializers.HyperlinkedIdentityField(
        view_name="resource-detail", lookup_field="public_id"
    )

    class Meta:
        model = Resource
        fields = (
            "id",
            "title",
            "summary",
            "type",
            "type_label",
            "publisher",
            "date",
            "languages",
            "resource_url",
            "file_url",
            "region",
            "countries",
            "objectives",
            "principles",
            "related_pledges",
            "is_demo",
            "published_at",
            "url",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_related_pledges(self, resource: Resource) -> list[str]:
        # Prefetched by the viewset: published pledges only.
        return [pledge.reference for pledge in getattr(resource, "published_pledges", [])]

    def get_file_url(self, resource: Resource) -> str | None:
        if not resource.file:
            return None
        from django.urls import reverse

        path = reverse("resources:file", kwargs={"public_id": resource.public_id})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path
