"""The browser's capped facet read of one status in any compact (issue #7) as an index-only scan.

The facet read asks for the ids of published pledges with one implementation status, up to the
facet count limit. 0009 indexed the status alone, so each match still cost a visit to the table,
and at 1,000,000 pledges PostgreSQL preferred a sequential scan that stops at the limit (37k
rows read). With the id in the index (INCLUDE), the read is an index-only scan of limit + 1
entries (2 ms; docs/performance.md, "Web browser facets").

Raw SQL (declared in `Meta.indexes` since 0015). The id is included rather than a second key
column so that the index offers no id order: the API list's ordered read stays on
`pledge_published_status_idx` (tests/performance/test_query_counts.py).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("pledges", "0009_published_by_status_index")]

    operations = [
        migrations.RemoveIndex(model_name="pledge", name="pledge_published_by_status_idx"),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS pledge_published_by_status_idx ON pledges_pledge "
            "(implementation_status) INCLUDE (id) WHERE review_state = 'published'",
            "DROP INDEX IF EXISTS pledge_published_by_status_idx",
            elidable=False,
        ),
    ]
