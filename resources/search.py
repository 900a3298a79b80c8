"""Full-text search over resources, with the pledge browser's query rules
(`pledges.search.pledge_query`: web-search syntax, stemmed by the page's language or matched
word for word)."""

from django.contrib.postgres.search import SearchRank, SearchVectorExact
from django.db.models import Expression, QuerySet

from pledges.search import normalise, pledge_query

from .models import Resource
from .search_documents import resource_document


def filter_by_text(queryset: QuerySet[Resource], text: str) -> QuerySet[Resource]:
    """Resources whose title, publisher or summary match `text` (through the GIN index)."""
    text = normalise(text)
    if not text:
        return queryset
    return queryset.filter(SearchVectorExact(resource_document(), pledge_query(text)))


def relevance(text: str) -> Expression:
    return SearchRank(resource_document(), pledge_query(normalise(text)))
