"""One forward journey through the migration graph for the tests of data migrations.

Migrating the test database back past a migration and forward again re-renders the historical
models at every step (13 round trips cost about 190 s). Instead, each xdist worker gets a scratch
database of its own, `<test database>_migrations`, that starts empty and is migrated forward
only, from zero, as the tests (in graph order) ask for it: one migrate from zero in all. A test
plants the rows it needs with the historical models just before its migration, inside a
transaction that is rolled back afterwards, so the next test starts from an empty database again.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import ProjectState, StateApps
from django.test.utils import override_settings

ALIAS = "migrations"
Targets = Sequence[tuple[str, str]]


class _ToScratch:
    """Every read and write goes to the scratch database: data migrations (and the tests'
    historical models) use `Model.objects` without `.using()`."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return ALIAS

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True


def _test_database_name() -> str:
    """The name pytest-django gives (or gave) this worker's test database."""
    default = connections["default"].settings_dict
    if default["TEST"].get("NAME"):  # xdist: test_<name>_gwN
        return str(default["TEST"]["NAME"])
    name = str(default["NAME"])
    return name if name.startswith("test_") else f"test_{name}"


class Journey:
    """The scratch database and how far it has been migrated (committed)."""

    def __init__(self, blocker: Any) -> None:
        self.blocker = blocker
        self.name = f"{_test_database_name()}_migrations"

    @contextmanager
    def _on_scratch(self) -> Iterator[None]:
        with self.blocker.unblock(), override_settings(DATABASE_ROUTERS=[_ToScratch()]):
            yield

    def _recreate(self) -> None:
        self.drop()
        connections.settings[ALIAS] = {**connections["default"].settings_dict, "NAME": self.name}
        with connections["default"]._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        with self.blocker.unblock():
            if ALIAS in connections.settings:
                connections[ALIAS].close()
                del connections[ALIAS]
                del connections.settings[ALIAS]
            with connections["default"]._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def advance(self, targets: Targets) -> ProjectState:
        """Migrate the scratch database forward to `targets`, committed. A target behind it
        (tests run out of graph order) costs a new database migrated from zero."""
        with self._on_scratch():
            if ALIAS not in connections.settings:
                self._recreate()
            executor = MigrationExecutor(connections[ALIAS])
            if any(backwards for _, backwards in executor.migration_plan(targets)):
                self._recreate()
                executor = MigrationExecutor(connections[ALIAS])
            return executor.migrate(targets)

    @contextmanager
    def trial(self, before: Targets) -> Iterator[StateApps]:
        """Advance to `before`, then yield its historical models inside a transaction that is
        rolled back at the end: what the test plants and migrates there is undone."""
        state = self.advance(before)
        with self._on_scratch(), transaction.atomic(using=ALIAS):
            yield _rendered(state)
            transaction.set_rollback(True, using=ALIAS)

    def migrate(self, targets: Targets) -> StateApps:
        """Inside a trial: migrate to `targets` (either way) and return the historical models
        of the migrations now applied (rendered while migrating: no second rendering)."""
        self._check_constraints()  # no pending trigger events while tables are altered
        state = MigrationExecutor(connections[ALIAS]).migrate(targets)
        self._check_constraints()
        return _rendered(state)

    def _check_constraints(self) -> None:
        with connections[ALIAS].cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _rendered(state: ProjectState) -> StateApps:
    """The state's models, as RunPython gets them: rendered afresh if the executor updated them
    with related models left pointing to earlier versions of each other ("delayed")."""
    state.clear_delayed_apps_cache()
    return state.apps


@pytest.fixture(scope="module")
def journey(django_db_modify_db_settings: None, django_db_blocker: Any) -> Iterator[Journey]:
    journey = Journey(django_db_blocker)
    yield journey
    journey.drop()
