"""Search by the rules of each pledge's language: the full-text index is rebuilt on the new
`pledge_document()` (each pledge's text stemmed by its language's configuration, plus its
translations' text, stored in `translation_search_vector` by the translation services). Existing
pledges are English and have no translations: the new column starts empty for them, and the
index holds what it held before."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.expressions
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("pledges", "0017_pledge_language_and_translations")]

    operations = [
        migrations.RemoveIndex(
            model_name="pledge",
            name="pledge_search_idx",
        ),
        migrations.AddField(
            model_name="pledge",
            name="translation_search_vector",
            field=django.contrib.postgres.search.SearchVectorField(default="", editable=False),
        ),
        migrations.AddIndex(
            model_name="pledge",
            index=django.contrib.postgres.indexes.GinIndex(
                django.db.models.expressions.CombinedExpression(
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
                name="pledge_search_idx",
            ),
        ),
    ]
