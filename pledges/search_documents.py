"""The searchable text of a pledge and of an entity, one expression each.

A pledge's document is its own text and translations, stored in the generated column
`Pledge.search_document` (`pledge_text_document()`), followed by its context, stored in
`Pledge.context_search_vector`: `stored_pledge_document()` joins the two columns, the GIN index
covers that expression, which the queries of `pledges.search` match; they rank the two columns
apart (`pledge_rank()`). The context is stored once (a generated column holding the whole
document kept a second copy of it: 1.9 GB at 1,000,000 pledges, written and logged again by
every load). `Entity.Meta.indexes` and the entity search are built from `entity_document()`.
Index and queries share each expression so that they cannot drift apart: PostgreSQL uses an
expression index only for a query with exactly its expression (tests/web_public/test_search.py
EXPLAINs both searches). Kept apart from `search` so that the models can import them.
"""

from django.contrib.postgres.search import (
    CombinedSearchQuery,
    SearchConfig,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db.models import Case, F, FloatField, When
from django.db.models.expressions import Combinable, CombinedExpression

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


def _own_document() -> CombinedExpression:
    """A pledge's reference, title and description stemmed by the rules of its language,
    weighted so that reference and title rank above the description."""
    config = _pledge_language_config()
    return SearchVector("reference", "title", weight="A", config=config) + SearchVector(
        "description", weight="B", config=config
    )


def _joined(left: Combinable, right: Combinable) -> CombinedExpression:
    """`left || right`: the words of `right` placed after those of `left`."""
    return CombinedExpression(left, "||", right, output_field=SearchVectorField())


def pledge_text_document() -> CombinedExpression:
    """What `Pledge.search_document` stores: the pledge's own text, then the text of its
    translations, each by the rules of its own language (stored by the translation services in
    `translation_search_vector`: a column expression cannot read another table)."""
    return _joined(_own_document(), F("translation_search_vector"))


def stored_pledge_document() -> CombinedExpression:
    """The searchable document as the GIN index and the search read it: the stored text
    document, then the context (entity, countries, objectives and thematic areas in the six
    languages, `context_search_vector`, stored by the pledge services, `pledges.search_context`)."""
    return _joined(F("search_document"), F("context_search_vector"))


def pledge_rank(
    query: SearchQuery | CombinedSearchQuery, *, text: Combinable | None = None
) -> CombinedExpression:
    """How well a pledge matches `query`, for ordering: the rank of its text plus the rank of
    its context, each read from its own column. Ranking the two joined (`||`) built every
    match's whole vector again: 97 ms instead of 42 ms for the 8,821 matches of a search at
    1,000,000 pledges. `text` is the stored `search_document` unless given: tests and
    `make bench` pass `pledge_text_document()` to rank the text computed afresh."""
    text_rank = SearchRank(F("search_document") if text is None else text, query)
    return CombinedExpression(
        text_rank, "+", SearchRank(F("context_search_vector"), query), output_field=FloatField()
    )


def entity_document() -> SearchVector:
    """The searchable text of an entity: its name and acronym."""
    return SearchVector("name", "acronym", config=SEARCH_CONFIG)
