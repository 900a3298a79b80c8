"""Writes the demo's rows in bulk: ids reserved up front, rows streamed with COPY, keys and
indexes dropped and rebuilt around large loads, one chunk written while the next is generated."""

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from queue import Empty, Full, Queue
from threading import Event, Thread
from typing import Any, Generic, TypeVar

from django.contrib.postgres.functions import RandomUUID
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.utils import timezone
from psycopg import postgres
from psycopg.types.json import Jsonb

T = TypeVar("T")

# The column types (OIDs) that COPY takes in binary from the Python values the loader gives
# (int, Decimal, date, aware datetime, bool, str, Jsonb, UUID). Neither side then formats or
# parses text: 300,000 progress updates took 0.9 s of Python and 0.4–0.5 s of PostgreSQL, against
# 2.0 s and 0.7–1.0 s as text. A table with any other column type (a text-search vector) is
# copied as text.
_BINARY_COPY_TYPES = frozenset(
    postgres.types[name].oid
    for name in (
        *("int2", "int4", "int8", "numeric", "date", "timestamptz"),
        *("bool", "text", "varchar", "jsonb", "uuid"),
    )
)

# The table a foreign key's definition (`pg_get_constraintdef`) points at.
_REFERENCED = re.compile(r"FOREIGN KEY \(.*?\) REFERENCES (?P<table>[^(]+)\(")

# Constraints (foreign keys; unique constraints put back onto their rebuilt index) and indexes
# dropped for a load: (table, name, definition) each, in the order they are added back.
_Dropped = tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]


