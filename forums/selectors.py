"""Reads of forums for the public pages. (A function, not a queryset method: modeltranslation
swaps the manager of a translated model for one the type checker cannot see.)"""

from django.db.models import QuerySet

from .models import Forum, ForumKind, RegionalReview


def regional_reviews_for(forum: Forum) -> QuerySet[RegionalReview]:
    """The reviews a forum's page lists (`Forum.lists_regional_reviews`): a round's own; for an
    IMRF, those of the round held in the four years before it, whose findings it takes up
    (A/RES/73/195 ¶49–50: regional reviews from 2020 and every four years, the IMRF every four
    years from 2022); none for other forums."""
    reviews = RegionalReview.objects.all()
    if forum.kind == ForumKind.REGIONAL_REVIEW:
        reviews = reviews.filter(round=forum)
    elif forum.kind == ForumKind.IMRF:
        reviews = reviews.filter(
            round__compact_id=forum.compact_id,
            round__year__lt=forum.year,
            round__year__gte=forum.year - 4,
        )
    else:
        reviews = reviews.none()
    return reviews.select_related("round").order_by("commission", "round__year")
