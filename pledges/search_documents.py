"""The searchable text of a pledge and of an entity, one expression each.

`Pledge.search_document` stores `pledge_document()` (a generated column, GIN-indexed), which
the queries of `pledges.search` match and rank; `Entity.Meta.indexes` and the entity search are
built from `entity_document()`, so they cannot drift apart: PostgreSQL uses an expression index
only for a query with exactly its expression (tests/web_public/test_search.py EXPLAINs both
searches). Kept apart from `search` so that the models can import them.
"""

from django.contrib.postgres.search import SearchConfig, SearchVector, SearchVectorField
from django.db.models import Case, F, When
from django.db.models.expressions import CombinedExpression

# The column that stores `pledge_document()`.
PLEDGE_DOCUMENT = "search_document"
# Entity names (proper names in any language) and the fallback.
SEARCH_CONFIG = "english"
# The PostgreSQL text-search configuration of each language of the site: Snowball stemming
# ("réfugiés" and "réfugié" are one word) where we stem, `simple` (each word as written, lower
# case) for Arabic and Chinese.
LANGUAGE_SEARCH_CONFIGS = {
    "en": "english",
    "fr": "french",
    "es": "spanish",
    "ru": "russian",
    "ar": "simple",
    "zh-hans": "simple",
}


def search_config(language: str | None) -> str:
    """The text-search configuration of a language code; `simple` for any other."""
    return LANGUAGE_SEARCH_CONFIGS.get(language or "", "simple")


def _pledge_language_config() -> SearchConfig:
    """The configuration of each pledge's own language, as one SQL CASE of regconfig constants:
    constants, not a text cast at run time, so that the index expression stays immutable."""
    return SearchConfig(
        Case(
            *(
                When(language=code, then=SearchConfig(config))
                for code, config in LANGUAGE_SEARCH_CONFIGS.items()
            ),
            default=SearchConfig("simple"),
        )
    )


def pledge_document() -> CombinedExpression:
    """The searchable text of a pledge: its reference, title and description stemmed by the
    rules of its language, weighted so that reference and title rank above the description,
    and the text of its translations, each by the rules of its own language (stored by the
    translation services in `translation_search_vector`: an index expression cannot read
    another table), and its context: entity, countries, objectives and thematic areas in the six
    languages (`context_search_vector`, stored by the pledge services, `pledges.search_context`)."""
    config = _pledge_language_config()
    own = SearchVector("reference", "title", weight="A", config=config) + SearchVector(
        "description", weight="B", config=config
    )
    stored = CombinedExpression(
        F("translation_search_vector"),
        "||",
        F("context_search_vector"),
        output_field=SearchVectorField(),
    )
    return CombinedExpression(own, "||", stored, output_field=SearchVectorField())


def entity_document() -> SearchVector:
    """The searchable text of an entity: its name and acronym."""
    return SearchVector("name", "acronym", config=SEARCH_CONFIG)
