"""A GIN index for the entity side of the pledge search, in raw SQL (declared in
`Entity.Meta.indexes` since 0015).

`/pledges/?q=…` and the API's `search` also match the submitting entity's name or acronym:
`pledges.search.matching_entity_ids` looks the entities up first. Without an index that lookup
computed the document of every entity (a sequential scan of 300,000 entities at 1,000,000
pledges; docs/performance.md, "Search"). The indexed expression is exactly what
`pledges.search_documents.entity_document()` compiles to; tests/web_public/test_search.py
EXPLAINs the lookup to prove the planner can use it.
"""

from django.db import migrations

ENTITY_DOCUMENT_SQL = (
    "to_tsvector('english'::regconfig, COALESCE(\"name\", '') || ' ' || COALESCE(\"acronym\", ''))"
)


class Migration(migrations.Migration):
    dependencies = [("pledges", "0010_published_by_status_covering_index")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS entity_search_idx ON pledges_entity "
            f"USING gin (({ENTITY_DOCUMENT_SQL}))",
            "DROP INDEX IF EXISTS entity_search_idx",
            elidable=False,
        )
    ]
