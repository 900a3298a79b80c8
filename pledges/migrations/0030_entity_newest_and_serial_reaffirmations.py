"""Two reads of the entity and forum pages at 1,000,000 pledges (docs/performance.md, 10).

The entity page's count and ids of its published pledges, from an index of their own
(`pledge_entity_newest_idx`, which `entity_pledge_ids` already described).

The forum page's count of pledges reaffirmed there reads a few thousand reaffirmations and
probes each pledge's index entry (~10 ms). PostgreSQL planned it in parallel, and starting the
worker on a busy 2-core machine cost up to ~100 ms more than the count itself (EXPLAIN ANALYZE:
the leader done at 14 ms, the Gather at 122 ms). The table is small; no read of it gains from
a worker.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("pledges", "0029_search_document_inline_storage")]

    operations = [
        migrations.AddIndex(
            model_name="pledge",
            index=models.Index(
                models.F("entity"),
                models.F("published_at").desc(nulls_last=True),
                models.F("id").desc(),
                condition=models.Q(("review_state", "published")),
                name="pledge_entity_newest_idx",
            ),
        ),
        migrations.RunSQL(
            "ALTER TABLE pledges_pledgereaffirmation SET (parallel_workers = 0)",
            "ALTER TABLE pledges_pledgereaffirmation RESET (parallel_workers)",
        ),
    ]