class Writer:
    """Inserts many rows at once, inside the caller's transaction.

    Ids are reserved up front from the table's sequence, so that children can point at their
    parents before anything is written and no insert has to return ids. Rows are streamed with
    COPY: `bulk_create` spent most of its time building model instances and quoting parameters
    in Python (100,000 pledges took about 110 s with `bulk_create`, about 28 s with COPY and
    `bulk_load`).
    """

    def __init__(self) -> None:
        # The connection object itself, not the thread-local proxy: chunks are written from a
        # second thread inside this thread's transaction (see Pipeline).
        self.connection = connections[DEFAULT_DB_ALIAS]
        self._sequences: dict[str, int] = {}
        self._types: dict[str, dict[str, int]] = {}

    def reserve_ids(self, model: type[models.Model], count: int) -> Sequence[int]:
        """`count` primary keys that no other row has or will get, in ascending order."""
        if count <= 0:
            return []
        with self.connection.cursor() as cursor:
            # Usually one unbroken run (nobody else inserts meanwhile): then only its ends
            # travel, not millions of numbers. The sequence is named by its OID: looking it up
            # by name for each of the ids cost ten times the `nextval` calls themselves
            # (300,000 ids: 0.96 s against 0.10 s).
            cursor.execute(
                "SELECT min(v), max(v), CASE WHEN max(v) - min(v) + 1 <> count(*) "
                "THEN array_agg(v) END FROM ("
                "SELECT nextval(%s::oid::regclass) AS v FROM generate_series(1, %s)) s",
                [self._sequence(model), count],
            )
            low, high, scattered = cursor.fetchone()
            return sorted(scattered) if scattered is not None else range(low, high + 1)

    def _column_types(self, model: type[models.Model], fields: Sequence[models.Field]) -> list[int]:
        """The type OIDs of these fields' columns in the model's table."""
        table = model._meta.db_table
        if table not in self._types:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT attname, atttypid::int FROM pg_attribute "
                    "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                    [self.connection.ops.quote_name(table)],
                )
                self._types[table] = dict(cursor.fetchall())
        columns = self._types[table]
        return [columns[f.column] for f in fields]  # type: ignore[index]  # concrete fields: a column each

    def _sequence(self, model: type[models.Model]) -> int:
        """The OID of the sequence that gives the model's primary keys."""
        table = model._meta.db_table
        if table not in self._sequences:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_get_serial_sequence(%s, %s)::regclass::oid",
                    [table, model._meta.pk.column],
                )
                self._sequences[table] = cursor.fetchone()[0]
        return self._sequences[table]

    def with_ids(
        self, model: type[models.Model], rows: Sequence[Sequence[Any]]
    ) -> list[tuple[Any, ...]]:
        """`rows` each with a reserved primary key in front, in order: the ids do not depend
        on which connection writes the rows, nor when."""
        return [
            (pk, *row) for pk, row in zip(self.reserve_ids(model, len(rows)), rows, strict=True)
        ]

    def insert(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        computed: Mapping[str, str] | None = None,
        joins: str = "",
    ) -> int:
        """Insert `rows`, each a sequence of values for the field attnames in `columns`. Fields
        not listed get their default (a fresh UUID, `version` 1, "now"…).

        `computed` maps further columns to SQL expressions over the row being inserted (alias
        `p`, and the tables of `joins`, which may read the whole chunk from
        `staging_table(model)`), evaluated by PostgreSQL as the rows go in: the rows are copied
        into that temporary table and inserted from there, so the expression is computed once
        per row instead of by an UPDATE that writes every row a second time."""
        if rows:
            if computed:
                self._copy_computed(model, columns, rows, computed, joins)
            else:
                self._copy(model, columns, rows)
        return len(rows)

    def rows(self, model: type[models.Model], columns: Sequence[str]) -> list[tuple[Any, ...]]:
        """Every row of the model's table (these columns), as this transaction sees it."""
        quote = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(map(quote, columns))} FROM {quote(model._meta.db_table)}"  # noqa: S608
            )
            return cursor.fetchall()

    def temporary_copy(
        self,
        name: str,
        model: type[models.Model],
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
    ) -> None:
        """A temporary table `name` (quoted), dropped at commit, with these columns of the
        model's table and these rows, analysed for the planner."""
        quote = self.connection.ops.quote_name
        names = ", ".join(map(quote, columns))
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {name} ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {names} FROM {quote(model._meta.db_table)} WITH NO DATA"
            )
            with cursor.copy(f"COPY {name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"ANALYZE {name}")

    def staging_table(self, model: type[models.Model]) -> str:
        """The quoted name of the temporary table that `insert(model, computed=…)` copies rows
        into before inserting them."""
        return self.connection.ops.quote_name(f"_load_{model._meta.db_table}")

    def analyze(self, models_: Sequence[type[models.Model]]) -> None:
        """Refresh the planner's statistics of tables filled earlier in this transaction.

        Without them PostgreSQL plans a join over a freshly loaded table as if it were nearly
        empty: counting the MSP members' targets towards their goals became a nested loop that
        took 69 s at 100,000 pledges. ANALYZE samples a fixed number of rows, so it takes about
        a second even at 1,000,000."""
        quote = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            for model in models_:
                cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")

    @contextmanager
    def bulk_load(
        self, models_: Sequence[type[models.Model]], *, rebuild_indexes: bool
    ) -> Iterator[None]:
        """Load these tables the way the PostgreSQL manual advises for bulk
        loads ("Populating a Database"): drop their foreign keys and, with `rebuild_indexes`,
        their non-unique B-tree indexes, and create them again afterwards.

        Adding a key back checks all rows in one join (0.1 s for 180,000 updates), where a
        key left in place queues one check per row until commit (about 20 s for 100,000
        pledges). Building an index once is cheaper than updating it row by row (measured at
        100,000 pledges: 21 s of loading plus 9 s of index builds, against 40 s with every
        index in place); but it rebuilds over every row, so it only pays when most rows are
        new. The full-text (GIN) indexes are rebuilt too, now that the pledge's document is a
        stored column that the build reads instead of computing it again: PostgreSQL, not the
        Python generator, is the slower side of the load, and updating the GIN index pledge by
        pledge cost it ~25 % of its time during the load (30,000 pledges: 6.9 s of backend CPU
        while loading instead of 8.9–10.7 s, the same ~12 s in all with the builds; 1,000,000:
        238 s while loading, against ~317 s before, but the GIN build then runs alone for
        ~50–65 s of CPU; with the build's memory kept small, `index_memory`, ~36 s. Keeping it
        in place during a load over two connections, measured again at 1,000,000 on a quiet
        machine: 313 s against 293–309 s).

        Definitions are read from the catalogue, so keys and indexes come back exactly as the
        migrations made them, and on error the transaction rolls everything back.

        The tables stay locked until commit, which is fine for a demo database being seeded.
        A database user that does not own the tables cannot drop anything: then keys and
        indexes simply stay, and the load is slower."""
        self.session_settings()
        dropped = self._drop(models_, rebuild_indexes=rebuild_indexes)
        yield
        self._restore(dropped)

    def session_settings(self) -> None:
        """Settings for this transaction's bulk statements."""
        with self.connection.cursor() as cursor:
            # Each chunk's statements are planned anew and cost enough to be JIT-compiled:
            # compiling took seconds per statement (the searchable context of 500 pledges:
            # 5.8 s of JIT for 4.8 s of work), for code that runs once.
            cursor.execute("SET LOCAL jit = off")
            # Computing a chunk's search contexts sorts its pledges' names (~10 MB for 5,000
            # pledges): in memory, not in temporary files.
            cursor.execute("SET LOCAL work_mem = '64MB'")

    @contextmanager
    def detached_load(
        self, models_: Sequence[type[models.Model]], *, written_apart: Sequence[type[models.Model]]
    ) -> Iterator["DetachedLoad"]:
        """`bulk_load` for a load whose `written_apart` tables (empty now) are written by other
        connections (`ParallelWriters`) while the caller's transaction writes the rest.

        The other connections cannot write while this transaction holds the locks that dropping
        keys and indexes takes, so they are dropped and committed first, outside the caller's
        transaction, and rebuilt inside it at the end of the block (so a bad key still rolls
        the caller's rows back). If anything fails, the rows the other connections committed
        are deleted and the keys and indexes created again: the database is as before, the
        one all-or-nothing load's promise, kept by hand."""
        with transaction.atomic(using=self.connection.alias):
            dropped = self._drop(models_, rebuild_indexes=True, unique_of=written_apart)
        load = DetachedLoad(self, written_apart, dropped)
        try:
            with transaction.atomic(using=self.connection.alias):
                self.session_settings()
                yield load
                self._restore((load.keys_left(), load.indexes_left()))
        except BaseException:
            self._undo(written_apart, dropped)
            raise

    def can_write_apart(self, models_: Sequence[type[models.Model]]) -> bool:
        """Whether `detached_load` may be used: no transaction open (tests run inside one) and
        the tables that other connections would write are empty (the undo deletes every row)."""
        if self.connection.in_atomic_block:
            return False
        quote = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            for model in models_:
                cursor.execute(f"SELECT EXISTS (SELECT FROM {quote(model._meta.db_table)})")  # noqa: S608
                if cursor.fetchone()[0]:
                    return False
        return True

    def _undo(self, written_apart: Sequence[type[models.Model]], dropped: "_Dropped") -> None:
        quote = self.connection.ops.quote_name
        keys, indexes = dropped
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            for model in written_apart:
                cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")  # noqa: S608
            # Deleting committed pledges queues the checks of the keys that point at them,
            # and PostgreSQL refuses to build an index on a table with checks queued.
            self._run_pending_checks(cursor)
            # Those built apart already (`DetachedLoad.build_indexes`) are still there.
            cursor.execute(
                "SELECT indexrelid::regclass::text FROM pg_index "
                "WHERE indrelid = ANY(%s::regclass[])",
                [sorted({table for table, _, _ in indexes})],
            )
            built = {name for (name,) in cursor.fetchall()}
            self._restore(([], [index for index in indexes if index[1] not in built]))
            # The keys last, over the rows as they were before the load. Those added apart
            # are there too, perhaps not yet checked (`DetachedLoad.build_indexes`).
            cursor.execute(
                "SELECT conname, convalidated FROM pg_constraint "
                "WHERE conrelid = ANY(%s::regclass[])",
                [sorted({table for table, _, _ in keys})],
            )
            present = dict(cursor.fetchall())
            self._restore(([key for key in keys if key[1] not in present], []))
            for table, name, _ in keys:
                if present.get(name) is False:
                    cursor.execute(f"ALTER TABLE {table} VALIDATE CONSTRAINT {quote(name)}")

    def _drop(
        self,
        models_: Sequence[type[models.Model]],
        *,
        rebuild_indexes: bool,
        unique_of: Sequence[type[models.Model]] = (),
    ) -> "_Dropped":
        """Drop the tables' foreign keys and, with `rebuild_indexes`, their non-unique indexes.

        The tables `unique_of` (empty, and indexed again before anything else reads them:
        `DetachedLoad.build_indexes`) lose their random public ids' unique constraints too: the
        database fills them (`_random_columns`), each lands on a random leaf of its
        index, so keeping them cost a page read and, after each checkpoint, a full page written
        to the WAL for most rows (1,000,000 pledges' and 2,000,000 updates' ids: 120 MB of
        index, about `shared_buffers`). Other unique indexes stay: their keys grow in the order
        rows are written, and the load reads through some of them (a pledge's countries and
        objectives, to compute its search context). A constraint comes back after its index,
        by `ADD CONSTRAINT … USING INDEX`, which only records it."""
        tables = [m._meta.db_table for m in models_]
        random_unique = [f"{m._meta.db_table}.{c}" for m in unique_of for c in _random_columns(m)]
        quote = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            # regclass prints table names quoted as needed, ready for ALTER TABLE.
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) "
                "ORDER BY 1, 2",
                [tables],
            )
            keys = cursor.fetchall()
            cursor.execute(
                "SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text, "
                "pg_get_indexdef(i.indexrelid), c.conname, c.condeferrable, c.condeferred "
                "FROM pg_index i "
                "JOIN pg_class t ON t.oid = i.indrelid "
                # LEFT: an expression index has no column (`indkey[0]` is 0).
                "LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] "
                "LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.contype = 'u' "
                "WHERE i.indrelid = ANY(%s::regclass[]) "
                "AND NOT i.indisexclusion AND NOT i.indisprimary "
                "AND (NOT i.indisunique OR i.indnkeyatts = 1 AND i.indexprs IS NULL "
                "     AND t.relname || '.' || a.attname = ANY(%s)) "
                "ORDER BY 2",
                [tables, random_unique],
            )
            found = cursor.fetchall() if rebuild_indexes else []
        indexes = [(table, index, definition) for table, index, definition, *_ in found]
        unique = [
            (table, name, f"UNIQUE USING INDEX {quote(name)}{_deferral(deferrable, deferred)}")
            for table, _, _, name, deferrable, deferred in found
            if name is not None
        ]
        try:
            with (
                transaction.atomic(using=self.connection.alias),
                self.connection.cursor() as cursor,
            ):
                self._run_pending_checks(cursor)
                # Dropping a unique constraint drops its index.
                for table, name, _ in [*keys, *unique]:
                    cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
                for _, index, _, constraint, *_ in found:
                    if constraint is None:
                        cursor.execute(f"DROP INDEX {index}")
        except DatabaseError:
            return [], []  # not the owner: keep everything in place
        return [*unique, *keys], indexes

    def _restore(self, dropped: "_Dropped") -> None:
        keys, indexes = dropped
        quote = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            for _, _, definition in indexes:
                cursor.execute(index_memory(definition))
                cursor.execute(definition)
            self._run_pending_checks(cursor)
            for table, name, definition in keys:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")

    @staticmethod
    def _run_pending_checks(cursor: Any) -> None:
        # PostgreSQL refuses to ALTER a table with deferred checks still queued (rows written
        # earlier in the same transaction, e.g. by load_reference_data in a test). Running them
        # now empties the queue; Django's keys are all INITIALLY DEFERRED, so deferring them
        # again afterwards restores the usual mode.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def _copy_computed(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        computed: Mapping[str, str],
        joins: str,
    ) -> None:
        quote = self.connection.ops.quote_name
        table = quote(model._meta.db_table)
        staging = self.staging_table(model)
        with self.connection.cursor() as cursor:
            # Same columns, no indexes, keys, defaults nor generated expressions; gone at
            # commit. The INSERT below fills the computed and database-default columns.
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} (LIKE {table}) ON COMMIT DROP"
            )
            defaults = [f.column for f in _database_defaults(model, columns)]
            for column in [*computed, *defaults]:
                cursor.execute(f"ALTER TABLE {staging} ALTER {quote(column)} DROP NOT NULL")  # type: ignore[arg-type]  # concrete fields: a column each
        names = self._copy(model, columns, rows, into=staging, skip=computed.keys())
        columns_ = names.split(", ")
        targets = ", ".join([*columns_, *(quote(column) for column in computed)])
        values = ", ".join([*(f"p.{column}" for column in columns_), *computed.values()])
        with self.connection.cursor() as cursor:
            # Built from model metadata and the caller's constant SQL, never from input.
            cursor.execute(
                f"INSERT INTO {table} ({targets}) SELECT {values} FROM {staging} p {joins}"  # noqa: S608
            )
            cursor.execute(f"TRUNCATE {staging}")

    def _copy(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        into: str | None = None,
        skip: Iterable[str] = (),
    ) -> str:
        """COPY `rows` into the model's table (or the table `into`); returns the column list."""
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        given = [by_attname[c] for c in columns]
        skipped = set(skip)
        database_defaults = _database_defaults(model, columns)
        missing = [
            f
            for f in model._meta.concrete_fields
            # PostgreSQL computes generated columns and refuses them in COPY.
            if f.attname not in columns
            and not f.primary_key
            and not f.generated
            and f not in database_defaults
            and f.column not in skipped
        ]
        defaults: list[Callable[[], Any]] = [
            timezone.now
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            # Fields without a default get None or "" from get_default, as in Django's INSERTs.
            else f.get_default
            for f in missing
        ]
        json_positions = [i for i, f in enumerate(given) if isinstance(f, models.JSONField)]
        quote = self.connection.ops.quote_name
        names = ", ".join(quote(f.column) for f in [*given, *missing])  # type: ignore[arg-type]  # concrete fields: a column each
        types = self._column_types(model, [*given, *missing])
        binary = all(oid in _BINARY_COPY_TYPES for oid in types)
        sql = f"COPY {into or quote(model._meta.db_table)} ({names}) FROM STDIN"
        if binary:
            sql += " (FORMAT BINARY)"
        with self.connection.cursor() as cursor, cursor.copy(sql) as copy:
            if binary:
                copy.set_types(types)
            for row in rows:
                if json_positions:
                    row = list(row)
                    for i in json_positions:
                        row[i] = Jsonb(row[i])
                if defaults:
                    row = (*row, *(default() for default in defaults))
                copy.write_row(row)
        return names


