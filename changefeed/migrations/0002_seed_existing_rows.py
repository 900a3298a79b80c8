"""A `created` entry for every row that was public before the change feed existed."""

from django.db import migrations


def forwards(apps, schema_editor):
    from changefeed.seed import seed

    with schema_editor.connection.cursor() as cursor:
        seed(cursor)


class Migration(migrations.Migration):
    dependencies = [
        ("changefeed", "0001_change_feed"),
        # Fixed names, never "__latest__": a later migration of these apps would otherwise
        # become a dependency of this one after it ran, and `migrate` would refuse every
        # database migrated before it (InconsistentMigrationHistory).
        ("pledges", "0024_pledge_context_search"),
        ("matching", "0003_match_decisions_and_closing_checked"),
        ("partnerships", "0002_thematic_areas_and_links_become_memberships"),
        ("indicators", "0009_pledge_fact_filter_indexes"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
