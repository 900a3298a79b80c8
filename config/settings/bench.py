"""Benchmark settings (`make bench`): production-like, on a database of the benchmark's own.

Like production (DEBUG off, persistent connections, Redis cache) but with rate limits raised far
above what the load generator sends, so that throttling never shapes the measured throughput, and
a bench-only URL configuration that adds the bare baseline views next to the real ones.
"""

import warnings

from .base import *  # noqa: F403
from .base import DATABASE_ENGINE, DATABASES, REST_FRAMEWORK, STORAGES, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY", default="insecure-bench-key-not-for-production")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "config.bench_urls"

DATABASES["default"] = env.db(
    "BENCH_DATABASE_URL",
    default="postgres://postgres@127.0.0.1:5432/cpt_benchdata",
    engine=DATABASE_ENGINE,
)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = 600
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

REDIS_URL = env("BENCH_REDIS_URL", default="redis://127.0.0.1:6379/6")
CACHES = {
    "default": {
        "BACKEND": "core.cache.RedisCache",
        "LOCATION": env("BENCH_CACHE_URL", default="redis://127.0.0.1:6379/7"),
        "KEY_PREFIX": "bench",
    }
}
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = False
# The benchmark recomputes progress itself; a nudge would only queue tasks nobody runs.
PROGRESS_NUDGE_ENABLED = False

# Throttles stay installed (their Redis round trip is part of the real cost) but their limits are
# far above anything the load generator can send, so no request is ever refused with 429.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        "api_key": "100000000/hour",
        "user": "100000000/hour",
        "anon": "100000000/hour",
    },
}

# Request logs would cost more than some of the views measured.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
STORAGES = {
    **STORAGES,  # the attachments' storage as base.py chose it
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# No collectstatic for a benchmark: the files come from the finders, so WhiteNoise's warning about
# the missing STATIC_ROOT is noise in the output.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
