"""Reference texts of the compacts in the six UN languages (django-modeltranslation).

Each registered field gets one column per language (`title_fr`, `title_zh_hans`…); reading
`objective.title` answers in the active language and falls back to English when that column is
empty. `load_reference_data` fills the columns from `bootstrap/data/` with the UN's official
texts where they are published, else with translations it marks unofficial (`unofficial_languages`).
"""

from modeltranslation.translator import TranslationOptions, register

from compacts.models import (
    Compact,
    GuidingPrinciple,
    Objective,
    ObjectiveAction,
    SupportPlatform,
    ThematicArea,
)


@register(Compact)
class CompactTranslation(TranslationOptions):
    # The name first: the unofficial marker follows it (the model's field order), not the
    # project's summaries.
    fields = ("name", "summary", "adoption_note")


@register(Objective)
class ObjectiveTranslation(TranslationOptions):
    fields = ("title", "short_label", "commitment")


@register(GuidingPrinciple)
class GuidingPrincipleTranslation(TranslationOptions):
    fields = ("name", "text")


@register(ObjectiveAction)
class ObjectiveActionTranslation(TranslationOptions):
    fields = ("text",)


@register(ThematicArea)
class ThematicAreaTranslation(TranslationOptions):
    fields = ("name",)


@register(SupportPlatform)
class SupportPlatformTranslation(TranslationOptions):
    fields = ("name",)
