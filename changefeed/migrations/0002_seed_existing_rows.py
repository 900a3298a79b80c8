"""A `created` entry for every row that was public before the change feed existed."""

from django.db import migrations


def forwards(apps, schema_editor):
    from changefeed.seed import seed

    with schema_editor.connection.cursor() as cursor:
        seed(cursor)


class Migration(migrations.Migration):
    dependencies = [
        ("changefeed", "0001_change_feed"),
        ("pledges", "__latest__"),
        ("matching", "__latest__"),
        ("partnerships", "__latest__"),
        ("indicators", "__latest__"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
