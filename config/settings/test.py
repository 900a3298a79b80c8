"""Test settings: the real PostgreSQL and Redis, never SQLite or eager Celery."""

from .base import *  # noqa: F403
from .base import DATABASES, env

DATABASES["default"] = env.db(
    "DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/compact_pledge_tracker"
)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = 0

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/15")
# The cache gets a Redis database of its own: tests clear it between tests, which must not
# empty the Celery queues and the progress locks that live on REDIS_URL.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("CACHE_URL", default="redis://127.0.0.1:6379/14"),
        # One prefix per test database, so that test runs side by side (several checkouts on
        # one machine) never clear each other's keys: see tests/conftest.py.
        "KEY_PREFIX": f"test-{DATABASES['default']['NAME']}",
    }
}
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = False

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files from the finders; tests never run collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Tests that need the recompute nudge (the end-to-end worker tests) turn it on; elsewhere it would
# only leave tasks in the shared Redis queue for a later worker to pick up.
PROGRESS_NUDGE_ENABLED = False
