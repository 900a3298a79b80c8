"""A token that changes whenever progress snapshots are written, so that pages built from
snapshots (the dashboard) can be cached and dropped from the cache the moment figures change.

The token lives in the cache itself: no query per request. If the cache is unreachable the
token is None and callers simply do not cache (a Redis outage must not break the dashboard).
"""

import logging
import uuid

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

KEY = "progress:snapshot-version"


def current() -> str | None:
    """The current token (created on first use), or None when the cache is down."""
    try:
        token = cache.get(KEY)
        if token is None:  # first use, or the cache was emptied: any new token will do
            cache.add(KEY, uuid.uuid4().hex, timeout=None)
            token = cache.get(KEY)
        return token
    except Exception:
        logger.warning("Cache unreachable: snapshot pages are served uncached", exc_info=True)
        return None


def bump_on_commit() -> None:
    """Give the snapshots a new token once the transaction that wrote them commits."""
    transaction.on_commit(_bump)


def _bump() -> None:
    try:
        cache.set(KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        # Cached pages then live until their short timeout: stale for seconds, never wrong for long.
        logger.warning("Cache unreachable: could not invalidate snapshot pages", exc_info=True)
