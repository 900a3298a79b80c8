"""Settings shared by every environment, read from environment variables (twelve-factor).

`local`, `test` and `production` only override what differs. PostgreSQL is the only database:
`make run` starts an embedded one (scripts/embedded_db.py) and passes its `DATABASE_URL`; with none
set the app expects a local server. With no `REDIS_URL` Celery tasks run inline: that is the
zero-setup demo default and nothing else relies on it.
"""

from pathlib import Path
from typing import Any

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="insecure-dev-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    # Before the admin, so that translated fields get their per-language admin widgets.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_htmx",
    "csp",
    "corsheaders",
    # Project apps, lowest layer first (see README, "Architecture").
    "core",
    "changefeed",
    "accounts",
    # Below the domain apps: it knows users and addresses, never pledges.
    "notifications",
    "compacts",
    "forums",
    "pledges",
    "matching",
    "partnerships",
    "goals",
    "followup",
    "resources",
    "indicators",
    "dashboards",
    "reports",
    "imports",
    "webhooks",
    "attachments",
    "conversations",
    "reminders",
    "datapackages",
    "bootstrap",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Compresses what every later middleware and the view produce (API and exports only).
    "core.middleware.ApiCompressionMiddleware",
    # Before anything that may answer early, so that those answers carry CORS headers too.
    "core.middleware.ReadOnlyCorsMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
    "core.middleware.NulBytePathMiddleware",
    # Chooses the database the request reads from (no-op without DATABASE_REPLICA_URLS).
    "config.db_router.ReplicaRouterMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# Django's PostgreSQL backend, reading timestamps with psycopg's C loader (core/postgresql/).
DATABASE_ENGINE = "core.postgresql"
DATABASES = {
    "default": env.db(
        "DATABASE_URL",
        default="postgres://postgres@127.0.0.1:5432/compact_pledge_tracker",
        engine=DATABASE_ENGINE,
    ),
}
# Services own their transactions (each write is atomic where it happens): no implicit
# per-request transaction.
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: re-connecting per request halves throughput
# (measured: docs/performance.md).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Hot API queries run as server-side prepared statements (core/api/prepared.py): PostgreSQL plans
# them once per connection. Turn off behind a pooler that cannot keep prepared statements.
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
# Read replicas (config/db_router.py): streaming replicas of DATABASE_URL, comma-separated URLs.
# Requests that only read use one; writes, transactions, work outside requests and a browser's
# requests for a few seconds after it wrote stay on the primary. A replica that does not answer
# or lags more than DATABASE_REPLICA_MAX_LAG_SECONDS is left out (checked every few seconds).
DATABASE_REPLICAS: list[str] = []
for _number, _url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[])):
    _alias = f"replica_{_number}"
    DATABASES[_alias] = env.db_url_config(_url, engine=DATABASE_ENGINE)
    DATABASES[_alias].update(
        ATOMIC_REQUESTS=False,
        CONN_MAX_AGE=DATABASES["default"]["CONN_MAX_AGE"],
        CONN_HEALTH_CHECKS=True,
        # Tests read the primary's test database through it: a replica holds the same data.
        TEST={"MIRROR": "default"},
    )
    DATABASE_REPLICAS.append(_alias)
DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"] if DATABASE_REPLICAS else []
DATABASE_REPLICA_MAX_LAG_SECONDS = env.float("DATABASE_REPLICA_MAX_LAG_SECONDS", default=10.0)
DATABASE_REPLICA_CHECK_SECONDS = env.float("DATABASE_REPLICA_CHECK_SECONDS", default=5.0)
DATABASE_READ_YOUR_WRITES_SECONDS = env.int("DATABASE_READ_YOUR_WRITES_SECONDS", default=10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A review reason (up to the forms' REASON_MAX_LENGTH) is the history entry's change reason: keep it
# whole instead of simple-history's default 100-character column.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

AUTH_USER_MODEL = "accounts.User"
# Accounts can publish pledges in a State's name: 12 characters at least (NIST SP 800-63B's
# advice is length over composition rules), not one of the 20,000 most common, not all digits,
# not close to the person's e-mail or name. See docs/security.md, "Login protection".
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "pledges:my-pledges"
# django-allauth: e-mail is the login; sign-up confirms the address before first login.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}  # asks for the full name too
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
# Password guessing (docs/security.md): after 5 wrong passwords for one account in 15 minutes
# that account's log-in is refused, even with the right password, until the window passes (no
# permanent lock-out an attacker could use to shut a reviewer out for good); one IP address may
# fail 20 times an hour whichever accounts it tries, which stops spraying one common password
# over many accounts, except from a browser that has logged in as the account typed
# (accounts/adapter.py: an office behind one address is not shut out by one guesser). No limit
# on log-ins as such: it would refuse right passwords from a busy shared address. Counters live
# in the cache (Redis), so they hold across workers.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# A colleague on a new browser behind an address that is being sprayed (see accounts/adapter.py)
# still gets in: a sign-in code e-mailed to the account proves it without a password guess.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_RATE_LIMITS = {
    "login_failed": env("LOGIN_FAILED_RATE", default="5/15m/key"),
    "login_failed_ip": env("LOGIN_FAILED_IP_RATE", default="20/h/ip"),
    "login": "",
    "signup": "20/h/ip",
    "reset_password": "20/h/ip,5/h/key",
}

# Internationalisation: the six official UN languages. Pages carry their language in the URL
# (`/fr/…`; English unprefixed), the API follows Accept-Language (core.middleware).
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("ar", _("Arabic")),
    ("zh-hans", _("Chinese")),
    ("en", _("English")),
    ("fr", _("French")),
    ("ru", _("Russian")),
    ("es", _("Spanish")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Reference data (objective titles, forum names, countries…) has one column per language
# (`title_fr`, `title_zh_hans`); `objective.title` answers in the active language, else English.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))


def attachment_storage(media_root: Path) -> dict[str, Any]:
    """Where attachments are kept (the `attachments` storage): any S3-compatible object store
    when S3_BUCKET is set (django-storages' S3Storage: private objects, never overwritten, read
    back only through the app's download view), else the local filesystem under
    MEDIA_ROOT/attachments, which no URL serves."""
    bucket = env("S3_BUCKET", default="")
    if not bucket:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media_root / "attachments", "base_url": None},
        }
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": env("S3_ENDPOINT_URL", default="") or None,
            "region_name": env("S3_REGION", default="") or None,
            "access_key": env("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env("S3_PREFIX", default="attachments"),
            "addressing_style": env("S3_ADDRESSING_STYLE", default="") or None,
            "default_acl": None,  # the bucket's (private) policy, no public-read ACL
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "attachments": attachment_storage(MEDIA_ROOT),
}

# Attachments on pledges and progress updates (attachments app, README "Attachments").
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=25 * 1024 * 1024)
ATTACHMENT_MAX_PER_RECORD = env.int("ATTACHMENT_MAX_PER_RECORD", default=10)
# The virus scanner: a dotted path to a callable(file) -> attachments.scanning.Verdict, run on
# every upload before it is stored. The default asks ClamAV's clamd (INSTREAM) when CLAMD_SOCKET
# or CLAMD_HOST is set and passes every file when neither is.
ATTACHMENT_SCANNER = env("ATTACHMENT_SCANNER", default="attachments.scanning.clamd_scan")
CLAMD_SOCKET = env("CLAMD_SOCKET", default="")
CLAMD_HOST = env("CLAMD_HOST", default="")
CLAMD_PORT = env.int("CLAMD_PORT", default=3310)
CLAMD_TIMEOUT = env.float("CLAMD_TIMEOUT", default=60.0)
# The largest file a library resource may carry (resources.services).
RESOURCE_FILE_MAX_BYTES = env.int("RESOURCE_FILE_MAX_BYTES", default=25 * 1024 * 1024)

