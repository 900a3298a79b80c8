"""Read-only API for the compacts, their objectives and guiding principles."""

import django_filters
from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view

from compacts.models import Compact, GuidingPrinciple, Objective
from core.api.viewsets import ReadOnlyResourceViewSet

from .serializers import CompactSerializer, ObjectiveSerializer, PrincipleSerializer


class ObjectiveFilter(django_filters.FilterSet):
    compact = django_filters.CharFilter(
        field_name="compact__code", lookup_expr="iexact", help_text=_("Compact code, e.g. GCM.")
    )
    number = django_filters.NumberFilter(help_text=_("Objective number within its compact."))

    class Meta:
        model = Objective
        fields = ("compact", "number")


class PrincipleFilter(django_filters.FilterSet):
    compact = django_filters.CharFilter(field_name="compact__code", lookup_expr="iexact")

    class Meta:
        model = GuidingPrinciple
        fields = ("compact",)


@extend_schema_view(
    list=extend_schema(summary=_("List the compacts"), description=_("The GCR and the GCM.")),
    retrieve=extend_schema(summary=_("One compact, by code (GCR or GCM)")),
)
class CompactViewSet(ReadOnlyResourceViewSet):
    serializer_class = CompactSerializer
    lookup_field = "code"
    ordering = ("code",)
    ordering_fields = ("code",)
    export_basename = "compacts"

    def get_queryset(self) -> QuerySet[Compact]:
        return Compact.objects.annotate(objective_count=Count("objectives"))


@extend_schema_view(
    list=extend_schema(
        summary=_("List objectives"),
        description=_(
            "All 27 objectives (GCR 1–4, GCM 1–23) with their official titles; filter "
            "with `compact=GCM&number=23`."
        ),
    ),
    retrieve=extend_schema(summary=_("One objective, with its GCM actions")),
)
class ObjectiveViewSet(ReadOnlyResourceViewSet):
    serializer_class = ObjectiveSerializer
    filterset_class = ObjectiveFilter
    ordering = ("id",)
    ordering_fields = ("id", "number")
    export_basename = "objectives"

    def get_queryset(self) -> QuerySet[Objective]:
        return Objective.objects.select_related("compact").prefetch_related("actions")


@extend_schema_view(
    list=extend_schema(summary=_("List guiding principles (GCM)")),
    retrieve=extend_schema(summary=_("One guiding principle")),
)
class PrincipleViewSet(ReadOnlyResourceViewSet):
    serializer_class = PrincipleSerializer
    filterset_class = PrincipleFilter
    ordering = ("id",)
    ordering_fields = ("id", "number")
    export_basename = "principles"

    def get_queryset(self) -> QuerySet[GuidingPrinciple]:
        return GuidingPrinciple.objects.select_related("compact")
