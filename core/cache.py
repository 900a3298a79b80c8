"""Django's Redis cache, with one redis-py client per connection pool.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every cache call, and each
builds its table of ~170 response callbacks: ~0.1–0.4 ms a call, paid twice by every API request
(the anonymous rate throttle's get and set), more than the round trip to Redis itself. A redis-py
client is safe to share (each command borrows a connection from the pool), so the client of each
pool is built once per process and reused.
"""

from typing import Any

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # Django's, not in the stubs
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]  # as above
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    def connection_pool(self) -> Any:
        """The redis-py connection pool of this cache's writes, for other clients of the same
        Redis (the API's rate limits), so that they share its connections and timeouts."""
        return self._cache._get_connection_pool(write=True)  # type: ignore[attr-defined]  # Django's, not in the stubs
