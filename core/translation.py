"""Country and currency names in the six UN languages, filled from CLDR by
`load_reference_data` (see compacts/translation.py); a country's footnote from the catalogs."""

from modeltranslation.translator import TranslationOptions, register

from core.models import Country, Currency


@register(Country)
class CountryTranslation(TranslationOptions):
    fields = ("name", "footnote")


@register(Currency)
class CurrencyTranslation(TranslationOptions):
    fields = ("name",)
