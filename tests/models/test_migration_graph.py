"""The migration graph stays the same for databases already migrated: a migration names the
migrations it depends on, never "__latest__" of another app. Such a dependency moves to each
new migration of that app after the migration has run, and `migrate` then refuses
every database migrated before (InconsistentMigrationHistory: changefeed 0002 did this when
pledges 0025 came)."""

from django.db import connection
from django.db.migrations.loader import MigrationLoader


def test_no_migration_depends_on_another_app_s_latest_migration() -> None:
    loader = MigrationLoader(connection, ignore_no_migrations=True, load=False)
    loader.load_disk()
    moving = [
        f"{app}.{name} depends on {dependency[0]}.{dependency[1]}"
        for (app, name), migration in loader.disk_migrations.items()
        for dependency in migration.dependencies
        if dependency[1] == "__latest__" and dependency[0] != app
    ]

    assert not moving, "Name the migration instead:\n  " + "\n  ".join(moving)
