"""The "Resources on this objective" block of the objective page (pledges' template), which
loads this library by name so that pledges never imports this app."""

from typing import Any

from django import template
from django.db.models import Count, Window

from compacts.models import Objective

from ..models import Resource
from ..views import browse_url

register = template.Library()

SHOWN = 5


@register.inclusion_tag("resources/_objective_resources.html")
def objective_resources(objective: Objective) -> dict[str, Any]:
    """How many published resources address `objective`, the latest few, and the links to the
    filtered browser and the objective's feed."""
    # One query: the latest few, each carrying the count of all (a window over the rows).
    latest = list(
        Resource.objects.published()
        .filter(objectives=objective)
        .annotate(total=Window(Count("id")))
        .order_by("-date", "-id")[:SHOWN]
    )
    return {
        "objective": objective,
        "count": latest[0].total if latest else 0,  # type: ignore[attr-defined]  # annotated
        "latest": latest,
        "browse_url": browse_url(objective),
    }
