"""`{% load matching %}`: what other apps' templates may read of matching without importing
its Python (the pledge page includes "matching/_public_matches.html")."""

from django import template
from django.db.models import Q

from pledges.models import Pledge

from ..models import Match

register = template.Library()


@register.simple_tag
def public_matches(pledge: Pledge) -> list[Match]:
    """The pledge's accepted matches with another published pledge: public for everybody, so
    the same on every visitor's page."""
    return list(
        Match.objects.public()
        .filter(Q(seeking=pledge) | Q(offering=pledge))
        .select_related("seeking__entity", "offering__entity")
        .order_by("-closed_at", "-id")
    )