# E-mail: console by default, SMTP (or any backend django-environ knows) from EMAIL_URL.
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Compact Pledge Tracker <noreply@localhost>")

# Redis backs the cache and the Celery broker. Without it (the zero-setup demo) the cache is
# in-process and Celery runs tasks inline.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that silently drops packets must cost a second, not the OS's connect
            # timeout, on every cache call (pages keep working without the cache).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 15 * 60
CELERY_TASK_TIME_LIMIT = 20 * 60
# A task unacknowledged this long (its worker died) is delivered again; it must stay above the
# task time limit, or a slow but healthy run would be started twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=1500),
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}  # filled in below, once the progress settings exist
# Work queues by kind (docs/operations.md, "Scaling out"), so that each can get workers of its own:
# a long import or bulk-data build never holds up progress figures or webhook deliveries. Tasks
# are routed by name (glob patterns, first match wins); anything else goes to the default queue
# `celery`. A worker started without -Q consumes every queue below; `-Q progress` only that one.
CELERY_WORKER_QUEUES = ["celery", "progress", "mail", "webhooks", "imports", "bulk"]
CELERY_TASK_QUEUES = [Queue(q, Exchange(q), routing_key=q) for q in CELERY_WORKER_QUEUES]
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "indicators.*": {"queue": "progress"},
    "mail.*": {"queue": "mail"},
    "*.send_*mail*": {"queue": "mail"},
    "webhooks.*": {"queue": "webhooks"},
    "imports.*": {"queue": "imports"},
    "*data_package*": {"queue": "bulk"},
    "bulk.*": {"queue": "bulk"},
}

# The progress engine (indicators). Weights: docs/progress.md.
PROGRESS_STATUS_WEIGHTS = {
    "fulfilled": "1",
    "in_progress": "0.5",
    "planning": "0.1",
    "not_started": "0",
    "discontinued": "0",
}
PROGRESS_COMPONENT_WEIGHTS = {
    "implementation": "0.4",
    "money": "0.2",
    "targets": "0.2",
    "indicators": "0.2",
}
# The composite score is the tracker's own measure (no official body publishes one): a
# deployment may keep it off its pages, API and exports. The engine still computes it.
# docs/progress.md, "What is official and what the tracker computes".
TRACKER_COMPOSITE_SCORE = env.bool("TRACKER_COMPOSITE_SCORE", default=True)
# A published pledge with no approved update for two reporting cycles is overdue.
REPORTING_CYCLE_MONTHS = env.int("REPORTING_CYCLE_MONTHS", default=6)
PROGRESS_RECOMPUTE_DELAY_SECONDS = env.int("PROGRESS_RECOMPUTE_DELAY_SECONDS", default=5)
PROGRESS_NUDGE_ENABLED = True
# A run's Redis locks expire this long after its last heartbeat (it renews them every third of
# it): how long a killed worker keeps its objectives from the 30 s sweep, and how soon the Jobs
# page calls its run abandoned. Independent of the visibility timeout above: no redelivery needed.
PROGRESS_LOCK_SECONDS = env.int("PROGRESS_LOCK_SECONDS", default=60)
# Beat: a sweep for marks whose nudge was lost (Redis briefly down), and a nightly full recompute
# so that date-driven figures (overdue pledges, the day's snapshot) move even on quiet days.
CELERY_BEAT_SCHEDULE.update(
    {
        "sweep-stale-progress": {
            "task": "indicators.recompute_stale_progress",
            "schedule": 30.0,
            "kwargs": {"triggered_by": "periodic sweep"},
            # A sweep still queued when the next is due is dropped: a stopped worker must not
            # come back to a backlog of identical sweeps.
            "options": {"expires": 25},
        },
        "recompute-all-progress-nightly": {
            "task": "indicators.recompute_all_progress",
            "schedule": crontab(hour=2, minute=30),  # CELERY_TIMEZONE is UTC
            "kwargs": {"triggered_by": "nightly schedule"},
        },
    }
)

