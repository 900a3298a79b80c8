"""Shared fixtures: a fixed cast of users (anonymous, members of entities A and B, the
secretariat, a site administrator), the shipped reference data, the headless Chromium that
browser tests drive through Playwright, and a frozen clock.

No test may depend on today's date: a test that reads the clock (directly, or through a page
or a service that calls `timezone.now()`) freezes it with `frozen_now`. To check that none is
left, run the in-process tests on another day: `TESTS_TODAY=2028-02-29 pytest tests/...`
(workers and live servers run in other processes and keep the real clock)."""

import datetime as dt
import importlib
import os
import shutil
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.test import Client, TransactionTestCase
from django.utils import translation

from accounts.models import User
from compacts.models import Compact
from pledges.roles import SECRETARIAT_GROUP, ensure_secretariat_group

from .caching import clear_run_cache
from .factories import REFERENCE_MODELS, MembershipFactory, UserFactory

# Debian's Chromium: Playwright's own browser download cannot work on these machines, and
# `make test` installs this one. Tests that use the `page` fixture are skipped without it.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
# The ORM and the (sync) Playwright page share the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# A Thursday in the middle of a 30-day month, far from any month's or reporting cycle's edge.
FROZEN_NOW = dt.datetime(2026, 11, 19, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen_now(time_machine: Any) -> dt.datetime:
    """Stop the clock at FROZEN_NOW (in this process) for the test."""
    time_machine.move_to(FROZEN_NOW, tick=False)
    return FROZEN_NOW


def pytest_sessionfinish(session: pytest.Session) -> None:
    # The xdist controller (`-n`), after its workers ended: not a worker, not a plain run.
    if hasattr(session.config, "workerinput") or not getattr(
        session.config.option, "numprocesses", None
    ):
        return
    _drop_templates()


def pytest_sessionstart(session: pytest.Session) -> None:
    """The pages are tested in every language: compile the catalogs once, in the controlling
    process only (xdist workers start after it and would race to write the same files)."""
    if not hasattr(session.config, "workerinput"):
        from django.conf import settings

        from core.management.commands.compile_translations import compile_catalogs

        compile_catalogs([Path(p) for p in settings.LOCALE_PATHS])


def pytest_configure(config: pytest.Config) -> None:
    """`TESTS_TODAY=YYYY-MM-DD`: run the whole session on that day (at noon UTC, ticking)."""
    today = os.environ.get("TESTS_TODAY")
    if today:
        import time_machine

        travel = time_machine.travel(
            dt.datetime.combine(dt.date.fromisoformat(today), dt.time(12), tzinfo=dt.UTC)
        )
        travel.start()
        config.add_cleanup(travel.stop)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if hasattr(config, "workerinput"):
        _group_for_xdist(config, items)
        # Handing the long tests out first made the clean-clone run slower (10 min
        # against 8 in session 12: the browser walks then ran at the same time on both workers and
        # modules were split from their module-scoped fixtures), so the order stays pytest-django's
        # until a per-worker `--durations=0` comparison shows an order that is faster.
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason="Debian's chromium is not installed (make test installs it)")
    for item in items:
        if "page" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)


def _group_for_xdist(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Make `xdist_group` work again under pytest 9: `--dist loadgroup` sends the tests of one
    group to one worker when their node id ends in `@<group>`, which pytest-xdist 3.8 writes to
    `item._nodeid`; pytest 9 reads the id from `item._id`, so the suffix was lost and every test
    of a group was scheduled on its own (both workers then migrated the data-migration tests'
    scratch database from zero, and split the module-scoped servers of the scaling tests)."""
    if not config.getvalue("loadgroup"):
        return
    for item in items:
        names = sorted(
            str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
            for mark in item.iter_markers("xdist_group")
        )
        suffix = "@" + "_".join(dict.fromkeys(names))
        if names and not item.nodeid.endswith(suffix):  # (pytest 8 and a fixed xdist: it does)
            from _pytest.nodeid import NodeId  # pytest 9's structured node id, no public setter

            item._id = NodeId.parse(item.nodeid + suffix)  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def artifacts() -> Path:
    """Where browser tests save screenshots for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts and ends in the default language: a request in another language
    leaves that language active in the thread (LocaleMiddleware does not reset it)."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(scope="session")
def _cache_redis() -> Iterator[redis.Redis]:
    """One connection to the cache's Redis for the session: connecting anew for each of the
    ~3,300 tests cost more than the scan it was for."""
    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    yield client
    client.close()


@pytest.fixture(autouse=True)
def _isolated_cache(_cache_redis: redis.Redis) -> None:
    """Every test starts with an empty cache (rate limits and nudge debounces live there)."""
    clear_run_cache(_cache_redis)


SNAPSHOT_SCHEMA = "test_reference_snapshot"


class _ReferenceData:
    """Whether the test database still holds the reference data `django_db_setup` loaded, and
    a copy of it to put back after a transactional test emptied the tables."""

    blocker: Any = None  # pytest-django's django_db_blocker, once the database is set up
    flushed = False  # Django's flush emptied the tables since it was last loaded
    # (table, its columns less generated ones) of every table that had rows after the load.
    snapshot: list[tuple[str, str]] = []

    @classmethod
    def take_snapshot(cls) -> None:
        """Copy every non-empty table (reference data, content types, permissions, the
        secretariat group, what migrations wrote) into a schema of the test database: putting
        it back costs one INSERT … SELECT a table instead of `load_reference_data` (~1 s)."""
        quote = connection.ops.quote_name
        tables = connection.introspection.django_table_names(
            only_existing=True, include_views=False
        )
        cls.snapshot = []
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {SNAPSHOT_SCHEMA} CASCADE")
            cursor.execute(f"CREATE SCHEMA {SNAPSHOT_SCHEMA}")
            for table in sorted(tables):
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(table)})")  # noqa: S608
                if not cursor.fetchone()[0]:
                    continue
                cursor.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = "
                    "current_schema() AND table_name = %s AND is_generated = 'NEVER' "
                    "ORDER BY ordinal_position",
                    [table],
                )
                columns = ", ".join(quote(name) for (name,) in cursor.fetchall())
                cursor.execute(
                    f"CREATE TABLE {SNAPSHOT_SCHEMA}.{quote(table)} AS "  # noqa: S608
                    f"SELECT {columns} FROM {quote(table)}"
                )
                cls.snapshot.append((table, columns))


