"""Writes the demo's rows in bulk: ids reserved up front, rows streamed with COPY, keys and
indexes dropped and rebuilt around large loads, one chunk written while the next is generated."""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

T = TypeVar("T")


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

    def reserve_ids(self, model: type[models.Model], count: int) -> list[int]:
        """`count` primary keys that no other row has or will get."""
        if count <= 0:
            return []
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, model._meta.pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]

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
        ~50–65 s of CPU: about even on a loaded machine, not yet measured on a quiet one).

        Definitions are read from the catalogue, so keys and indexes come back exactly as the
        migrations made them, and on error the transaction rolls everything back.

        The tables stay locked until commit, which is fine for a demo database being seeded.
        A database user that does not own the tables cannot drop anything: then keys and
        indexes simply stay, and the load is slower."""
        tables = [m._meta.db_table for m in models_]
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
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                "FROM pg_index i WHERE i.indrelid = ANY(%s::regclass[]) "
                "AND NOT i.indisunique AND NOT i.indisexclusion AND NOT i.indisprimary "
                "ORDER BY 1",
                [tables],
            )
            indexes = cursor.fetchall() if rebuild_indexes else []
        with self.connection.cursor() as cursor:
            # Each chunk's statements are planned anew and cost enough to be JIT-compiled:
            # compiling took seconds per statement (the searchable context of 500 pledges:
            # 5.8 s of JIT for 4.8 s of work), for code that runs once.
            cursor.execute("SET LOCAL jit = off")
            # Computing a chunk's search contexts sorts its pledges' names (~10 MB for 5,000
            # pledges): in memory, not in temporary files.
            cursor.execute("SET LOCAL work_mem = '64MB'")
        try:
            with (
                transaction.atomic(using=self.connection.alias),
                self.connection.cursor() as cursor,
            ):
                self._run_pending_checks(cursor)
                for table, name, _ in keys:
                    cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
                for index, _ in indexes:
                    cursor.execute(f"DROP INDEX {index}")
        except DatabaseError:
            keys, indexes = [], []  # not the owner: keep everything in place
        yield
        with self.connection.cursor() as cursor:
            if indexes:
                # Index builds sort in memory up to this limit (the default is 64 MB); at
                # 1,000,000 pledges the full-text (GIN) index alone needs most of 1 GB.
                cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            for _, definition in indexes:
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
            # Same columns, no indexes, keys nor generated expressions; gone at commit.
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} (LIKE {table}) ON COMMIT DROP"
            )
            for column in computed:
                cursor.execute(f"ALTER TABLE {staging} ALTER {quote(column)} DROP NOT NULL")
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
        missing = [
            f
            for f in model._meta.concrete_fields
            # PostgreSQL computes generated columns and refuses them in COPY.
            if f.attname not in columns
            and not f.primary_key
            and not f.generated
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
        sql = f"COPY {into or quote(model._meta.db_table)} ({names}) FROM STDIN"
        with self.connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                if json_positions:
                    row = list(row)
                    for i in json_positions:
                        row[i] = Jsonb(row[i])
                if defaults:
                    row = (*row, *(default() for default in defaults))
                copy.write_row(row)
        return names


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


def through_columns(descriptor: Any) -> tuple[str, str]:
    """The two foreign-key attnames of an auto-created M2M table, e.g. pledge_id, objective_id."""
    rel = descriptor.field
    through = descriptor.through._meta
    return (
        through.get_field(rel.m2m_field_name()).attname,
        through.get_field(rel.m2m_reverse_field_name()).attname,
    )
