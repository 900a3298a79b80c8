"""Operational endpoints."""

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

UP, DOWN, NOT_CONFIGURED = "ok", "down", "not configured"


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return DOWN  # Django drops the broken connection when the request finishes
    return UP


def _check_redis() -> str:
    if not settings.REDIS_URL:
        return NOT_CONFIGURED
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        return DOWN
    finally:
        client.close()
    return UP


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Readiness for load balancers, with each backend reported on its own.

    Only the database decides the status code: without Redis the site still serves pages, the
    API and writes (the cache and throttles let requests through, stale marks wait in the
    database), so taking the instance out of rotation would turn a degraded service into none.
    Monitoring should still alert on `"redis": "down"` (`"status": "degraded"`)."""
    checks = {"database": _check_database(), "redis": _check_redis()}
    if checks["database"] != UP:
        status, code = "error", 503
    elif checks["redis"] == DOWN:
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    response = JsonResponse({"status": status, "checks": checks}, status=code)
    if code == 503:
        response["Retry-After"] = "30"
    return response
