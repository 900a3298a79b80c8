"""Country names in the six UN languages, filled from CLDR by `load_reference_data`
(see compacts/translation.py)."""

from modeltranslation.translator import TranslationOptions, register

from core.models import Country


@register(Country)
class CountryTranslation(TranslationOptions):
    fields = ("name",)
