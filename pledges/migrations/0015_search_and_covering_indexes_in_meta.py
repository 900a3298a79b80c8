"""The four indexes that migrations 0005, 0010 and 0011 created in raw SQL (while SQLite was
supported) are declared in `Meta.indexes` now. They exist already under the same names and with
exactly the definitions Django generates (compared with pg_get_indexdef), so this changes
Django's model state only: nothing is rebuilt."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("pledges", "0014_fill_entity_name_skeletons")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="entity",
                    index=django.contrib.postgres.indexes.GinIndex(
                        django.contrib.postgres.search.SearchVector(
                            "name", "acronym", config="english"
                        ),
                        name="entity_search_idx",
                    ),
                ),
                migrations.AddIndex(
                    model_name="pledge",
                    index=models.Index(
                        condition=models.Q(("review_state", "published")),
                        fields=["implementation_status"],
                        include=("id",),
                        name="pledge_published_by_status_idx",
                    ),
                ),
                migrations.AddIndex(
                    model_name="pledge",
                    index=models.Index(
                        models.OrderBy(models.F("published_at"), descending=True, nulls_last=True),
                        models.OrderBy(models.F("id"), descending=True),
                        condition=models.Q(("review_state", "published")),
                        name="pledge_published_newest_idx",
                    ),
                ),
                migrations.AddIndex(
                    model_name="pledge",
                    index=django.contrib.postgres.indexes.GinIndex(
                        django.contrib.postgres.search.CombinedSearchVector(
                            django.contrib.postgres.search.SearchVector(
                                "reference", "title", config="english", weight="A"
                            ),
                            "||",
                            django.contrib.postgres.search.SearchVector(
                                "description", config="english", weight="B"
                            ),
                            django.contrib.postgres.search.SearchConfig("english"),
                        ),
                        name="pledge_search_idx",
                    ),
                ),
            ],
            database_operations=[],
        )
    ]
