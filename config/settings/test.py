"""Test settings: the real PostgreSQL and Redis, never eager Celery."""

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .base import *  # noqa: F403
from .base import DATABASE_ENGINE, DATABASES, env

DATABASES["default"] = env.db(
    "DATABASE_URL",
    default="postgres://postgres@127.0.0.1:5432/compact_pledge_tracker",
    engine=DATABASE_ENGINE,
)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = 0
# A commit does not wait for its WAL to reach the disk: test data need not survive a crash of
# the server, and on the shared machine (other runs' bulk loads writing WAL) a commit waited
# ~10 ms instead of ~2-4 ms. The live-server, worker and migration tests commit thousands of
# times. What other sessions see is unchanged: a commit is visible as soon as it returns.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"

# pytest-xdist runs the suite in worker processes gw0, gw1, …, each on a test database of its own
# (pytest-django suffixes its name). Each also needs a Redis database of its own for the progress
# locks, named after objective ids that are equal in every worker's database: gwN takes the one
# N below REDIS_URL's (by default gw0 15 and gw1 14, which it shares with the cache's prefixed
# keys). Celery workers started by tests get the final URL, without PYTEST_XDIST_WORKER.
XDIST_WORKER = env("PYTEST_XDIST_WORKER", default="")
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/15")
if XDIST_WORKER:
    _url = urlsplit(REDIS_URL)
    _number = int(_url.path.strip("/") or 0) - int(XDIST_WORKER.removeprefix("gw"))
    REDIS_URL = urlunsplit(_url._replace(path=f"/{_number % 16}"))
# The cache gets a Redis database of its own: tests clear it between tests, which must not
# empty the Celery queues and the progress locks that live on REDIS_URL.
CACHES = {
    "default": {
        "BACKEND": "core.cache.RedisCache",
        "LOCATION": env("CACHE_URL", default="redis://127.0.0.1:6379/14"),
        # One prefix per test database and xdist worker, so that test runs side by side (several
        # checkouts on one machine, the workers of one run) never clear each other's keys: see
        # tests/conftest.py.
        "KEY_PREFIX": f"test-{DATABASES['default']['NAME']}{XDIST_WORKER}",
    }
}
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = False
# No routing by kind: a worker test puts every task on a queue of its own (tests/indicators'
# `task_queue` fixture), away from other runs' workers. tests/config/test_work_queues.py checks
# the production routes.
CELERY_TASK_ROUTES = {}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
# Each test makes its own reference data (a compact GCM of another id each time): values one
# test validated must not filter the next one's lists. tests/api/test_filter_reuse.py turns it on.
API_FILTER_REUSE_SECONDS = 0
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Attachments go to a directory of this test process's own (tests/conftest.py empties it at the
# end of the session); the S3 tests point the storage at a moto server themselves.
MEDIA_ROOT = Path(tempfile.gettempdir()) / f"cpt-test-media-{os.getpid()}"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT / "attachments", "base_url": None},
    },
}
# Never ask a clamd the test machine may happen to have (the scanner tests start their own).
CLAMD_SOCKET = CLAMD_HOST = ""
# Serve static files from the finders; tests never run collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Tests that need the recompute nudge (the end-to-end worker tests) turn it on; elsewhere it would
# only leave tasks in the shared Redis queue for a later worker to pick up.
PROGRESS_NUDGE_ENABLED = False

# Webhook tests send due deliveries by calling the service (or run their own worker).
WEBHOOKS_SEND_ON_COMMIT = False
