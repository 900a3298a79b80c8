"""Indexes of the public pledge browser (PostgreSQL only; a no-op elsewhere).

`pledge_search_idx`, a GIN index, serves the full-text search.
The indexed expression is exactly what `pledges.search.pledge_document()` compiles to, so that
the planner uses it; tests/web_public/test_search.py EXPLAINs the search to prove it. The index
is created with raw SQL rather than in `Pledge.Meta.indexes` because an expression index built
from SearchVector cannot be declared portably, and SQLite (the zero-setup demo) has no GIN.

`pledge_published_newest_idx` serves the browser's default order (newest published first) as an
index scan that stops after one page, instead of sorting every published pledge per request.
"""

from django.db import migrations

PLEDGE_DOCUMENT_SQL = (
    "setweight(to_tsvector('english'::regconfig, COALESCE(\"reference\", '') || ' ' || "
    "COALESCE(\"title\", '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(\"description\", '')), 'B')"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS pledge_search_idx ON pledges_pledge "
        f"USING gin (({PLEDGE_DOCUMENT_SQL}))"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS pledge_published_newest_idx ON pledges_pledge "
        "(published_at DESC NULLS LAST, id DESC) WHERE review_state = 'published'"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS pledge_search_idx")
    schema_editor.execute("DROP INDEX IF EXISTS pledge_published_newest_idx")


class Migration(migrations.Migration):
    dependencies = [("pledges", "0004_last_update_is_a_date")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