# Partner webhooks (webhooks app; README, "For partners"). After a failed delivery it is tried
# again after each of these delays in turn (seconds; Standard Webhooks' suggested schedule: 5 s,
# 5 min, 30 min, 2 h, 5 h, 10 h, 10 h — just over a day), then given up. A subscription whose
# deliveries have all failed for WEBHOOKS_PAUSE_AFTER_SECONDS is paused and its owner e-mailed.
WEBHOOKS_RETRY_SCHEDULE = [
    float(s)
    for s in env.list("WEBHOOKS_RETRY_SCHEDULE", default=[5, 300, 1800, 7200, 18000, 36000, 36000])
]
WEBHOOKS_PAUSE_AFTER_SECONDS = env.int("WEBHOOKS_PAUSE_AFTER_SECONDS", default=24 * 3600)
WEBHOOKS_TIMEOUT_SECONDS = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=10.0)
# After a secret rotation the old secret signs too (two signatures per request) this long.
WEBHOOKS_SECRET_OVERLAP_HOURS = env.int("WEBHOOKS_SECRET_OVERLAP_HOURS", default=24)
# Targets resolving to private, loopback or link-local addresses are refused (no SSRF into the
# deployment's network) unless this is on: development and the tests' loopback receiver only.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=False)
# Queue a delivery task as soon as an event is recorded (the tests send due deliveries
# themselves instead of leaving tasks in the shared Redis queue).
WEBHOOKS_SEND_ON_COMMIT = True
WEBHOOKS_SWEEP_SECONDS = env.float("WEBHOOKS_SWEEP_SECONDS", default=15.0)
CELERY_BEAT_SCHEDULE["send-due-webhooks"] = {
    "task": "webhooks.send_due_webhooks",
    "schedule": WEBHOOKS_SWEEP_SECONDS,
    "options": {"expires": WEBHOOKS_SWEEP_SECONDS},
}
# The site's address, for the absolute links in e-mails (no request exists in a Celery task).
SITE_URL = env("SITE_URL", default="http://localhost:8000")
# Reminders of progress reports (reminders app; the due date follows the overdue rule above):
# this many days before a pledge becomes overdue, on the day it does, and every this many months
# while it stays overdue (0: no repeats). Checked daily; the secretariat's digest goes weekly.
REMINDER_DAYS_BEFORE_DUE = env.int("REMINDER_DAYS_BEFORE_DUE", default=14)
REMINDER_REPEAT_MONTHS = env.int("REMINDER_REPEAT_MONTHS", default=1)
CELERY_BEAT_SCHEDULE.update(
    {
        "send-progress-reminders-daily": {
            "task": "reminders.send_due_reminders",
            "schedule": crontab(hour=7, minute=0),
        },
        "send-overdue-digest-weekly": {
            "task": "reminders.send_overdue_digest",
            "schedule": crontab(hour=7, minute=30, day_of_week=1),
        },
    }
)
# Bulk data (datapackages): the whole public dataset as a Frictionless Data Package, written
# nightly to the default storage (`manage.py build_data_package` writes one now); the newest
# DATA_PACKAGE_KEEP packages are kept. DATA_PACKAGE_HOMEPAGE goes into `datapackage.json`.
DATA_PACKAGE_KEEP = env.int("DATA_PACKAGE_KEEP", default=7)
DATA_PACKAGE_HOMEPAGE = env("DATA_PACKAGE_HOMEPAGE", default="")
CELERY_BEAT_SCHEDULE["build-data-package-nightly"] = {
    "task": "datapackages.build_data_package",
    "schedule": crontab(hour=3, minute=30),  # after the nightly recompute (02:30 UTC)
}

# CORS (django-cors-headers, core.middleware.ReadOnlyCorsMiddleware): any origin may READ the
# API (GET, HEAD, OPTIONS), without credentials (no cookies: API keys are sent explicitly);
# writes never get CORS headers. The headers a sync needs are exposed to scripts.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Link", "Retry-After", "Content-Disposition"]
CORS_PREFLIGHT_MAX_AGE = 86400

