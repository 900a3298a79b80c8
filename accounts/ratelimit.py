"""allauth's rate limits (log-in, sign-up, password reset) count in the cache. With Redis down
they must let people in rather than answer 500 (README: writes work with Redis down), as the API
throttles do (core/api/throttling.py).

allauth reads and writes its counters through the module-level `cache` of
`allauth.core.internal.ratelimit`; `install()` swaps it for `ForgivingCache`, which answers as if
every counter were empty when the cache fails: the lock is taken, nothing has been counted, so
the request is allowed. While Redis is down nothing is counted, so the per-account lock-out and
the per-IP limits lapse; docs/security.md says what still stands.
"""

import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache as default_cache
from django.core.signals import setting_changed

logger = logging.getLogger(__name__)


class ForgivingCache:
    """The default cache, with every failure answered as "nothing counted yet". After a failure
    the cache is left alone for `pause` seconds: a Redis that drops packets costs its one-second
    timeout once, not on each of the dozen calls a log-in makes."""

    def __init__(self, cache: Any, pause: float = 5.0) -> None:
        self._cache = cache
        self._pause = pause
        self._down_until = 0.0

    def _call(self, operation: str, key: str, call: Callable[[], Any], fallback: Any) -> Any:
        if time.monotonic() < self._down_until:
            return fallback
        try:
            return call()
        except Exception:
            self._down_until = time.monotonic() + self._pause
            logger.warning(
                "Cache unreachable (%s %s): log-in rate limit not applied for %ss",
                operation,
                key,
                self._pause,
                exc_info=True,
            )
            return fallback

    def reset(self, **kwargs: Any) -> None:
        self._down_until = 0.0

    def add(self, key: str, value: Any, timeout: Any = None) -> bool:
        # allauth's lock: "taken" when the cache is down, so the caller goes on.
        return bool(self._call("add", key, lambda: self._cache.add(key, value, timeout), True))

    def get(self, key: str, default: Any = None) -> Any:
        return self._call("get", key, lambda: self._cache.get(key, default), default)

    def set(self, key: str, value: Any, timeout: Any = None) -> None:
        self._call("set", key, lambda: self._cache.set(key, value, timeout), None)

    def delete(self, key: str) -> None:
        self._call("delete", key, lambda: self._cache.delete(key), None)


def install() -> None:
    from allauth.core.internal import ratelimit

    if not isinstance(ratelimit.cache, ForgivingCache):
        ratelimit.cache = ForgivingCache(default_cache)
        # Another cache configuration (tests switch Redis off and on) starts with no pause.
        setting_changed.connect(ratelimit.cache.reset, dispatch_uid="accounts.ratelimit.reset")
