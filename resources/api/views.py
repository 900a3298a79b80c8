"""Read-only API of the resource library (`/api/v1/resources/`)."""

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view

from compacts.models import Objective
from core.api.viewsets import ReadOnlyResourceViewSet
from pledges.models import Pledge
from resources.filters import ResourceFilter
from resources.models import Resource

from .serializers import ResourceSerializer


@extend_schema_view(
    list=extend_schema(
        summary=_("List published resources"),
        description=_(
            "Publications, tools, practices, events and news of the resource library, published "
            "by the secretariat. Filters as the /resources/ browser: `q` (full text), `type`, "
            "`objective` (e.g. GCM-23), `principle`, `region`, `country`, `language`, `year`; "
            "several values of one filter are ORed."
        ),
    ),
    retrieve=extend_schema(summary=_("One published resource, by id")),
)
class ResourceLibraryViewSet(ReadOnlyResourceViewSet):
    serializer_class = ResourceSerializer
    filterset_class = ResourceFilter
    lookup_field = "public_id"
    ordering = ("id",)
    ordering_fields = ("id", "date", "title")
    export_basename = "resources"

    def get_queryset(self) -> QuerySet[Resource]:
        return Resource.objects.published().prefetch_related(
            "countries",
            "principles",
            Prefetch("objectives", queryset=Objective.objects.select_related("compact")),
            Prefetch(
                "pledges",
                queryset=Pledge.objects.published().only("id", "reference"),
                to_attr="published_pledges",
            ),
        )
