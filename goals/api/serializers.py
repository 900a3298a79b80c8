"""Representations of goals, official figures and forums (with their figures) for the API."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from forums.api.serializers import ForumSerializer
from goals.models import LEGACY_FIGURE_FIELDS, Goal, OfficialFigure


class OfficialFigureSerializer(serializers.ModelSerializer):
    forum: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    value = serializers.DecimalField(
        max_digits=20,
        decimal_places=2,
        read_only=True,
        help_text=gettext_lazy("As stated by the forum, in `unit`; read with `qualifier`."),
    )
    qualifier = serializers.CharField(
        read_only=True,
        help_text=gettext_lazy('"more than", "about", "at least", or empty for an exact figure.'),
    )
    url = serializers.HyperlinkedIdentityField(view_name="official-figure-detail")

    class Meta:
        model = OfficialFigure
        fields: tuple[str, ...] = (
            "id",
            "forum",
            "label",
            "value",
            "unit",
            "qualifier",
            "source",
            "as_of",
            "url",
        )


class ForumFigureSerializer(OfficialFigureSerializer):
    class Meta(OfficialFigureSerializer.Meta):
        fields = ("id", "label", "value", "unit", "qualifier", "source", "as_of", "url")


PROGRESS_SCHEMA = {
    "type": "object",
    "nullable": True,
    "description": gettext_lazy(
        "The latest computed progress: pledges, targets, reported, pledged, achieved (decimal "
        "strings), pledged_share and achieved_share (of the goal's target, 4 decimals; achieved "
        "is null while no target reported), date and computed_at. Null before the first "
        "computation."
    ),
}


class GoalSerializer(serializers.ModelSerializer):
    forum: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy(
            "The forum that set the goal (null for a multistakeholder pledge's)."
        ),
    )
    msp: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy(
            "The multistakeholder pledge that set the goal (its slug; null for a forum's). Only "
            "its accepted member pledges count towards it."
        ),
    )
    progress = serializers.SerializerMethodField()
    pledges_url = serializers.SerializerMethodField(
        help_text=gettext_lazy("The published pledges whose targets count towards the goal.")
    )
    url = serializers.HyperlinkedIdentityField(view_name="goal-detail")

    class Meta:
        model = Goal
        fields = (
            "id",
            "forum",
            "msp",
            "text",
            "unit",
            "target_value",
            "target_year",
            "source",
            "progress",
            "pledges_url",
            "url",
        )

    @extend_schema_field(PROGRESS_SCHEMA)
    def get_progress(self, goal: Goal) -> dict[str, Any] | None:
        figures = getattr(goal, "latest_figures", None)
        if figures is None:
            return None
        computed_at = serializers.DateTimeField().to_representation(goal.latest_computed_at)  # type: ignore[attr-defined]  # annotated
        return {**figures, "date": goal.latest_date.isoformat(), "computed_at": computed_at}  # type: ignore[attr-defined]  # annotated

    @extend_schema_field(OpenApiTypes.URI)
    def get_pledges_url(self, goal: Goal) -> str:
        path = f"{reverse('pledge-list')}?goal={goal.pk}"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ForumWithFiguresSerializer(ForumSerializer):
    """The forum resource with the figures its organisers stated. `participants`,
    `online_participants` and `countries_represented` were forum columns until the figures
    replaced them; they are still answered, from the figures that took their place."""

    official_figures = ForumFigureSerializer(many=True, read_only=True)
    participants = serializers.SerializerMethodField(
        help_text=gettext_lazy("Deprecated: read `official_figures`.")
    )
    online_participants = serializers.SerializerMethodField(
        help_text=gettext_lazy("Deprecated: read `official_figures`.")
    )
    countries_represented = serializers.SerializerMethodField(
        help_text=gettext_lazy("Deprecated: read `official_figures`.")
    )

    class Meta(ForumSerializer.Meta):
        fields = (  # type: ignore[assignment]  # the forum's fields and more
            *ForumSerializer.Meta.fields[:-2],
            *LEGACY_FIGURE_FIELDS,
            "official_figures",
            *ForumSerializer.Meta.fields[-2:],
        )

    def _legacy(self, forum: Any, name: str) -> int | None:
        for figure in forum.official_figures.all():  # prefetched
            if figure.legacy_field == name:
                return int(figure.value)
        return None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_participants(self, forum: Any) -> int | None:
        return self._legacy(forum, "participants")

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_online_participants(self, forum: Any) -> int | None:
        return self._legacy(forum, "online_participants")

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_countries_represented(self, forum: Any) -> int | None:
        return self._legacy(forum, "countries_represented")
