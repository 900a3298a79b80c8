"""Read-only API for forums (GRF, HLOM, IMRF, regional reviews…)."""

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view

from core.api.viewsets import ReadOnlyResourceViewSet
from forums.models import Forum, ForumKind, ReportingRound, RoundStatus

from .serializers import ForumSerializer, ReportingRoundSerializer


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
        return Forum.objects.select_related("compact").prefetch_related("regional_reviews")


class ReportingRoundFilter(django_filters.FilterSet):
    compact = django_filters.CharFilter(field_name="compact__code", lookup_expr="iexact")
    forum = django_filters.CharFilter(field_name="forum__code", lookup_expr="iexact")
    status = django_filters.ChoiceFilter(
        choices=RoundStatus.choices, method="filter_status", label=_("Status today")
    )

    class Meta:
        model = ReportingRound
        fields = ("compact", "forum", "status")

    def filter_status(
        self, queryset: QuerySet[ReportingRound], name: str, value: str
    ) -> QuerySet[ReportingRound]:
        today = timezone.localdate()
        open_now = ReportingRound.objects.open_on(today).values("pk")
        if value == RoundStatus.OPEN:
            return queryset.filter(pk__in=open_now)
        if value == RoundStatus.SCHEDULED:
            return queryset.filter(opens_on__gt=today)
        return queryset.filter(opens_on__lte=today).exclude(pk__in=open_now)


@extend_schema_view(
    list=extend_schema(
        summary=_("List reporting rounds"),
        description=_(
            "Periods in which every active published pledge of a compact is asked to report "
            "progress; filter by `compact`, `forum`, `status` (scheduled, open, closed). A "
            "progress update names the round it answers (`round`)."
        ),
    ),
    retrieve=extend_schema(summary=_("One reporting round, by id")),
)
class ReportingRoundViewSet(ReadOnlyResourceViewSet):
    serializer_class = ReportingRoundSerializer
    filterset_class = ReportingRoundFilter
    ordering = ("id",)
    ordering_fields = ("id", "opens_on", "closes_on")
    export_basename = "reporting-rounds"

    def get_queryset(self) -> QuerySet[ReportingRound]:
        return ReportingRound.objects.select_related("compact", "forum")
