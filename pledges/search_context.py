"""The searchable context of a pledge: what it is about beyond its own words.

"education Kenya" should find a pledge on education that benefits Kenya although its text never
names Kenya. The context (the submitting entity's name and acronym, the beneficiary countries, the
objectives and the thematic areas, named in each of the six languages and stemmed by that
language's rules) lives in other tables, which no index expression on pledges can read; so it is
stored in `Pledge.context_search_vector`, which `pledge_document()` adds to the pledge's own
text. One GIN index then serves every word of a query wherever the word is found.

The pledge services call `refresh_context_search` after every change of content, in the same
transaction; the migration that added the column and the demo loader fill it for all pledges.
"""

from collections.abc import Iterable

from django.db import connection

from .search_documents import LANGUAGE_SEARCH_CONFIGS


def _per_language(expression: str) -> str:
    """SQL: an array of `expression` in each language of LANGUAGE_SEARCH_CONFIGS, in its order
    (`{s}` is the column suffix: name_en, name_zh_hans…)."""
    # Built from LANGUAGE_SEARCH_CONFIGS' keys only (column suffixes), never from input.
    suffixes = [language.replace("-", "_") for language in LANGUAGE_SEARCH_CONFIGS]
    return "ARRAY[" + ", ".join(expression.format(s=s) for s in suffixes) + "]"


# The names of a pledge `p`'s countries, objectives and thematic areas in every language, each
# table read once per pledge (`n[i]`: the names in the i-th language). Reading them per
# language made 18 subqueries a pledge and twice the time (the demo loader computes this for
# every pledge it writes).
CONTEXT_JOINS = (
    "LEFT JOIN LATERAL (SELECT "  # noqa: S608 — constants only
    + _per_language("string_agg(c.name_{s}, ' ')")
    + " AS n FROM pledges_pledge_beneficiary_countries bc "
    "JOIN core_country c ON c.code = bc.country_id WHERE bc.pledge_id = p.id) ctry ON true "
    "LEFT JOIN LATERAL (SELECT "
    + _per_language("string_agg(concat_ws(' ', o.title_{s}, o.short_label_{s}), ' ')")
    + " AS n FROM pledges_pledge_objectives po "
    "JOIN compacts_objective o ON o.id = po.objective_id WHERE po.pledge_id = p.id) obj ON true "
    "LEFT JOIN LATERAL (SELECT "
    + _per_language("string_agg(a.name_{s}, ' ')")
    + " AS n FROM pledges_pledge_thematic_areas pa "
    "JOIN compacts_thematicarea a ON a.id = pa.thematicarea_id WHERE pa.pledge_id = p.id) "
    "area ON true"
)

# The context vector of pledge `p`, over CONTEXT_JOINS. Weighted C (entity) and D (the rest),
# below the title (A) and description (B) in the rank.
CONTEXT_VECTOR_SQL = " || ".join(
    [
        "(SELECT setweight(to_tsvector('english'::regconfig, "
        "e.name || ' ' || coalesce(e.acronym, '')), 'C') FROM pledges_entity e "
        "WHERE e.id = p.entity_id)",
        *(
            f"to_tsvector('{config}'::regconfig, "
            f"concat_ws(' ', ctry.n[{i}], obj.n[{i}], area.n[{i}]))"
            for i, config in enumerate(LANGUAGE_SEARCH_CONFIGS.values(), start=1)
        ),
    ]
)

# Built from the constants above only; the ids are a parameter.
_REFRESH_SQL = (
    "UPDATE pledges_pledge SET context_search_vector = v.vector "  # noqa: S608
    f"FROM (SELECT p.id, {CONTEXT_VECTOR_SQL} AS vector FROM pledges_pledge p {CONTEXT_JOINS} "
    "{where}) v WHERE v.id = pledges_pledge.id"
)


def refresh_context_search(pledge_ids: Iterable[int] | None = None) -> None:
    """Store the searchable context of the pledges `pledge_ids` (of every pledge with None)."""
    with connection.cursor() as cursor:
        if pledge_ids is None:
            cursor.execute(_REFRESH_SQL.format(where=""))
        else:
            cursor.execute(_REFRESH_SQL.format(where="WHERE p.id = ANY(%s)"), [list(pledge_ids)])
