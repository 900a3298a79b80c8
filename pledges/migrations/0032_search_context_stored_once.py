"""A pledge's search context stored once: `search_document` holds the pledge's own text and
translations only (`pledge_text_document()`), and the full-text index covers it followed by
`context_search_vector` (`stored_pledge_document()`), which the search matches and ranks.

Before, the generated column held the whole document, context included, so every pledge stored
its context twice (1.9 GB at 1,000,000 pledges, written and logged again by every load and every
change). Both columns now stay in the row (STORAGE MAIN), where ranking reads them; out of line
only when a row would not fit a page.

On existing data: adding the generated column again rewrites the table and fills the new column
(an exclusive lock for the time of the rewrite: minutes at 1,000,000 pledges), and the index is
built once. Contexts move into the row in that rewrite; documents written by it may stay out of
line until the pledge is next written (`VACUUM FULL pledges_pledge` converts them all at once).
The search finds and ranks the same pledges in the same order before and after
(tests/web_public/test_search.py compares the rank with the document computed from the text).
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.expressions
from django.db import migrations, models

CONTEXT_IN_ROW = "ALTER TABLE pledges_pledge ALTER COLUMN context_search_vector SET STORAGE MAIN"
CONTEXT_OUT_OF_LINE = (
    "ALTER TABLE pledges_pledge ALTER COLUMN context_search_vector SET STORAGE EXTERNAL"
)
DOCUMENT_IN_ROW = "ALTER TABLE pledges_pledge ALTER COLUMN search_document SET STORAGE MAIN"


class Migration(migrations.Migration):
    dependencies = [("pledges", "0031_database_defaults")]

    operations = [
        migrations.RemoveIndex(
            model_name="pledge",
            name="pledge_search_idx",
        ),
        migrations.RemoveField(model_name="pledge", name="search_document"),
        migrations.RunSQL(CONTEXT_IN_ROW, CONTEXT_OUT_OF_LINE),
        # A generated column's expression cannot be altered (PostgreSQL < 17, Django): added
        # again, which rewrites the table once.
        migrations.AddField(
            model_name="pledge",
            name="search_document",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.expressions.CombinedExpression(
                    django.contrib.postgres.search.CombinedSearchVector(
                        django.contrib.postgres.search.SearchVector(
                            "reference",
                            "title",
                            config=django.contrib.postgres.search.SearchConfig(
                                models.Case(
                                    models.When(
                                        language="en",
                                        then=django.contrib.postgres.search.SearchConfig("english"),
                                    ),
                                    models.When(
                                        language="fr",
                                        then=django.contrib.postgres.search.SearchConfig("french"),
                                    ),
                                    models.When(
                                        language="es",
                                        then=django.contrib.postgres.search.SearchConfig("spanish"),
                                    ),
                                    models.When(
                                        language="ru",
                                        then=django.contrib.postgres.search.SearchConfig("russian"),
                                    ),
                                    models.When(
                                        language="ar",
                                        then=django.contrib.postgres.search.SearchConfig("simple"),
                                    ),
                                    models.When(
                                        language="zh-hans",
                                        then=django.contrib.postgres.search.SearchConfig("simple"),
                                    ),
                                    default=django.contrib.postgres.search.SearchConfig("simple"),
                                )
                            ),
                            weight="A",
                        ),
                        "||",
                        django.contrib.postgres.search.SearchVector(
                            "description",
                            config=django.contrib.postgres.search.SearchConfig(
                                models.Case(
                                    models.When(
                                        language="en",
                                        then=django.contrib.postgres.search.SearchConfig("english"),
                                    ),
                                    models.When(
                                        language="fr",
                                        then=django.contrib.postgres.search.SearchConfig("french"),
                                    ),
                                    models.When(
                                        language="es",
                                        then=django.contrib.postgres.search.SearchConfig("spanish"),
                                    ),
                                    models.When(
                                        language="ru",
                                        then=django.contrib.postgres.search.SearchConfig("russian"),
                                    ),
                                    models.When(
                                        language="ar",
                                        then=django.contrib.postgres.search.SearchConfig("simple"),
                                    ),
                                    models.When(
                                        language="zh-hans",
                                        then=django.contrib.postgres.search.SearchConfig("simple"),
                                    ),
                                    default=django.contrib.postgres.search.SearchConfig("simple"),
                                )
                            ),
                            weight="B",
                        ),
                        django.contrib.postgres.search.SearchConfig(
                            models.Case(
                                models.When(
                                    language="en",
                                    then=django.contrib.postgres.search.SearchConfig("english"),
                                ),
                                models.When(
                                    language="fr",
                                    then=django.contrib.postgres.search.SearchConfig("french"),
                                ),
                                models.When(
                                    language="es",
                                    then=django.contrib.postgres.search.SearchConfig("spanish"),
                                ),
                                models.When(
                                    language="ru",
                                    then=django.contrib.postgres.search.SearchConfig("russian"),
                                ),
                                models.When(
                                    language="ar",
                                    then=django.contrib.postgres.search.SearchConfig("simple"),
                                ),
                                models.When(
                                    language="zh-hans",
                                    then=django.contrib.postgres.search.SearchConfig("simple"),
                                ),
                                default=django.contrib.postgres.search.SearchConfig("simple"),
                            )
                        ),
                    ),
                    "||",
                    models.F("translation_search_vector"),
                    output_field=django.contrib.postgres.search.SearchVectorField(),
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        migrations.RunSQL(DOCUMENT_IN_ROW, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="pledge",
            index=django.contrib.postgres.indexes.GinIndex(
                django.db.models.expressions.CombinedExpression(
                    models.F("search_document"),
                    "||",
                    models.F("context_search_vector"),
                    output_field=django.contrib.postgres.search.SearchVectorField(),
                ),
                name="pledge_search_idx",
            ),
        ),
    ]
