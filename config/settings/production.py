"""Production: refuses to start without a real secret key; passes `check --deploy` cleanly.

Runs behind a reverse proxy (docs/security.md, "Headers"): the proxy sets `X-Forwarded-Proto`
and puts the client address last in `X-Forwarded-For` (the docker-compose stack's nginx,
deploy/nginx.conf, replaces the header outright). TRUSTED_PROXY_COUNT must match the proxies.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY", default="")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("insecure") or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "Set SECRET_KEY to a random value of at least 50 characters, e.g. "
        "`python -c 'import secrets; print(secrets.token_urlsafe(64))'`."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Behind a TLS-terminating reverse proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# One year, subdomains included: the tracker owns its host name, and nothing under it may be
# served over plain HTTP. `preload` only states consent: nothing happens until someone submits
# the (apex) domain to the browsers' preload list, which docs/security.md leaves to the operator.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# The client's address for per-IP limits (log-in guessing, anonymous API rate): the right-most
# TRUSTED_PROXY_COUNT entries of X-Forwarded-For were added by our proxies; anything left of
# them the client could forge. 0 when the app is reached directly.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    # JSON for programs, /api/docs/ for people: no browsable API (its HTML forms and the
    # templates behind them are more surface than a partner API needs). The CSV and XLSX
    # exports add their renderers per view (core/api/exports.py).
    "DEFAULT_RENDERER_CLASSES": ["core.api.renderers.JSONRenderer"],
}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
