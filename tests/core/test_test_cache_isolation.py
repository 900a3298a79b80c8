"""The test suite's cache clearing stays within this run's keys: the xdist workers share one
Redis database (each with a key prefix of its own), and a `cache.clear()` in one worker emptied
the other's cache in the middle of a query-count test (a clean-clone run counted 15 queries
against 14)."""

import redis
from django.conf import settings
from django.core.cache import cache

from tests.caching import clear_run_cache


def test_clearing_the_cache_keeps_the_keys_of_other_runs_and_workers() -> None:
    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    try:
        client.set("another-worker:1:facets", b"kept", ex=60)
        cache.set("facets", "gone")

        clear_run_cache()

        assert cache.get("facets") is None
        assert client.get("another-worker:1:facets") == b"kept"
    finally:
        client.delete("another-worker:1:facets")
        client.close()
