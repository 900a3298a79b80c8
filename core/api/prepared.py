"""Run a hot query as a server-side prepared statement (PostgreSQL, psycopg 3).

Django sends every query with client-side binding: the values are written into the SQL text, so
PostgreSQL parses and plans each request's query afresh. For the API's pledge page (a six-table
join, eight nested lists and the JSON of each pledge) planning alone took 2–7 ms of the
database's CPU per request, as much as executing the page. Here the query is sent with its
parameters apart (psycopg's server-side binding) and prepared on the connection: PostgreSQL plans
the first executions with their values, then settles on a generic plan, and every later request
skips planning (EXPLAIN ANALYZE: planning 5.5 ms → 0.02 ms). A query text is the same for every
request with the same filters; psycopg keeps the last 100 per connection. Used by the API's
pledge list (pledges/api/reading.py).

Parameters that are *choices written in code* (enum members such as `ReviewState.PUBLISHED`,
as `visible_to()` filters with) are written into the SQL as literals instead: a generic plan
cannot use a partial index whose predicate (`WHERE review_state = 'published'`) compares with a
parameter, so PostgreSQL would keep re-planning every execution. Values that come from the
request (filters, the cursor position) stay bound parameters.

The cursor is wrapped by Django as usual, so the query is logged (`assertNumQueries`,
`connection.queries`, with its values written in) and passes through `execute_wrapper`s like
any other.

`DATABASE_PREPARED_STATEMENTS = False` (env `DATABASE_PREPARED_STATEMENTS=false`) turns it off,
e.g. behind a connection pooler in transaction mode that cannot keep prepared statements.
"""

import enum
import functools
import re
import sys
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import connections

from core.postgresql.base import read_timestamps_with_psycopg


def enabled() -> bool:
    return getattr(settings, "DATABASE_PREPARED_STATEMENTS", True)


@functools.cache
def _cursor_classes() -> tuple[type, type]:
    """The psycopg cursor that prepares, and Django's debug wrapper logging it."""
    import psycopg
    from django.db.backends.postgresql.base import CursorDebugWrapper
    from psycopg import _queries

    # psycopg turns a statement's placeholders into PostgreSQL's ($1, $2…) by parsing its text,
    # and keeps the result only for statements up to 4 KB: the pledge page's (~20 KB) was parsed
    # again on every request. Its texts are few (one per language and shape of filters).
    converted = functools.lru_cache(maxsize=256)(_queries._query2pg_nocache)

    class ConvertedOnce(_queries.PostgresQuery):
        def convert(self, query: Any, vars: Any) -> None:
            if vars is None or not isinstance(query, str | bytes):
                super().convert(query, vars)
                return
            self.query, self._want_formats, self._order, self._parts = converted(
                self._ensure_bytes(query), self._tx.encoding
            )
            self.dump(vars)

    class PreparingCursor(psycopg.Cursor):
        """Server-side binding; every statement executed is prepared."""

        _query_cls = ConvertedOnce

        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            return super().execute(query, params, prepare=True, **kwargs)

    class LoggedCursor(CursorDebugWrapper):
        """Logs the statement with its values written in, as Django logs its own queries
        (Django reads them back from a client-binding cursor, which this is not)."""

        def execute(self, sql: Any, params: Any = None) -> Any:
            with self.debug_sql(self.db.ops.compose_sql(sql, params)):
                return self._execute_with_wrappers(sql, params, many=False, executor=self._execute)

    return PreparingCursor, LoggedCursor


def _prepared_cursor(alias: str) -> Any:
    """A Django cursor (logged, wrapped) around a `PreparingCursor`."""
    connection = connections[alias]
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django turns psycopg's preparation off (None), which also ignores `prepare=True`.
        # Only server-side binding cursors ever prepare, and Django's own cursors bind on the
        # client: a threshold no count reaches leaves them as they are.
        raw.prepare_threshold = sys.maxsize
    connection.validate_thread_sharing()
    preparing, logged = _cursor_classes()
    cursor = preparing(raw)
    read_timestamps_with_psycopg(connection, cursor)  # as the backend's own cursors do
    if connection.queries_logged:
        return logged(cursor, connection)
    return connection.make_cursor(cursor)


PLACEHOLDER = re.compile(r"%[s%]")


def inline_constants(sql: str, params: Sequence[Any]) -> tuple[str, tuple[Any, ...]]:
    """`sql` with the enum-member parameters written in as literals, and the others."""
    if not any(isinstance(p, enum.Enum) for p in params):
        return sql, tuple(params)
    values = iter(params)
    kept: list[Any] = []

    def substitute(match: re.Match[str]) -> str:
        if match.group() == "%%":
            return "%%"
        value = next(values)
        if isinstance(value, enum.Enum):
            literal = value.value
            if isinstance(literal, bool) or not isinstance(literal, str | int):
                kept.append(value)
                return "%s"
            if isinstance(literal, int):
                return str(int(literal))
            return "'" + literal.replace("'", "''").replace("%", "%%") + "'"
        kept.append(value)
        return "%s"

    return PLACEHOLDER.sub(substitute, sql), tuple(kept)


def fetch_prepared(alias: str, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Every row of `sql` (Django's placeholders), executed as a prepared statement with the
    enum parameters inlined; as any other query when prepared statements are off."""
    if not enabled():
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    sql, params = inline_constants(sql, params)
    with _prepared_cursor(alias) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
