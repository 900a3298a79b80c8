"""The documents block that the forum and objective pages (pledges' templates) show without
importing this app: they load this library by name."""

from typing import Any

from django import template

from compacts.models import Objective
from forums.models import Forum

from ..models import FollowUpDocument

register = template.Library()


@register.inclusion_tag("followup/_documents.html")
def followup_documents(
    forum: Forum | None = None, objective: Objective | None = None
) -> dict[str, Any]:
    """The follow-up documents linked to a forum or addressing an objective, newest first."""
    documents = FollowUpDocument.objects.all()
    if forum is not None:
        documents = documents.for_forum(forum)
    if objective is not None:
        documents = documents.for_objective(objective)
    return {"documents": list(documents), "forum": forum, "objective": objective}
