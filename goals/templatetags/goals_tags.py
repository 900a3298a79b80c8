"""Blocks other apps' pages show without importing this app: the forum page (pledges), the
dashboard and the multistakeholder pledge page (partnerships) load this library by name."""

from typing import Any

from django import template

from forums.models import Forum
from partnerships.models import MultistakeholderPledge

from .. import selectors

register = template.Library()


@register.inclusion_tag("goals/_official_figures.html")
def official_figures_block(forum: Forum) -> dict[str, Any]:
    """The figures the forum's organisers stated, each with its source."""
    return {"forum": forum, "figures": list(selectors.forum_figures(forum))}


@register.inclusion_tag("goals/_forum_goals.html")
def forum_goals_block(forum: Forum) -> dict[str, Any]:
    """The forum's collective goals with the tracker's computed progress towards each."""
    return {"forum": forum, "goals": selectors.forum_goals(forum)}


@register.inclusion_tag("goals/_forum_goals.html")
def msp_goals_block(msp: MultistakeholderPledge) -> dict[str, Any]:
    """A multistakeholder pledge's goals with the tracker's computed progress towards each."""
    return {"msp": msp, "goals": selectors.msp_goals(msp)}
