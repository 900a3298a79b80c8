"""Entity and support type names in the six UN languages (see compacts/translation.py)."""

from modeltranslation.translator import TranslationOptions, register

from pledges.models import EntityType, SupportType


@register(EntityType)
class EntityTypeTranslation(TranslationOptions):
    fields = ("name",)


@register(SupportType)
class SupportTypeTranslation(TranslationOptions):
    fields = ("name",)
