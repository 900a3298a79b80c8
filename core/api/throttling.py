"""Rate limits per API key, per signed-in user and per anonymous IP.

The rates and the callers' keys are DRF's (`SimpleRateThrottle`: `DEFAULT_THROTTLE_RATES`, the
client IP as DRF reads it). The counting is not: DRF keeps in the cache the list of every
request's time within the window and reads and writes it whole on every request, so its cost
grows with the rate (a key at 5,000 requests an hour: ~45 KB pickled, sent to Redis and back on
each request). `limits` (the library behind Flask-Limiter and SlowAPI) counts with the same
rule, a moving window over the last `duration` seconds, in one script call to the cache's Redis
a request, through the cache's own connections; a cache that is not Redis (the zero-setup demo)
gets an in-process store.

If the store is unreachable the request is let through: a throttle must not turn a Redis outage
into an API outage (issue 8).
"""

import time
from typing import Any

from django.core.cache import caches
from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from core.cache import RedisCache

# One limiter per cache (a test may point the cache elsewhere): keyed by its pool or by the
# cache itself, which the dict keeps alive, so an id is never reused for another.
_LIMITERS: dict[int, tuple[Any, MovingWindowRateLimiter]] = {}


def _limiter() -> MovingWindowRateLimiter:
    cache = caches["default"]
    pool = cache.connection_pool() if isinstance(cache, RedisCache) else None
    owner = cache if pool is None else pool
    known = _LIMITERS.get(id(owner))
    if known is None:
        storage: Storage = (
            MemoryStorage()
            if pool is None
            # The URI's scheme only picks the client (the pool says where). Keys under the
            # cache's prefix, so that whatever clears this cache's keys clears them too.
            else RedisStorage(
                "redis://", connection_pool=pool, key_prefix=cache.make_key("throttle")
            )
        )
        known = _LIMITERS[id(owner)] = (owner, MovingWindowRateLimiter(storage))
    return known[1]


class _MovingWindowThrottle(SimpleRateThrottle):
    """`num_requests` per `duration` seconds (DRF's parsed rate) for each `get_cache_key`."""

    num_requests: int  # set from the rate by SimpleRateThrottle.__init__
    duration: int
    _retry_after: float | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        item = RateLimitItemPerSecond(self.num_requests, self.duration)
        try:
            limiter = _limiter()
            if limiter.hit(item, key):
                return True
            reset_at = limiter.get_window_stats(item, key).reset_time
        except Exception:
            return True
        self._retry_after = max(reset_at - time.time(), 1.0)
        return False

    def wait(self) -> float | None:
        """Seconds until the oldest request counted leaves the window (`Retry-After`)."""
        return self._retry_after


class ApiKeyRateThrottle(_MovingWindowThrottle):
    """Requests made with an API key, counted per key (a user's keys are counted apart)."""

    scope = "api_key"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        key = request.auth
        if key is None or not hasattr(key, "prefix"):
            return None
        return self.cache_format % {"scope": self.scope, "ident": key.prefix}


class SessionUserRateThrottle(_MovingWindowThrottle):
    """Requests made from a signed-in browser session, counted per user."""

    scope = "user"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not request.user.is_authenticated or hasattr(request.auth, "prefix"):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AnonRateThrottle(_MovingWindowThrottle):
    """Anonymous requests, counted per client IP."""

    scope = "anon"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