class DetachedLoad:
    """A `Writer.detached_load` under way."""

    def __init__(
        self, writer: Writer, written_apart: Sequence[type[models.Model]], dropped: _Dropped
    ) -> None:
        self.writer = writer
        self.tables = {writer.connection.ops.quote_name(m._meta.db_table) for m in written_apart}
        self.tables |= {m._meta.db_table for m in written_apart}
        self.keys, self.indexes = dropped
        self.built: set[str] = set()
        self.checked: set[str] = set()

    def indexes_left(self) -> list[tuple[str, str, str]]:
        """The dropped indexes not yet built again."""
        return [index for index in self.indexes if index[1] not in self.built]

    def keys_left(self) -> list[tuple[str, str, str]]:
        """The dropped constraints not yet added back."""
        return [key for key in self.keys if key[1] not in self.checked]

    def _keys_apart(self) -> list[tuple[str, str, str]]:
        """The foreign keys from one table written apart to another: every row they check is
        committed, so other connections can check them."""
        return [
            (table, name, definition)
            for table, name, definition in self.keys
            if table in self.tables
            and (target := _REFERENCED.match(definition)) is not None
            and target["table"] in self.tables
        ]

    def build_indexes(self, connections_: int) -> None:
        """Build the indexes of the tables written apart, now committed, and check the keys
        between them, over `connections_` connections at once, each index or key in its own
        transaction (largest tables first), before this transaction touches those tables: one
        backend builds one index on one core, and the pledges' full-text (GIN) index alone
        takes it ~40 s at 1,000,000 pledges."""
        mine = [index for index in self.indexes_left() if index[0] in self.tables]
        with self.writer.connection.cursor() as cursor:
            cursor.execute(
                "SELECT oid::regclass::text, pg_relation_size(oid) FROM pg_class "
                "WHERE oid = ANY(%s::regclass[])",
                [sorted({table for table, _, _ in mine})],
            )
            size = dict(cursor.fetchall())
        # GIN builds are the longest: first, so that the other connection takes the rest.
        mine.sort(key=lambda index: (not _is_gin(index[2]), -size.get(index[0], 0)))
        # The keys between these tables are added back now without checking any row (NOT
        # VALID: a moment each, while no build holds its table) and checked afterwards, apart
        # (VALIDATE locks only the key's own table, so keys of different tables are checked at
        # once, and beside the long GIN build): in this transaction at the end, where adding
        # one locks the table it points at, they took ~25 s one after the other at 1,000,000.
        keys = self._keys_apart()
        quote = self.writer.connection.ops.quote_name
        unchecked = [f"ALTER TABLE {t} ADD CONSTRAINT {quote(n)} {d} NOT VALID" for t, n, d in keys]
        run_apart([(None, unchecked)], 1)
        run_apart(
            [
                *(
                    (("index", name), (index_memory(definition), definition))
                    for _, name, definition in mine
                ),
                *(
                    (("key", name), (f"ALTER TABLE {table} VALIDATE CONSTRAINT {quote(name)}",))
                    for table, name, _ in keys
                ),
            ],
            connections_,
            done=lambda job: (self.built if job[0] == "index" else self.checked).add(job[1]),
        )


