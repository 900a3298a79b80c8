"""Read-only API for collective goals (with their computed progress) and official figures."""

from typing import Any

import django_filters
from django.db.models import (
    DateField,
    DateTimeField,
    JSONField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view

from core.api.viewsets import ReadOnlyResourceViewSet
from forums.api.views import ForumViewSet
from forums.models import Forum
from goals.models import Goal, GoalProgressSnapshot, OfficialFigure
from pledges.models import TargetUnit

from .serializers import ForumWithFiguresSerializer, GoalSerializer, OfficialFigureSerializer

HOST = "https://tracker.example.org"
GOAL_EXAMPLE = {
    "id": 1,
    "forum": "GRF23",
    "msp": None,
    "text": "Resettle 1 million refugees by 2030",
    "unit": "persons",
    "target_value": "1000000.00",
    "target_year": 2030,
    "source": "https://www.unhcr.org/…",
    "progress": {
        "goal_target": "1000000.00",
        "pledges": 212,
        "targets": 230,
        "reported": 140,
        "pledged": "640500.00",
        "achieved": "121000.00",
        "pledged_share": "0.6405",
        "achieved_share": "0.1210",
        "date": "2025-06-30",
        "computed_at": "2025-06-30T02:10:44Z",
    },
    "pledges_url": f"{HOST}/api/v1/pledges/?goal=1",
    "url": f"{HOST}/api/v1/goals/1/",
}
FIGURE_EXAMPLE = {
    "id": 3,
    "forum": "GRF23",
    "label": "Financial pledges",
    "value": "2200000000.00",
    "unit": "usd",
    "qualifier": "more than",
    "source": "https://www.unhcr.org/…",
    "as_of": "2023-12-15",
    "url": f"{HOST}/api/v1/official-figures/3/",
}


def _examples(name: str, value: dict[str, Any]) -> list[OpenApiExample]:
    return [OpenApiExample(name, value=value, response_only=True)]


class GoalFilter(django_filters.FilterSet):
    forum = django_filters.CharFilter(field_name="forum__code", lookup_expr="iexact")
    msp = django_filters.CharFilter(
        field_name="msp__slug",
        lookup_expr="iexact",
        help_text=_("Goals of this multistakeholder pledge (its slug)."),
    )
    compact = django_filters.CharFilter(method="filter_compact")
    unit = django_filters.ChoiceFilter(choices=TargetUnit.choices)

    class Meta:
        model = Goal
        fields = ("forum", "msp", "compact", "unit")

    def filter_compact(self, queryset: QuerySet[Goal], name: str, value: str) -> QuerySet[Goal]:
        # A forum's goals and a multistakeholder pledge's both belong to a compact.
        return queryset.filter(
            Q(forum__compact__code__iexact=value) | Q(msp__compact__code__iexact=value)
        )


class OfficialFigureFilter(django_filters.FilterSet):
    forum = django_filters.CharFilter(field_name="forum__code", lookup_expr="iexact")

    class Meta:
        model = OfficialFigure
        fields = ("forum",)


def goals_with_progress() -> QuerySet[Goal]:
    """Goals with their latest snapshot's figures, date and time (one query for any number)."""
    latest = GoalProgressSnapshot.objects.filter(goal=OuterRef("pk")).order_by("-date")
    return Goal.objects.select_related("forum", "msp").annotate(
        latest_figures=Subquery(latest.values("figures")[:1], output_field=JSONField()),
        latest_date=Subquery(latest.values("date")[:1], output_field=DateField()),
        latest_computed_at=Subquery(latest.values("computed_at")[:1], output_field=DateTimeField()),
    )


@extend_schema_view(
    list=extend_schema(
        summary=_("List collective goals"),
        description=_(
            "Collective goals set at a forum (e.g. GRF 2023: resettle 1 million refugees by "
            "2030) or by a multistakeholder pledge (`msp`, its slug), each with its latest "
            "computed progress: what the published pledges whose targets count towards it pledge "
            "and have achieved (capped at each target; for a multistakeholder pledge's goal, only "
            "its accepted members). Filter by `forum`, `msp`, `compact`, `unit`. `pledges_url` "
            "lists the pledges behind the figures."
        ),
        examples=_examples("GRF 2023 resettlement", GOAL_EXAMPLE),
    ),
    retrieve=extend_schema(
        summary=_("One collective goal"), examples=_examples("GRF 2023 resettlement", GOAL_EXAMPLE)
    ),
)
class GoalViewSet(ReadOnlyResourceViewSet):
    serializer_class = GoalSerializer
    filterset_class = GoalFilter
    ordering = ("id",)
    ordering_fields = ("id",)
    export_basename = "goals"

    def get_queryset(self) -> QuerySet[Goal]:
        return goals_with_progress()


@extend_schema_view(
    list=extend_schema(
        summary=_("List official figures"),
        description=_(
            "Figures a forum's organisers stated (money committed, participants, pledges), "
            "each with its qualifier (`more than`, `about`) and source. They are the forum's "
            "own statements, not computed by the tracker. Filter by `forum`."
        ),
        examples=_examples("GRF 2023 money", FIGURE_EXAMPLE),
    ),
    retrieve=extend_schema(
        summary=_("One official figure"), examples=_examples("GRF 2023 money", FIGURE_EXAMPLE)
    ),
)
class OfficialFigureViewSet(ReadOnlyResourceViewSet):
    serializer_class = OfficialFigureSerializer
    filterset_class = OfficialFigureFilter
    ordering = ("id",)
    ordering_fields = ("id",)
    export_basename = "official-figures"

    def get_queryset(self) -> QuerySet[OfficialFigure]:
        return OfficialFigure.objects.select_related("forum")


class ForumWithFiguresViewSet(ForumViewSet):
    """The forum resource with its official figures (registered in config/api.py in place of
    forums' own, which cannot know about figures: forums sits below goals)."""

    serializer_class = ForumWithFiguresSerializer

    def get_queryset(self) -> QuerySet[Forum]:
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch(
                    "official_figures", queryset=OfficialFigure.objects.order_by("position", "id")
                )
            )
        )
