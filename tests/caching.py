"""Emptying the cache in tests without touching anyone else's keys."""

import redis
from django.conf import settings
from django.core.cache import cache


def clear_run_cache(client: redis.Redis | None = None) -> None:
    """Delete this run's cache keys (this test database's and xdist worker's prefix) only, through
    `client` or a connection of its own. `cache.clear()` flushes the whole Redis database, which
    the other workers of the run and other runs on the server share."""
    own = client is None
    client = client or redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    try:
        keys = list(client.scan_iter(match=cache.make_key("*"), count=1000))
        if keys:
            client.delete(*keys)
    finally:
        if own:
            client.close()
