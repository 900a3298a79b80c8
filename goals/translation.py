"""Goal texts and figure labels in the six UN languages (see compacts/translation.py)."""

from modeltranslation.translator import TranslationOptions, register

from goals.models import Goal, OfficialFigure


@register(Goal)
class GoalTranslation(TranslationOptions):
    fields = ("text",)


@register(OfficialFigure)
class OfficialFigureTranslation(TranslationOptions):
    fields = ("label",)
