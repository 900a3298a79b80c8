"""Read-only API of follow-up documents (`/api/v1/documents/`)."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view

from core.api.viewsets import ReadOnlyResourceViewSet
from followup.filters import DocumentFilter
from followup.models import FollowUpDocument

from .serializers import FollowUpDocumentSerializer


@extend_schema_view(
    list=extend_schema(
        summary=_("List follow-up documents"),
        description=_(
            "Reports, declarations and outcome documents of the compacts' follow-up and review "
            "(GCR indicator reports, the High Commissioner's and the Secretary-General's reports, "
            "the IMRF Progress Declaration, forum summaries), each with its symbol, date, "
            "languages and address; filter by `compact`, `objective` (e.g. GCM-23), `forum` "
            "and `kind`."
        ),
    ),
    retrieve=extend_schema(summary=_("One follow-up document, by code")),
)
class FollowUpDocumentViewSet(ReadOnlyResourceViewSet):
    serializer_class = FollowUpDocumentSerializer
    filterset_class = DocumentFilter
    lookup_field = "slug"
    ordering = ("id",)
    ordering_fields = ("id", "date", "slug")
    export_basename = "documents"

    def get_queryset(self) -> QuerySet[FollowUpDocument]:
        return FollowUpDocument.objects.for_listing()

    def get_object(self) -> Any:
        document = super().get_object()
        # Links reset by `load_reference_data --update` do not move updated_at: no
        # Last-Modified (the ETag, a hash of the body, sees them).
        self._last_modified = None
        return document
