"""The searchable context of a pledge: what it is about beyond its own words.

"education Kenya" should find a pledge on education that benefits Kenya although its text never
names Kenya. The context (the submitting entity's name and acronym, the beneficiary countries, the
objectives and the thematic areas, named in each of the six languages and stemmed by that
language's rules) lives in other tables, which no index expression on pledges can read; so it is
stored in `Pledge.context_search_vector`, which the search reads after the pledge's own text
(`stored_pledge_document()`). One GIN index then serves every word of a query wherever the word
is found.

The pledge services call `refresh_context_search` after every change of content, in the same
transaction; the migration that added the column and the demo loader fill it for all pledges.
`create_pledges` (an import) computes the vectors of its new pledges with `context_vectors`
before it inserts them: an UPDATE after the INSERT wrote every row and every entry of every
index of the table a second time, most of an import's commit (docs/performance.md). The demo
loader inserts its pledges with `staged_context_join`. All three read the names through one
statement (`_vectors_sql`), so they store the same vector. It stems each name once per
statement and concatenates a pledge's names with `||` (the aggregate `pledges_tsvector_agg`):
stemming the same few hundred names again for every pledge held the loader at 1,700 pledges/s.
`||` shifts the positions of each name past the previous one's last word, as the words of one
text would be (a name ending in a stop word, "Iran (Islamic Republic of)", leaves no gap).
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

# Concatenates tsvectors with `||` (positions of each shifted past the previous ones), in the
# aggregate's ORDER BY; created by migration 0026.
_AGG = "pledges_tsvector_agg"

# What a pledge is about, by kind: (kind, table, its key column, the column of `v` with the
# keys, the key as text that sorts in key order, the name read in each language with `{s}` the
# language's column suffix).
_KINDS = [
    (1, "core_country", "code", "countries", "{key}::text", "x.name_{s}"),
    (
        2,
        "compacts_objective",
        "id",
        "objectives",
        "lpad({key}::text, 20, '0')",
        "concat_ws(' ', x.title_{s}, x.short_label_{s})",
    ),
    (3, "compacts_thematicarea", "id", "areas", "lpad({key}::text, 20, '0')", "x.name_{s}"),
]


def _names() -> str:
    """SQL (a CTE body): every country, objective and thematic area that a row of `v` names,
    with its name stemmed in each language (one column per language suffix): once per
    statement, not once per pledge."""
    parts = []
    for kind, table, key, sets, sort, name in _KINDS:
        columns = ", ".join(
            f"to_tsvector('{config}'::regconfig, {name.format(s=s)}) AS {s}"
            for s, config in _LANGUAGES
        )
        parts.append(
            f"SELECT {kind} AS kind, {sort.format(key=f'x.{key}')} AS name, {columns} "  # noqa: S608
            f"FROM {table} x WHERE x.{key} IN (SELECT unnest(v.{sets}) FROM v)"
        )
    return " UNION ALL ".join(parts)


def _named() -> str:
    """SQL (a CTE body): (key, kind, name) for each country, objective and area of each row
    of `v`."""
    return " UNION ALL ".join(
        f"SELECT v.key, {kind} AS kind, {sort.format(key=f'unnest(v.{sets})')} AS name FROM v"  # noqa: S608
        for kind, _table, _key, sets, sort, _name in _KINDS
    )


# Per row of `v`: its names concatenated in each language, in the order of kind and key (so
# that the same pledge always gets the same vector), one column per language.
_CONTEXT = (
    "SELECT u.key, "  # noqa: S608 — constants only
    + ", ".join(f"{_AGG}(n.{s} ORDER BY u.kind, u.name) AS {s}" for s, _config in _LANGUAGES)
    + " FROM named u JOIN names n ON n.kind = u.kind AND n.name = u.name GROUP BY u.key"
)

# A pledge's context vector over the aliases of `_vectors_sql` (e: its entity; n: its
# countries', objectives' and thematic areas' names, one column per language, each name stemmed
# once per statement rather than once per pledge: stemming the same few hundred names again for
# every pledge held the demo loader at 1,700 pledges/s). Weighted C (entity) and D (the rest),
# below the title (A) and description (B) in the rank.
CONTEXT_VECTOR_SQL = " || ".join(
    [
        "setweight(to_tsvector('english'::regconfig, "
        "e.name || ' ' || coalesce(e.acronym, '')), 'C')",
        *(f"coalesce(n.{s}, '')" for s, _config in _LANGUAGES),
    ]
)


def _vectors_sql(source: str, *, entities: str = "pledges_entity") -> str:
    """SQL: (key, context vector) for each row of `source`, a FROM item `v` with the columns
    key, entity_id, countries (codes), objectives and areas (ids). The one statement that
    computes context vectors: for the services, the import and the demo loader alike.
    `entities` is the table the entities' names are read from."""
    return (
        f"WITH v AS MATERIALIZED (SELECT * FROM {source}), "  # noqa: S608 — constants only
        f"names AS MATERIALIZED ({_names()}), named AS ({_named()}), context AS ({_CONTEXT}) "
        f"SELECT v.key, {CONTEXT_VECTOR_SQL} AS vector FROM v "
        f"LEFT JOIN {entities} e ON e.id = v.entity_id "
        "LEFT JOIN context n ON n.key = v.key"
    )


# The context of pledges whose sets are written, read from the rows of `table` (the pledges,
# or the demo loader's staging table of pledges about to be inserted).
_STORED = (
    "(SELECT p.id AS key, p.entity_id, "
    "ARRAY(SELECT country_id FROM pledges_pledge_beneficiary_countries WHERE pledge_id = p.id) "
    "AS countries, "
    "ARRAY(SELECT objective_id FROM pledges_pledge_objectives WHERE pledge_id = p.id) "
    "AS objectives, "
    "ARRAY(SELECT thematicarea_id FROM pledges_pledge_thematic_areas WHERE pledge_id = p.id) "
    "AS areas FROM {table} p {where}) v"
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


def staged_context_join(staging: str, *, entities: str = "pledges_entity") -> str:
    """SQL: a join giving `ctx.vector`, the context vector of each pledge `p` of the table
    `staging` (a quoted name), whose sets are already written: the demo loader inserts its
    pledges from there with this join. `entities` (a quoted name) is the table holding the
    entities' id, name and acronym: the loader's other connections read a copy, since they
    cannot see the entities its own transaction has not committed yet."""
    select = _vectors_sql(_STORED.format(table=staging, where=""), entities=entities)
    return f"LEFT JOIN ({select}) ctx ON ctx.key = p.id"


def refresh_context_search(pledge_ids: Iterable[int] | None = None) -> None:
    """Store the searchable context of the pledges `pledge_ids` (of every pledge with None)."""
    with connection.cursor() as cursor:
        if pledge_ids is None:
            select = _vectors_sql(_STORED.format(table="pledges_pledge", where=""))
            cursor.execute(_REFRESH_SQL.format(select=select))
        else:
            select = _vectors_sql(
                _STORED.format(table="pledges_pledge", where="WHERE p.id = ANY(%s)")
            )
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