# The public pledge browser counts a facet's options only when at most this many pledges match the
# other filters (checked with a count that stops at the limit); above it the options are shown
# without counts, so a page never counts hundreds of thousands of pledges (issue #7).
PLEDGE_FACET_COUNT_LIMIT = env.int("PLEDGE_FACET_COUNT_LIMIT", default=10_000)
# The API's `?count=true` counts the filtered rows up to this many, by the same rule.
API_COUNT_LIMIT = env.int("API_COUNT_LIMIT", default=PLEDGE_FACET_COUNT_LIMIT)
# A worker reuses the values it validated for the same filter parameters of a list this long
# (core.api.filters.LeanFilterSet.is_valid): reference data removed may filter that much longer.
API_FILTER_REUSE_SECONDS = env.int("API_FILTER_REUSE_SECONDS", default=60)

# The partner API (/api/v1/). Reads of published data are open; everything else needs a signed-in
# session or an API key. Rates are per API key / per signed-in user / per anonymous IP.
REST_FRAMEWORK = {
    # API keys first: DRF takes its 401 challenge (WWW-Authenticate: Bearer) from the first class.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "core.api.filters.StrictFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        # DRF's JSON, byte for byte, encoded by orjson (several times faster on large pages).
        "core.api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "core.api.throttling.ApiKeyRateThrottle",
        "core.api.throttling.SessionUserRateThrottle",
        "core.api.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_key": env("API_RATE_PER_KEY", default="5000/hour"),
        "user": env("API_RATE_PER_USER", default="2000/hour"),
        "anon": env("API_RATE_ANON", default="500/hour"),
    },
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    # Bounded by DATA_UPLOAD_MAX_MEMORY_SIZE (413) and answering 400 to over-deep JSON.
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.JSONParser",
        "core.api.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Documents the shared error answers (400/404/409/412/429…) on every operation.
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.ApiAutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# The document is read in the caller's language (core.api.openapi.SchemaView). The title stays
# a plain string here (drf-spectacular names the downloaded file after it, the same ASCII name in
# every language; and calling gettext_noop while settings load would read the settings being
# loaded): `core.api.openapi.translate_title` translates it in the document.
SPECTACULAR_SETTINGS = {
    "TITLE": "Compact Pledge Tracker API",
    "DESCRIPTION": _(
        "Pledges under the Global Compact on Refugees and the Global Compact for Migration, "
        "their progress updates, the compacts' objectives and forums, indicators and computed "
        "progress. Anonymous callers see published data; send `Authorization: Bearer <key>` "
        "(create keys on the API keys page) to act for your entities."
    ),
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.openapi.translate_title",
        "core.api.openapi.add_links",
    ],
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets used under several field names (or sharing a field name with another set)
    # get one stable component name each.
    "ENUM_NAME_OVERRIDES": {
        "TargetUnitEnum": "pledges.models.TargetUnit",
        "IndicatorUnitEnum": "indicators.models.IndicatorUnit",
        "ImplementationStatusEnum": "pledges.models.ImplementationStatus",
        "MspStatusEnum": "partnerships.models.MspStatus",
        # The site's languages are the six UN languages: one enum for pledges and documents.
        "LanguageEnum": "followup.models.UnLanguage",
        "WebhookEventTypeEnum": "webhooks.models.EventType",
        "FeedResourceEnum": "changefeed.models.Resource",
        "FeedChangeEnum": "changefeed.models.Action",
        "RemovalReasonEnum": "changefeed.models.RemovalReason",
    },
}

# Content-Security-Policy (django-csp 4): only our own scripts, styles and images; no inline
# script or style, no eval, no framing, forms post only to us. Pages load every script and style
# from /static/ (templates have no inline <script>, style= or on* attributes: the browser test in
# tests/security/ records every violation). docs/security.md explains each directive.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
