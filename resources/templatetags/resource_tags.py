"""The "Resources on this objective" block of the objective page (pledges' template), which
loads this library by name so that pledges never imports this app."""

from typing import Any

from django import template

from compacts.models import Objective

from ..models import Resource
from ..views import browse_url

register = template.Library()

SHOWN = 5


@register.inclusion_tag("resources/_objective_resources.html")
def objective_resources(objective: Objective) -> dict[str, Any]:
    """How many published resources address `objective`, the latest few, and the links to the
    filtered browser and the objective's feed."""
    published = Resource.objects.published().filter(objectives=objective)
    return {
        "objective": objective,
        "count": published.count(),
        "latest": list(published.order_by("-date", "-id")[:SHOWN]),
        "browse_url": browse_url(objective),
    }
