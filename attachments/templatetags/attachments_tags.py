"""`{% load attachments_tags %}`: what the pledge page shows of attachments without the pledges
app importing this one (it includes "attachments/_pledge_section.html" and
"attachments/_update_files.html")."""

from dataclasses import dataclass, field
from typing import Any

from django import template

from pledges.models import Pledge, PledgeUpdate

from ..models import Attachment

register = template.Library()


@dataclass
class PledgeFiles:
    """The files the viewer may see on a pledge page: the pledge's own, and each update's."""

    files: list[Attachment]
    by_update: dict[int, list[Attachment]] = field(default_factory=dict)


@register.simple_tag
def pledge_files(pledge: Pledge, user: Any) -> PledgeFiles:
    """One query for every file of the page, through the one visibility rule. (Who may add
    files to the pledge is who may edit it: the page's own `may_edit`, `workflow.can_edit`.)"""
    found = PledgeFiles(files=[])
    for attachment in Attachment.objects.visible_to(user).filter(pledge=pledge):
        if attachment.update_id is None:
            found.files.append(attachment)
        else:
            found.by_update.setdefault(attachment.update_id, []).append(attachment)
    return found


@register.simple_tag
def files_of_update(attached: PledgeFiles | None, update: PledgeUpdate) -> list[Attachment]:
    return attached.by_update.get(update.pk, []) if attached else []
