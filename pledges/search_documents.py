"""The searchable text of a pledge and of an entity, one expression each.

The GIN indexes in `Pledge.Meta.indexes` and `Entity.Meta.indexes` and the queries of
`pledges.search` are built from these functions, so they cannot drift apart: PostgreSQL uses an
expression index only for a query with exactly its expression (tests/web_public/test_search.py
EXPLAINs both searches). Kept apart from `search` so that the models can import them.
"""

from django.contrib.postgres.search import SearchVector
from django.db.models.expressions import CombinedExpression

SEARCH_CONFIG = "english"


def pledge_document() -> CombinedExpression:
    """The searchable text of a pledge, weighted so that reference and title rank above the
    description."""
    return SearchVector("reference", "title", weight="A", config=SEARCH_CONFIG) + SearchVector(
        "description", weight="B", config=SEARCH_CONFIG
    )


def entity_document() -> SearchVector:
    """The searchable text of an entity: its name and acronym."""
    return SearchVector("name", "acronym", config=SEARCH_CONFIG)