def index_memory(definition: str) -> str:
    """The statement that sets the memory for building the index `definition` (a CREATE INDEX).

    A B-tree build sorts its keys in memory up to this limit (the default is 64 MB), so it gets
    1 GB. A full-text (GIN) build collects its entries in a tree in memory and writes them into
    the index whenever the limit fills: the smaller the tree, the cheaper each of the ~100
    million insertions into it (one per word of each pledge at 1,000,000 pledges), so it gets a
    few megabytes. Measured on that index, built alone: 1 GB 57.5 s, 256 MB 51.5 s, 64 MB
    46.2 s, 8 MB 36.6 s, 4 MB 35.7–36.3 s, 1 MB 53.5 s, the index the same size each time."""
    memory = "8MB" if _is_gin(definition) else "1GB"
    return f"SET LOCAL maintenance_work_mem = '{memory}'"


def _is_gin(definition: str) -> bool:
    """Whether the index `definition` (as `pg_get_indexdef` prints it) is a GIN index."""
    return " USING gin " in definition


def run_apart(
    jobs: Iterable[tuple[T, Sequence[str]]],
    connections_: int,
    done: Callable[[T], None] = lambda _key: None,
) -> None:
    """Run each job's statements in a transaction of their own, the jobs handed in order to
    `connections_` threads with one connection each: a backend builds one index or samples
    one table on one core, whatever the other is doing. `done(key)` follows each commit. The
    first error stops the threads taking more jobs and is raised once all have stopped."""
    queued: Queue[tuple[T, Sequence[str]]] = Queue()
    for job in jobs:
        queued.put(job)
    errors: list[BaseException] = []

    def work() -> None:
        connection = connections[DEFAULT_DB_ALIAS]
        try:
            while not errors:
                try:
                    key, statements = queued.get_nowait()
                except Empty:
                    return
                with transaction.atomic(), connection.cursor() as cursor:
                    for statement in statements:
                        cursor.execute(statement)
                done(key)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [Thread(target=work, name=f"run-apart-{n}") for n in range(connections_)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


class ParallelWriters:
    """Writes chunks over several connections at once, each in its own transaction.

    PostgreSQL computes each pledge's search context and document, and writes its rows and
    indexes, in the backend of the connection that inserts it: one core, whatever the other is
    doing. So the chunks are handed to `count` threads, each with its own connection, while the
    main thread builds the next chunks (in order, from the one random stream). Each thread
    commits when `finish` is called; on failure they roll back and the caller's
    `Writer.detached_load` deletes whatever was committed. Their transactions cannot see the
    caller's uncommitted rows: `setup` runs first in each, to copy what they need to read."""

    def __init__(self, count: int, setup: Callable[[Writer], None]) -> None:
        self.jobs: Queue[Callable[[Writer], None] | None] = Queue(maxsize=count)
        self.setup = setup
        self.errors: list[BaseException] = []
        self.stopping = Event()
        self.threads = [
            Thread(target=self._run, name=f"seed-demo-{n}", daemon=True) for n in range(count)
        ]

    def __enter__(self) -> "ParallelWriters":
        for thread in self.threads:
            thread.start()
        return self

    def submit(self, job: Callable[[Writer], None]) -> None:
        """Queue `job` (waits while every thread is busy and a job already waits for each)."""
        if not self._put(job):
            raise self.errors[0]

    def finish(self) -> None:
        """Wait for every job, then commit every thread's transaction."""
        for _ in self.threads:
            if not self._put(None):  # (a thread failed: `_join` and the raise below)
                break
        self._join()
        if self.errors:
            raise self.errors[0]

    def _put(self, item: Callable[[Writer], None] | None) -> bool:
        """Queue `item`, waiting while the queue is full; False once a thread has failed."""
        while not self.errors:
            try:
                self.jobs.put(item, timeout=0.5)
                return True
            except Full:
                continue
        return False

    def __exit__(self, kind: object, *exc: object) -> None:
        if kind is not None:
            # The caller failed: roll every thread back, and wait for them before the
            # caller's clean-up deletes what they may have committed.
            self.stopping.set()
            self._join()

    def _join(self) -> None:
        while any(thread.is_alive() for thread in self.threads):
            if self.stopping.is_set():
                # Wake the threads still waiting for a job; each then rolls back.
                with suppress(Empty):
                    while True:
                        self.jobs.get_nowait()
                with suppress(Full):
                    self.jobs.put_nowait(None)
            for thread in self.threads:
                thread.join(timeout=0.1)

    def _run(self) -> None:
        connection = connections[DEFAULT_DB_ALIAS]
        try:
            with transaction.atomic():
                writer = Writer()
                writer.session_settings()
                self.setup(writer)
                while (job := self.jobs.get()) is not None:
                    if self.stopping.is_set():
                        raise _Stopped
                    job(writer)
                if self.stopping.is_set():
                    raise _Stopped
        except _Stopped:
            pass
        except BaseException as error:
            self.errors.append(error)
            self.stopping.set()
        finally:
            connection.close()


class _Stopped(Exception):
    """Another writer, or the caller, failed: roll this thread's transaction back."""


class Pipeline(Generic[T]):
    """Writes one chunk while the next is being generated.

    With COPY, PostgreSQL spends most of the load writing rows and computing each pledge's
    search vectors while Python waits; meanwhile Python could generate the next chunk. So
    each chunk is written by one background thread, inside the main thread's transaction on the
    same connection (psycopg serialises access to it), while the main thread builds the next.
    Writes stay in order, one at a time.
    """

    def __init__(self, writer: Writer) -> None:
        self.writer = writer
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed-demo")
        self.pending: Future[T] | None = None

    def __enter__(self) -> "Pipeline[T]":
        self.writer.connection.inc_thread_sharing()
        return self

    def submit(self, job: Callable[[], T]) -> T | None:
        """Start `job` once the previous one has finished; return the previous one's result."""
        previous = self.pending.result() if self.pending else None
        self.pending = self.pool.submit(job)
        return previous

    def finish(self) -> T | None:
        """Wait for the last job and return its result."""
        result, self.pending = (self.pending.result() if self.pending else None), None
        return result

    def __exit__(self, *exc: object) -> None:
        # Never leave a write running while the transaction is rolled back.
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.writer.connection.dec_thread_sharing()


def _database_defaults(model: type[models.Model], columns: Sequence[str]) -> list[models.Field]:
    """The fields not in `columns` that the database fills by its own default (a fresh UUID, an
    empty vector): cheaper there than calling the Python default for every row, and a vector has
    no binary COPY form."""
    return [
        f
        for f in model._meta.concrete_fields
        if f.attname not in columns and f.db_default is not models.NOT_PROVIDED
    ]


def _random_columns(model: type[models.Model]) -> list[str]:
    """The model's unique columns that the database fills with a random value (public ids)."""
    return [
        f.column
        for f in model._meta.concrete_fields
        if f.column and f.unique and not f.primary_key and isinstance(f.db_default, RandomUUID)
    ]


def _deferral(deferrable: bool, deferred: bool) -> str:
    """The clause that gives a unique constraint back its deferral when it is added again."""
    if not deferrable:
        return ""
    return " DEFERRABLE INITIALLY DEFERRED" if deferred else " DEFERRABLE"


def through_columns(descriptor: Any) -> tuple[str, str]:
    """The two foreign-key attnames of an auto-created M2M table, e.g. pledge_id, objective_id."""
    rel = descriptor.field
    through = descriptor.through._meta
    return (
        through.get_field(rel.m2m_field_name()).attname,
        through.get_field(rel.m2m_reverse_field_name()).attname,
    )
