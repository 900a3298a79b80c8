"""Store pledge rows of up to half a page (4,080 bytes) as they are.

A pledge row with its two search vectors in it (STORAGE MAIN, migration 0032) is ~2.6 kB, over
PostgreSQL's default toast target of a quarter page (2,032 bytes): so every insert and update of a
pledge tried to compress the vectors and the description with pglz, which failed for ~98 % of the
rows (tsvectors barely compress), and moved some short text out of line. Measured on 300,000 of
the benchmark's pledges copied into two tables: 10.6–14.1 s with the default, 5.2–6.5 s with
4,080, and 873 MB against 832 MB with the TOAST table. Rows over half a page (long descriptions)
are compressed and moved out of line as before.

Only later writes are affected: existing rows stay as stored until they are next updated.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("pledges", "0032_search_context_stored_once"),
    ]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE pledges_pledge SET (toast_tuple_target = 4080)",
            reverse_sql="ALTER TABLE pledges_pledge RESET (toast_tuple_target)",
        ),
    ]
