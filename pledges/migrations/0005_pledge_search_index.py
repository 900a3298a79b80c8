"""Indexes of the public pledge browser, in raw SQL (declared in `Meta.indexes` since 0015).

`pledge_search_idx`, a GIN index, serves the full-text search: its expression is exactly what
`pledges.search_documents.pledge_document()` compiles to, so that the planner uses it
(tests/web_public/test_search.py EXPLAINs the search to prove it).

`pledge_published_newest_idx` serves the browser's default order (newest published first) as an
index scan that stops after one page, instead of sorting every published pledge per request.
"""

from django.db import migrations

PLEDGE_DOCUMENT_SQL = (
    "setweight(to_tsvector('english'::regconfig, COALESCE(\"reference\", '') || ' ' || "
    "COALESCE(\"title\", '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(\"description\", '')), 'B')"
)


class Migration(migrations.Migration):
    dependencies = [("pledges", "0004_last_update_is_a_date")]

    operations = [
        migrations.RunSQL(
            [
                "CREATE INDEX IF NOT EXISTS pledge_search_idx ON pledges_pledge "
                f"USING gin (({PLEDGE_DOCUMENT_SQL}))",
                "CREATE INDEX IF NOT EXISTS pledge_published_newest_idx ON pledges_pledge "
                "(published_at DESC NULLS LAST, id DESC) WHERE review_state = 'published'",
            ],
            [
                "DROP INDEX IF EXISTS pledge_search_idx",
                "DROP INDEX IF EXISTS pledge_published_newest_idx",
            ],
            elidable=False,
        )
    ]
