"""Read replicas: PostgreSQL streaming replicas serve the public reads of web requests.

With `DATABASE_REPLICA_URLS` set (settings add one alias per URL, `replica_0`, `replica_1`, …, in
`DATABASE_REPLICAS`), `ReplicaRouterMiddleware` picks a replica for each request that only reads
and `ReplicaRouter` sends that request's ORM reads to it. Everything else stays on the primary
(`default`):

- writes, and every query inside a transaction (`atomic`), whatever the request;
- the whole of an unsafe request (POST, PUT, PATCH, DELETE), and every request of the same browser
  for `DATABASE_READ_YOUR_WRITES_SECONDS` after one (read-your-writes: the middleware sets a short
  cookie, so someone who just submitted a form sees it, even before the replica has replayed it);
- work outside requests (Celery tasks, management commands): no replica is chosen for them;
- requests when no replica is healthy: a replica that does not answer, or whose replay lags the
  primary by more than `DATABASE_REPLICA_MAX_LAG_SECONDS`, is left out. Its state is checked at
  most every `DATABASE_REPLICA_CHECK_SECONDS` per process (`pg_last_xact_replay_timestamp()`).

Without `DATABASE_REPLICA_URLS` nothing changes: no alias, no cookie, no check.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

logger = logging.getLogger(__name__)

# The replica alias the current request reads from, or None (the primary).
_read_alias: ContextVar[str | None] = ContextVar("cpt_read_alias", default=None)

RECENT_WRITE_COOKIE = "cpt_rw"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# A replica that has replayed everything it received is current, however long ago the primary's
# last write was; otherwise its lag is the age of the last transaction it replayed.
LAG_SQL = """
    SELECT CASE
        WHEN NOT pg_is_in_recovery() THEN NULL
        WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
        ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
    END
"""

_status_lock = threading.Lock()
_status: dict[str, tuple[float, bool]] = {}  # alias: (checked at, usable)


def replica_aliases() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", []))


def replica_lag(alias: str) -> float | None:
    """Seconds the replica `alias` lags its primary (0 when current); None if not a replica."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(LAG_SQL)
        (lag,) = cursor.fetchone()
    return None if lag is None else float(lag)


def _check(alias: str) -> bool:
    try:
        lag = replica_lag(alias)
    except DatabaseError as error:
        logger.warning("Read replica %s is unavailable: %s", alias, error)
        connections[alias].close()
        return False
    limit = settings.DATABASE_REPLICA_MAX_LAG_SECONDS
    if lag is None or lag > limit:
        logger.warning("Read replica %s is left out: lag %s s (limit %s s)", alias, lag, limit)
        return False
    return True


def replica_usable(alias: str) -> bool:
    """Whether `alias` answers and is current enough, checked at most every few seconds."""
    now = time.monotonic()
    with _status_lock:
        checked = _status.get(alias)
    if checked and now - checked[0] < settings.DATABASE_REPLICA_CHECK_SECONDS:
        return checked[1]
    usable = _check(alias)
    with _status_lock:
        _status[alias] = (time.monotonic(), usable)
    return usable


def forget_replica_status() -> None:
    """Check every replica afresh on next use (tests, and after a failover)."""
    with _status_lock:
        _status.clear()


def choose_replica() -> str | None:
    """A usable replica, chosen at random among the usable ones; None when there is none."""
    aliases = replica_aliases()
    random.shuffle(aliases)
    for alias in aliases:
        if replica_usable(alias):
            return alias
    return None


@contextmanager
def reading_from(alias: str | None) -> Iterator[None]:
    """Route the ORM reads made inside the block to `alias` (None: the primary)."""
    token = _read_alias.set(alias)
    try:
        yield
    finally:
        _read_alias.reset(token)


def _streamed_from(alias: str, content: Iterator[Any]) -> Iterator[Any]:
    chunks = iter(content)
    while True:
        with reading_from(alias):
            try:
                chunk = next(chunks)
            except StopIteration:
                return
        yield chunk


class ReplicaRouter:
    """Reads of a read-only request go to its replica; everything else to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        alias = _read_alias.get()
        if alias is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return alias

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the same data, wherever it was read

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


class ReplicaRouterMiddleware:
    """Chooses where the request reads (see the module's docstring) and, after an unsafe
    request, marks the browser as having written (the read-your-writes cookie)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_aliases():
            return self.get_response(request)
        safe = request.method in SAFE_METHODS
        alias = None
        if safe and RECENT_WRITE_COOKIE not in request.COOKIES:
            alias = choose_replica()
        with reading_from(alias):
            response = self.get_response(request)
        if alias is not None and isinstance(response, StreamingHttpResponse):
            # A streamed body (the exports) is read while the server sends it, after this returns.
            response.streaming_content = _streamed_from(alias, response.streaming_content)
        if not safe:
            response.set_cookie(
                RECENT_WRITE_COOKIE,
                "1",
                max_age=settings.DATABASE_READ_YOUR_WRITES_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