TEMPLATE_SUFFIX = "_template_"


def _template_name(config: pytest.Config) -> str:
    """The migrated database of this run that the xdist workers copy: named after the run."""
    base = f"test_{connection.settings_dict['NAME']}"
    return f"{base}{TEMPLATE_SUFFIX}{config.workerinput['testrunuid'][:8]}"  # type: ignore[attr-defined]


def _migrated_template(name: str) -> None:
    """Create and migrate the template database unless another worker of the run did: under an
    advisory lock, so the second worker waits for the first's migration instead of doing its own
    (a migration from zero is ~25 s of CPU on the 2-core machine the two workers share)."""
    settings_dict = connection.settings_dict
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [name])
        try:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone():
                return
            cursor.execute(f'CREATE DATABASE "{name}"')
            real_name = settings_dict["NAME"]
            connection.close()
            settings_dict["NAME"] = name
            try:
                call_command("migrate", verbosity=0, interactive=False, run_syncdb=True)
            finally:
                connection.close()  # a template may have no other session when it is copied
                settings_dict["NAME"] = real_name
        finally:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [name])


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None,
    request: pytest.FixtureRequest,
    django_db_blocker: Any,
) -> None:
    """Under xdist, each worker's test database is a copy of one database migrated once for the
    run (`CREATE DATABASE … TEMPLATE`; Django's migrate then finds nothing to apply), not a
    migration from zero of its own. The controller drops the template when the run ends
    (`pytest_sessionfinish`). With --reuse-db or --no-migrations Django's way stands."""
    config = request.config
    if not hasattr(config, "workerinput") or config.getvalue("reuse_db"):
        return
    if config.getvalue("nomigrations"):
        return
    name = _template_name(config)
    with django_db_blocker.unblock():
        _migrated_template(name)
    connection.settings_dict.setdefault("TEST", {})["TEMPLATE"] = name


def _drop_templates() -> None:
    """After the workers ended: the templates of this database's runs (a killed run's too)."""
    import psycopg

    settings_dict = connection.settings_dict
    prefix = f"test_{settings_dict['NAME']}{TEMPLATE_SUFFIX}"
    dsn = {
        "dbname": "postgres",
        "user": settings_dict["USER"],
        "password": settings_dict["PASSWORD"],
        "host": settings_dict["HOST"],
        "port": settings_dict["PORT"],
    }
    try:
        with psycopg.connect(**{k: v for k, v in dsn.items() if v}, autocommit=True) as db:
            names = db.execute(
                "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [prefix]
            ).fetchall()
            for (name,) in names:
                db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except psycopg.Error as error:  # the run's outcome stands; the next run drops it
        warnings.warn(f"the test template database was left: {error}", stacklevel=1)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """The test database, with the shipped reference data loaded once for the session: each
    test's transaction rolls back to a database that has it."""
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0)
        _ReferenceData.take_snapshot()
    _ReferenceData.blocker = django_db_blocker


