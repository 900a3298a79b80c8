"""The searchable context of a pledge: what it is about beyond its own words.

"education Kenya" should find a pledge on education that benefits Kenya although its text never
names Kenya. The context (the submitting entity's name and acronym, the beneficiary countries, the
objectives and the thematic areas, named in each of the six languages and stemmed by that
language's rules) lives in other tables, which no index expression on pledges can read; so it is
stored in `Pledge.context_search_vector`, which `pledge_document()` adds to the pledge's own
text. One GIN index then serves every word of a query wherever the word is found.

The pledge services call `refresh_context_search` after every change of content, in the same
transaction; the migration that added the column and the demo loader fill it for all pledges.
`create_pledges` (an import) computes the vectors of its new pledges with `context_vectors`
before it inserts them: an UPDATE after the INSERT wrote every row and every entry of every
index of the table a second time, most of an import's commit (docs/performance.md). Both read
the names through one statement (`_vectors_sql`), so they store the same vector.
"""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection

from .search_documents import LANGUAGE_SEARCH_CONFIGS

# The name columns read in each language: (suffix, config). Built from the keys of
# LANGUAGE_SEARCH_CONFIGS only (column suffixes), never from input.
_LANGUAGES = [
    (language.replace("-", "_"), config) for language, config in LANGUAGE_SEARCH_CONFIGS.items()
]


def _names(table: str, alias: str, name: str, key: str, ids: str) -> str:
    """SQL: a LATERAL row with the names (`name` formats one row's, `{s}` the language suffix)
    of the `table` rows whose `key` is in the array `ids`, one column per language, in `key`
    order so that the same pledge always gets the same vector."""
    columns = ", ".join(
        f"string_agg({name.format(s=s)}, ' ' ORDER BY x.{key}) AS {s}" for s, _config in _LANGUAGES
    )
    return (
        f"CROSS JOIN LATERAL (SELECT {columns} FROM {table} x "  # noqa: S608 — constants only
        f"WHERE x.{key} = ANY({ids})) {alias}"
    )


# A pledge's context vector over the aliases of `_context_joins` (e: its entity; c, o, a: the
# names of its countries, objectives and thematic areas, one column per language). Weighted C
# (entity) and D (the rest), below the title (A) and description (B) in the rank.
CONTEXT_VECTOR_SQL = " || ".join(
    [
        "setweight(to_tsvector('english'::regconfig, "
        "e.name || ' ' || coalesce(e.acronym, '')), 'C')",
        *(
            f"to_tsvector('{config}'::regconfig, concat_ws(' ', c.{s}, o.{s}, a.{s}))"
            for s, config in _LANGUAGES
        ),
    ]
)


def _context_joins(entity_id: str, countries: str, objectives: str, areas: str) -> str:
    """SQL: the joins CONTEXT_VECTOR_SQL reads, for a row whose entity id and set keys (arrays)
    are the given expressions."""
    return (
        f"LEFT JOIN pledges_entity e ON e.id = {entity_id} "
        + _names("core_country", "c", "x.name_{s}", "code", countries)
        + " "
        + _names(
            "compacts_objective",
            "o",
            "concat_ws(' ', x.title_{s}, x.short_label_{s})",
            "id",
            objectives,
        )
        + " "
        + _names("compacts_thematicarea", "a", "x.name_{s}", "id", areas)
    )


def _set_keys(table: str, column: str, pledge: str) -> str:
    return f"ARRAY(SELECT {column} FROM {table} WHERE pledge_id = {pledge})"  # noqa: S608


# The joins for a pledge row `p` whose sets are already written (the demo loader inserts its
# pledges with CONTEXT_VECTOR_SQL over these).
CONTEXT_JOINS = _context_joins(
    "p.entity_id",
    _set_keys("pledges_pledge_beneficiary_countries", "country_id", "p.id"),
    _set_keys("pledges_pledge_objectives", "objective_id", "p.id"),
    _set_keys("pledges_pledge_thematic_areas", "thematicarea_id", "p.id"),
)


def _vectors_sql(source: str) -> str:
    """SQL: (key, context vector) for each row of `source`, a FROM item `v` with the columns
    key, entity_id, countries (codes), objectives and areas (ids)."""
    return (
        f"SELECT v.key, {CONTEXT_VECTOR_SQL} AS vector FROM {source} "  # noqa: S608
        + _context_joins("v.entity_id", "v.countries", "v.objectives", "v.areas")
    )


# The context of stored pledges, read from their sets.
_STORED = (
    "(SELECT p.id AS key, p.entity_id, "
    "ARRAY(SELECT country_id FROM pledges_pledge_beneficiary_countries WHERE pledge_id = p.id) "
    "AS countries, "
    "ARRAY(SELECT objective_id FROM pledges_pledge_objectives WHERE pledge_id = p.id) "
    "AS objectives, "
    "ARRAY(SELECT thematicarea_id FROM pledges_pledge_thematic_areas WHERE pledge_id = p.id) "
    "AS areas FROM pledges_pledge p {where}) v"
)
_REFRESH_SQL = (
    "UPDATE pledges_pledge p SET context_search_vector = context.vector "
    "FROM ({select}) context WHERE p.id = context.key"
)
# The context of pledges not yet written, given as JSON.
_GIVEN = (
    "jsonb_to_recordset(%s::jsonb) "
    "AS v(key int, entity_id bigint, countries text[], objectives bigint[], areas bigint[])"
)


def refresh_context_search(pledge_ids: Iterable[int] | None = None) -> None:
    """Store the searchable context of the pledges `pledge_ids` (of every pledge with None)."""
    with connection.cursor() as cursor:
        if pledge_ids is None:
            select = _vectors_sql(_STORED.format(where=""))
            cursor.execute(_REFRESH_SQL.format(select=select))
        else:
            select = _vectors_sql(_STORED.format(where="WHERE p.id = ANY(%s)"))
            cursor.execute(_REFRESH_SQL.format(select=select), [list(pledge_ids)])


@dataclass(frozen=True)
class Context:
    """What a pledge not yet written is about: its entity and the keys of its sets."""

    entity_id: int
    countries: Sequence[str]
    objectives: Sequence[int]
    areas: Sequence[int]


def context_vectors(contexts: Sequence[Context]) -> list[str]:
    """The context vector (as tsvector text) of each of `contexts`, in one statement, for
    pledges about to be inserted with it (`refresh_context_search` would store the same)."""
    if not contexts:
        return []
    given = json.dumps(
        [
            {
                "key": key,
                "entity_id": c.entity_id,
                "countries": list(c.countries),
                "objectives": list(c.objectives),
                "areas": list(c.areas),
            }
            for key, c in enumerate(contexts)
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(_vectors_sql(_GIVEN) + " ORDER BY v.key", [given])
        return [vector for _key, vector in cursor.fetchall()]
