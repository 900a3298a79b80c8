"""Read-only API for forums (GRF, HLOM, IMRF, regional reviews…)."""

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view

from core.api.viewsets import ReadOnlyResourceViewSet
from forums.models import Forum, ForumKind

from .serializers import ForumSerializer


class ForumFilter(django_filters.FilterSet):
    compact = django_filters.CharFilter(field_name="compact__code", lookup_expr="iexact")
    kind = django_filters.ChoiceFilter(choices=ForumKind.choices)
    year = django_filters.NumberFilter()

    class Meta:
        model = Forum
        fields = ("compact", "kind", "year")


@extend_schema_view(
    list=extend_schema(
        summary=_("List forums"),
        description=_(
            "Where pledges are announced and reviewed; filter by `compact`, `kind`, `year`."
        ),
    ),
    retrieve=extend_schema(summary=_("One forum, by code (e.g. GRF23)")),
)
class ForumViewSet(ReadOnlyResourceViewSet):
    serializer_class = ForumSerializer
    filterset_class = ForumFilter
    lookup_field = "code"
    ordering = ("id",)
    ordering_fields = ("id", "year", "start_date", "code")
    export_basename = "forums"

    def get_queryset(self) -> QuerySet[Forum]:
        return Forum.objects.select_related("compact")
