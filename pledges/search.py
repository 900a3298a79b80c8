"""Full-text search over pledges (PostgreSQL full-text search).

The pledge's own text (reference, title, description, each pledge stemmed by the rules of its
language), its translations' text and its context are matched through one tsvector,
`stored_pledge_document()`: the stored `Pledge.search_document` followed by the stored context,
GIN-indexed as that expression (`pledges.search_documents`); the rank reads the same two columns
(`pledge_rank()`).
The query is read by the rules of the page's language, so that on /fr/ "réfugié école" finds
"Accueillir les réfugiés dans les écoles"; and also word for word (`simple`), so that words
stored as written (Arabic, Chinese, names) are found from any page.
The entity name lives in another table, which no index on pledges can cover, so matching entities
are looked up first, through their own GIN index (`entity_document()`), and joined in by id.
"""

import re
from collections.abc import Sequence

from django.contrib.postgres.search import (
    CombinedSearchQuery,
    SearchQuery,
    SearchVectorExact,
)
from django.db import connection
from django.db.models import Case, Expression, FloatField, Q, QuerySet, Value, When
from django.utils import translation

from .models import Entity, Pledge
from .names import cased_name_skeleton, name_skeleton
from .search_documents import (
    SEARCH_CONFIG,
    entity_document,
    pledge_rank,
    search_config,
    stored_pledge_document,
)

# Shaped like a pledge reference (GRF23-00042, or GCR-C-000123 of a pledge announced outside
# any forum): looked up exactly, through the unique index.
REFERENCE_SHAPE = re.compile(r"^([A-Za-z0-9]{2,10}-[0-9]{5,}|[A-Za-z]{2,10}-[Cc]-[0-9]{6,})$")


def search_query(text: str, config: str = SEARCH_CONFIG) -> SearchQuery:
    """Web-search syntax: words are ANDed, "quoted phrases" and -exclusions work as people
    expect from search engines, and malformed input never raises."""
    return SearchQuery(text, search_type="websearch", config=config)


def pledge_query(text: str) -> SearchQuery | CombinedSearchQuery:
    """`text` as a query on pledges: stemmed by the rules of the active language, or else its
    words as written. One tsquery, so that the GIN index serves it."""
    config = search_config(translation.get_language())
    query = search_query(text, config)
    return query if config == "simple" else query | search_query(text, "simple")


def normalise(text: str) -> str:
    return " ".join(text.split())


def matching_entity_ids(text: str) -> list[int]:
    """Ids of entities whose name or acronym match `text`.

    Evaluated up front (one query, through the entity GIN index) so that PostgreSQL can OR three
    index scans together: the GIN index, the unique reference index and the entity FK index.
    A subquery in the OR would force a scan of every pledge."""
    text = normalise(text)
    if not text:
        return []
    return list(entities_matching(text).values_list("pk", flat=True))


def entities_matching(text: str) -> QuerySet[Entity]:
    """Entities whose name or acronym match `text`, by full-text search."""
    return Entity.objects.filter(
        SearchVectorExact(entity_document(), search_query(text))
    ).order_by()


def filter_by_text(
    queryset: QuerySet[Pledge], text: str, entity_ids: list[int] | None = None
) -> QuerySet[Pledge]:
    """Pledges whose reference, title, description or entity name match `text`.

    `entity_ids` is `matching_entity_ids(text)`, passed in by callers that filter several
    querysets by the same text (facets) so that the entity lookup runs once."""
    text = normalise(text)
    if not text:
        return queryset
    exact_reference = Q(reference=text.upper()) if REFERENCE_SHAPE.match(text) else Q(pk__in=[])
    if entity_ids is None:
        entity_ids = matching_entity_ids(text)
    # A lookup rather than an annotation, so that facet counts (GROUP BY on this queryset)
    # do not drag the tsvector along.
    matches = SearchVectorExact(stored_pledge_document(), pledge_query(text))
    return queryset.filter(Q(matches) | exact_reference | Q(entity_id__in=entity_ids))


def relevance(text: str) -> Expression:
    """How well a pledge matches `text`, for ordering: an exact reference first, then the
    full-text rank."""
    text = normalise(text)
    exact = Case(
        When(reference=text.upper(), then=Value(1.0)),
        default=Value(0.0),
        output_field=FloatField(),
    )
    return exact + pledge_rank(pledge_query(text))


# The text of an entity as `entity_search_idx` indexes it, so that the look-alike lookup below can
# use the GIN index (keep in step with `entity_document()`).
_ENTITY_DOCUMENT_SQL = (
    "to_tsvector('english'::regconfig, COALESCE(c.name, '') || ' ' || COALESCE(c.acronym, ''))"
)
# Any word of the queued entity's name or acronym (plainto_tsquery ANDs them; OR is wanted).
_ANY_WORD_SQL = (
    "replace(plainto_tsquery('english'::regconfig, q.name || ' ' || q.acronym)::text, "
    "' & ', ' | ')::tsquery"
)
# Built from the constants above only; every value is a parameter.
_SIMILAR_SQL = f"""
SELECT k.id, s.id
FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS k(id, skeleton, cased)
JOIN pledges_entity q ON q.id = k.id
CROSS JOIN LATERAL (
    SELECT c.id
    FROM pledges_entity c
    WHERE c.id <> q.id
      AND c.declined_at IS NULL
      AND (c.name_skeleton = k.skeleton OR c.cased_name_skeleton = k.cased
           OR {_ENTITY_DOCUMENT_SQL} @@ {_ANY_WORD_SQL})
    ORDER BY (c.name_skeleton = k.skeleton OR c.cased_name_skeleton = k.cased) DESC NULLS LAST,
             ts_rank({_ENTITY_DOCUMENT_SQL}, {_ANY_WORD_SQL}) DESC,
             c.is_verified DESC, c.name, c.id
    LIMIT %s
) AS s
"""  # noqa: S608


def similar_entities(entities: Sequence[Entity], *, limit: int = 3) -> dict[int, list[Entity]]:
    """For the secretariat's queue: up to `limit` live entities whose name looks like each of
    `entities` (a `pledges.names` key in common, listed first), or shares a word of its name or
    acronym (full-text, ranked). Two queries for any number of entities (pg_trgm is not
    assumed, the embedded demo database lacks it)."""
    if not entities:
        return {}
    ids = [entity.pk for entity in entities]
    # Computed here rather than read, so that a look-alike left without a key by migration 0014
    # still finds its twin.
    skeletons = [name_skeleton(entity.name) for entity in entities]
    cased = [cased_name_skeleton(entity.name) for entity in entities]
    with connection.cursor() as cursor:
        cursor.execute(_SIMILAR_SQL, [ids, skeletons, cased, limit])
        pairs = cursor.fetchall()
    found = Entity.objects.select_related("entity_type").in_bulk({pk for _, pk in pairs})
    similar: dict[int, list[Entity]] = {pk: [] for pk in ids}
    for queued, pk in pairs:
        similar[queued].append(found[pk])
    return similar
