"""Where PostgreSQL keeps a pledge's two tsvectors (column storage; no data is rewritten).

`search_document` (what a search matches and ranks) was moved out of the row into the TOAST
table, like any value over ~2 kB: ranking a search's matches then fetched and decompressed each
match's document through the TOAST index (ranking 30,000 documents: 0.11 s of CPU stored out of
line, 0.03 s in the row). STORAGE MAIN keeps it in the row, out of line only when a row would
not fit a page.

`context_search_vector` is only read to build `search_document` again when a pledge changes, so
it goes out of line without a compression attempt (STORAGE EXTERNAL): tsvectors hardly compress
(pglz saved ~3 %), and trying cost the demo loader ~10 % of PostgreSQL's time.

Metadata only (a catalogue update, no table rewrite, no long lock): rows written from now on
are stored the new way; existing rows keep their layout until they are next written (an
`UPDATE`, or `VACUUM FULL pledges_pledge` in a maintenance window to convert them all at once).
"""

from django.db import migrations

FORWARD = (
    "ALTER TABLE pledges_pledge ALTER COLUMN search_document SET STORAGE MAIN, "
    "ALTER COLUMN context_search_vector SET STORAGE EXTERNAL"
)
BACKWARD = (
    "ALTER TABLE pledges_pledge ALTER COLUMN search_document SET STORAGE EXTENDED, "
    "ALTER COLUMN context_search_vector SET STORAGE EXTENDED"
)


class Migration(migrations.Migration):
    dependencies = [
        ("pledges", "0028_published_forum_index"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
