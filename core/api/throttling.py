"""Rate limits per API key and per anonymous IP, counted in the cache (Redis in production).

If the cache is unreachable the request is let through: a throttle must not turn a Redis outage
into an API outage (issue 8).
"""

from typing import Any

from django.core.cache import cache as default_cache
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle


class _ForgivingThrottle(SimpleRateThrottle):
    cache = default_cache

    def allow_request(self, request: Request, view: Any) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception:
            return True


class ApiKeyRateThrottle(_ForgivingThrottle):
    """Requests made with an API key, counted per key (a user's keys are counted apart)."""

    scope = "api_key"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        key = request.auth
        if key is None or not hasattr(key, "prefix"):
            return None
        return self.cache_format % {"scope": self.scope, "ident": key.prefix}


class SessionUserRateThrottle(_ForgivingThrottle):
    """Requests made from a signed-in browser session, counted per user."""

    scope = "user"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not request.user.is_authenticated or hasattr(request.auth, "prefix"):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AnonRateThrottle(_ForgivingThrottle):
    """Anonymous requests, counted per client IP."""

    scope = "anon"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
