"""The searchable text of a resource, one expression for the GIN index and the queries (as
`pledges.search_documents` does for pledges: PostgreSQL uses an expression index only for a
query with exactly its expression)."""

from django.contrib.postgres.search import SearchConfig, SearchVector
from django.db.models import Case, When
from django.db.models.expressions import CombinedExpression

from pledges.search_documents import LANGUAGE_SEARCH_CONFIGS


def _resource_language_config() -> SearchConfig:
    """The configuration of each resource's main language, as constants (an immutable index
    expression); `simple` for the languages the site has no stemmer for."""
    return SearchConfig(
        Case(
            *(
                When(language=code, then=SearchConfig(config))
                for code, config in LANGUAGE_SEARCH_CONFIGS.items()
            ),
            default=SearchConfig("simple"),
        )
    )


def resource_document() -> CombinedExpression:
    """Title (ranked first), publisher and summary, stemmed by the rules of the resource's
    main language, and also word for word (`simple`): a resource in French is still found by
    the English word of its title ("toolkit", which French stems to "toolk")."""
    config = _resource_language_config()
    return (
        SearchVector("title", weight="A", config=config)
        + SearchVector("publisher", weight="B", config=config)
        + SearchVector("summary", weight="C", config=config)
        + SearchVector("title", "publisher", "summary", weight="D", config="simple")
    )
