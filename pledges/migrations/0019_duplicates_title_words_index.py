"""The duplicate warning (`pledges.duplicates`) finds pledges whose titles share words through a
GIN index on the title's words as written (`simple` configuration, any language alike). A full-text
index rather than pg_trgm: the embedded PostgreSQL of `make run` has no pg_trgm extension."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("pledges", "0018_search_in_each_language")]

    operations = [
        migrations.AddIndex(
            model_name="pledge",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.search.SearchVector("title", config="simple"),
                name="pledge_title_words_idx",
            ),
        ),
    ]
