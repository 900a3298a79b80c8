"""The dashboard's "type of support" filter (indicators/combined.py) as an index-only read.

The filter is a semijoin `pledge_id IN (SELECT pledge_id FROM pledges_pledge_support_types
WHERE supporttype_id = %s)`. Django's through table has a unique index on (pledge_id,
supporttype_id) and one on supporttype_id alone, so the semijoin read every matching link from
the table (a bitmap heap scan: 234,559 links of one type at 1,000,000 pledges). With both
columns in this order it is an index-only scan; on facts of 1,000,000 pledges the hash side
dropped from 1.36 s to 0.44 s under load (docs/performance.md, "Combined dashboard filters").

Raw SQL: the through table is Django's own, without a Meta to declare indexes on.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0009_pledge_fact_filter_indexes"),
        ("pledges", "0024_pledge_context_search"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS pledge_support_type_pledge_idx "
            "ON pledges_pledge_support_types (supporttype_id, pledge_id)",
            "DROP INDEX IF EXISTS pledge_support_type_pledge_idx",
            elidable=False,
        ),
    ]
