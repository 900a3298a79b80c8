"""Forum names and places in the six UN languages (see compacts/translation.py)."""

from modeltranslation.translator import TranslationOptions, register

from forums.models import Forum, RegionalReview


@register(Forum)
class ForumTranslation(TranslationOptions):
    fields = ("name", "place")


@register(RegionalReview)
class RegionalReviewTranslation(TranslationOptions):
    fields = ("name", "place")