def _empty_every_table(test: TransactionTestCase) -> None:
    """After a transactional test (`live_server`, `transaction=True`): what Django's `flush` does
    (empty every table), with DELETE instead of TRUNCATE. TRUNCATE gives each of the ~110 tables
    and their indexes new files: 6-12 s a test on the loaded 2-core machine, where deleting the
    few rows a test leaves takes 0.1-0.6 s. The test database then gets back, from the snapshot,
    the rows it had after `django_db_setup` loaded the reference data (content types and
    permissions included, with the same ids), so the next test finds what every test finds: no
    `post_migrate`, no `load_reference_data`. Foreign keys are deferrable on PostgreSQL, so they
    are checked once, at the commit. The rarer cases (subsets of apps, serialized rollback) keep
    Django's flush, and the reference data is loaded again when a test asks for it."""
    if test.available_apps is not None or test.serialized_rollback or test.reset_sequences:
        _flush(test)
        _ReferenceData.flushed = True
        return
    for alias in test._databases_names(include_mirrors=False):
        db = connections[alias]
        quote = db.ops.quote_name
        tables = db.introspection.django_table_names(only_existing=True, include_views=False)
        snapshot = _ReferenceData.snapshot if alias == DEFAULT_DB_ALIAS else []
        with transaction.atomic(using=alias), db.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for table in tables:
                cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608
            for table, columns in snapshot:
                cursor.execute(
                    f"INSERT INTO {quote(table)} ({columns}) "  # noqa: S608
                    f"SELECT {columns} FROM {SNAPSHOT_SCHEMA}.{quote(table)}"
                )
        if snapshot:
            ContentType.objects.clear_cache()
        else:
            emit_post_migrate_signal(verbosity=0, interactive=False, db=alias)
            _ReferenceData.flushed |= alias == DEFAULT_DB_ALIAS


_flush = TransactionTestCase._fixture_teardown


@pytest.fixture(scope="session", autouse=True)
def _fast_flush() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_teardown", _empty_every_table)
        yield


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before a test's fixtures: load the reference data again, committed, when Django's flush
    emptied the tables (after a transactional test with `available_apps`, serialized rollback
    or reset sequences) and this test asks for it."""
    needs_it = "reference_data" in getattr(item, "fixturenames", ())
    if _ReferenceData.flushed and _ReferenceData.blocker is not None and needs_it:
        with _ReferenceData.blocker.unblock():
            call_command("load_reference_data", verbosity=0)
        _ReferenceData.flushed = False


@pytest.fixture
def reference_data(db: None) -> None:
    """The reference data that ships with the app (compacts, objectives, forums, …): loaded
    once per session by `django_db_setup`, and put back after a transactional test."""
    assert Compact.objects.exists(), "the session's reference data is missing"


@pytest.fixture
def no_reference_data(db: None) -> None:
    """A database without the reference data, as before the first `load_reference_data`: the
    tables are emptied inside the test's transaction, which rolls back when it ends.

    DELETE, not TRUNCATE: nothing else refers to these rows at the start of a test, the foreign
    keys are checked at the end of the test (deferred), and TRUNCATE cost 70 ms a test."""
    tables = [
        field.remote_field.through._meta.db_table
        for model in REFERENCE_MODELS
        for field in model._meta.local_many_to_many
    ] + [model._meta.db_table for model in REFERENCE_MODELS]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 -- model table names
    Group.objects.filter(name=SECRETARIAT_GROUP).delete()


@pytest.fixture
def anonymous() -> AnonymousUser:
    return AnonymousUser()


@pytest.fixture
def member_a(db: None) -> User:
    """An active member of verified entity A."""
    return MembershipFactory(user=UserFactory(email="member-a@example.org")).user


@pytest.fixture
def member_b(db: None) -> User:
    """An active member of another verified entity B."""
    return MembershipFactory(user=UserFactory(email="member-b@example.org")).user


@pytest.fixture
def entity_a(member_a: User):
    return member_a.memberships.get().entity


@pytest.fixture
def secretariat(db: None) -> User:
    """A secretariat reviewer: staff, in the Secretariat group (review permission)."""
    user = UserFactory(email="secretariat@example.org", is_staff=True)
    group, _ = ensure_secretariat_group()
    user.groups.add(group)
    return user


@pytest.fixture
def site_admin(db: None) -> User:
    return UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)


@pytest.fixture(scope="session", autouse=True)
def _remove_test_media() -> Iterator[None]:
    """Attachments the tests store go to this process's own directory (config/settings/test.py,
    MEDIA_ROOT): removed when the session ends."""
    yield
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


GENERATOR = Path(sys.executable).with_name("openapi-python-client")


@pytest.fixture(scope="session")
def generated_client(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ModuleType]:
    """A client package generated by openapi-python-client from the served YAML schema,
    importable as `cpt_client`: generated once per session (about 20 s), shared by the tests
    that check the schema works for partners and the one that runs the nightly sync with it."""
    folder = tmp_path_factory.mktemp("generated")
    with django_db_blocker.unblock():
        response = Client().get("/api/schema/")
    assert response.status_code == 200
    (folder / "schema.yml").write_bytes(response.content)
    env = {**os.environ, "PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(folder / "schema.yml"),
            "--output-path",
            str(folder / "cpt_client"),
            "--meta",
            "none",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "will not be generated" not in result.stdout, result.stdout
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module("cpt_client")
    finally:
        sys.path.remove(str(folder))
        for module in [m for m in sys.modules if m.split(".")[0] == "cpt_client"]:
            del sys.modules[module]
