"""ExchangeRate moves to core, next to Currency (issue 15). This step only forgets the model in
indicators' state; core's 0003 then adopts it and renames its table, keeping every row."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0005_run_heartbeat_and_abandoned"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ExchangeRate")],
            database_operations=[],
        ),
    ]
