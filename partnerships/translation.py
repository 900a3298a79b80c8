"""The title of a multistakeholder pledge in the six UN languages (django-modeltranslation), like
other reference texts: `load_reference_data` fills it from bootstrap/data/ and records the
languages whose text is the project's own (`unofficial_languages`)."""

from modeltranslation.translator import TranslationOptions, register

from .models import MultistakeholderPledge


@register(MultistakeholderPledge)
class MultistakeholderPledgeTranslation(TranslationOptions):
    fields = ("title",)
