"""Follow-up documents in the partner API: records of documents the UN publishes, with their
address (the tracker hosts none of them)."""

from rest_framework import serializers

from compacts.api.serializers import ObjectiveRefSerializer
from followup.models import DocumentKind, FollowUpDocument, UnLanguage


class FollowUpDocumentSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=UnLanguage.choices),
        read_only=True,
        help_text="The UN languages the document is published in (site language codes).",
    )
    document_url = serializers.URLField(
        source="url", read_only=True, help_text="The publisher's copy of the document."
    )
    compacts: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    forums: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    objectives = ObjectiveRefSerializer(many=True, read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="document-detail", lookup_field="slug")

    class Meta:
        model = FollowUpDocument
        fields = (
            "slug",
            "kind",
            "kind_label",
            "symbol",
            "title",
            "date",
            "date_precision",
            "languages",
            "document_url",
            "source",
            "note",
            "compacts",
            "forums",
            "objectives",
            "url",
        )
        extra_kwargs = {
            "date_precision": {
                "help_text": "How much of `date` is known: day, month (the first of the month "
                "is stored) or year (1 January is stored)."
            }
        }
