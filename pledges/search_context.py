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


def _names(language: str) -> str:
    """SQL: the names of a pledge's countries, objectives and thematic areas in `language`."""
    s = language.replace("-", "_")
    # Built from LANGUAGE_SEARCH_CONFIGS' keys only (column suffixes), never from input.
    return (
        "concat_ws(' ', "  # noqa: S608
        f"(SELECT string_agg(c.name_{s}, ' ') FROM pledges_pledge_beneficiary_countries bc "
        "JOIN core_country c ON c.code = bc.country_id WHERE bc.pledge_id = p.id), "
        f"(SELECT string_agg(concat_ws(' ', o.title_{s}, o.short_label_{s}), ' ') "
        "FROM pledges_pledge_objectives po JOIN compacts_objective o ON o.id = po.objective_id "
        "WHERE po.pledge_id = p.id), "
        f"(SELECT string_agg(a.name_{s}, ' ') FROM pledges_pledge_thematic_areas pa "
        "JOIN compacts_thematicarea a ON a.id = pa.thematicarea_id WHERE pa.pledge_id = p.id))"
    )


# Weighted C (entity) and D (the rest), below the title (A) and description (B) in the rank.
CONTEXT_VECTOR_SQL = " || ".join(
    [
        "(SELECT setweight(to_tsvector('english'::regconfig, "
        "e.name || ' ' || coalesce(e.acronym, '')), 'C') FROM pledges_entity e "
        "WHERE e.id = p.entity_id)",
        *(
            f"to_tsvector('{config}'::regconfig, {_names(language)})"
            for language, config in LANGUAGE_SEARCH_CONFIGS.items()
        ),
    ]
)

# Built from the constants above only; the ids are a parameter.
_REFRESH_SQL = f"UPDATE pledges_pledge p SET context_search_vector = {CONTEXT_VECTOR_SQL}"  # noqa: S608


def refresh_context_search(pledge_ids: Iterable[int] | None = None) -> None:
    """Store the searchable context of the pledges `pledge_ids` (of every pledge with None)."""
    with connection.cursor() as cursor:
        if pledge_ids is None:
            cursor.execute(_REFRESH_SQL)
        else:
            cursor.execute(_REFRESH_SQL + " WHERE p.id = ANY(%s)", [list(pledge_ids)])
