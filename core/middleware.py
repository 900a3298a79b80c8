"""Cross-cutting request handling."""

import logging
from collections.abc import Callable
from typing import Any

from compression_middleware.middleware import CompressionMiddleware
from corsheaders.middleware import CorsMiddleware
from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.loader import render_to_string
from django.urls import is_valid_path
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header

logger = logging.getLogger(__name__)

# Errors that mean "the database cannot be reached right now", not "the code is wrong": a refused
# or dropped connection, a server shutting down, a failover. IntegrityError, ProgrammingError and
# the like stay real 500s, because retrying would not help.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
_FLAG = "_cpt_database_unavailable"


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 answer: the API's one error shape under /api/, a plain page elsewhere.

    Neither touches the database (no session, no user, no context processors), since it is the
    thing that is down."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {
                "status": 503,
                "code": "service_unavailable",
                "detail": _(
                    "The database is unavailable for a moment; nothing was changed. "
                    "Try again shortly."
                ),
                "errors": {},
            },
            status=503,
        )
    else:
        html = render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _flag_unavailable_database(
    sender: Any, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Django turns an exception in any inner middleware into a 500 before it reaches us; this
    receiver (called with the exception being handled) marks the request so that `__call__`
    can swap that 500 for a 503."""
    import sys

    error = sys.exc_info()[1]
    if request is not None and isinstance(error, UNAVAILABLE_ERRORS):
        setattr(request, _FLAG, True)


got_request_exception.connect(_flag_unavailable_database, dispatch_uid="cpt-database-unavailable")


class DatabaseUnavailableMiddleware:
    """Turns a database outage into a clear 503 page or JSON answer with `Retry-After`, never a
    stack trace: a load balancer retries, a person reads that it is temporary, a partner's
    program backs off."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        except UNAVAILABLE_ERRORS:  # only if the exception escaped every inner layer
            return self._unavailable(request)
        if getattr(request, _FLAG, False):
            return self._unavailable(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Views (DRF included: its handler leaves database errors to Django) end up here."""
        if isinstance(exception, UNAVAILABLE_ERRORS):
            return self._unavailable(request)
        return None

    @staticmethod
    def _unavailable(request: HttpRequest) -> HttpResponse:
        logger.warning("Database unavailable while serving %s %s", request.method, request.path)
        return database_unavailable_response(request)


class NulBytePathMiddleware:
    """A path with a NUL byte (`%00`) names nothing: no reference, code or id contains one, and
    PostgreSQL refuses it in a text parameter (a 500 when a view looked it up). Such a path is
    answered 404 — a page on the site, the API's JSON error under /api/ (core.api.errors)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path:
            raise Http404(_("No page has this address."))
        return self.get_response(request)


def _has_page(language: str, path: str) -> bool:
    """Whether `path` is a page in `language` (URLs resolve in the active language's prefix)."""
    with translation.override(language):
        return bool(is_valid_path(f"/{language}{path}"))


def _accepted_language(request: HttpRequest) -> str:
    """The first of our languages that `Accept-Language` names, else the default. Not the
    language cookie: API answers vary by `Accept-Language` only, and a shared cache must never
    give one caller's cookie-chosen language to another."""
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


class LanguageMiddleware:
    """The language of what has no language in its URL. After Django's LocaleMiddleware, which
    reads it from the URL's prefix (`/fr/…`) and gives unprefixed pages the default, English.

    - The API is never prefixed: it answers in the language of `Accept-Language`
      (LocaleMiddleware then writes it into `Content-Language`).
    - A page asked for without a prefix by a browser that prefers another of our languages (its
      language cookie, set by the language menu, or else `Accept-Language`) is redirected to
      that language's URL, so the first visit follows the browser and a chosen language sticks.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            language = _accepted_language(request)
            translation.activate(language)
            request.LANGUAGE_CODE = language
        elif request.method in ("GET", "HEAD") and not translation.get_language_from_path(
            request.path_info
        ):
            preferred = translation.get_language_from_request(request)
            if preferred != settings.LANGUAGE_CODE and _has_page(preferred, request.path_info):
                response = HttpResponseRedirect(f"/{preferred}{request.get_full_path()}")
                patch_vary_headers(response, ("Accept-Language", "Cookie"))
                return response
        return self.get_response(request)


# Media types the compression middleware may compress: the API's JSON (and its schema), the CSV
# exports and the data package's descriptor. HTML pages are left alone on purpose: a page that
# reflects a query parameter next to a secret (the CSRF token) would open a BREACH-style
# length oracle; the API's JSON carries no such secret. XLSX and gzip files are compressed
# already.
COMPRESSIBLE_TYPES = (
    "application/json",
    "application/problem+json",
    "application/vnd.oai.openapi",
    "application/yaml",
    "text/csv",
    "application/jsonl",
)


class ApiCompressionMiddleware(CompressionMiddleware):  # type: ignore[misc]  # untyped library
    """zstd, brotli or gzip (as the client's Accept-Encoding allows) for API and export answers
    (`COMPRESSIBLE_TYPES`). django-compression-middleware compresses a streamed answer chunk by
    chunk, so a million-row CSV export still streams."""

    def process_response(self, request: HttpRequest, response: Any) -> Any:
        content_type = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if content_type not in COMPRESSIBLE_TYPES:
            return response
        return super().process_response(request, response)


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class ReadOnlyCorsMiddleware(CorsMiddleware):
    """CORS on the public API for reads only (`CORS_URLS_REGEX`, any origin, no credentials): a
    browser dashboard elsewhere may read published data; a cross-origin write is never allowed
    (its preflight lists only GET, HEAD and OPTIONS, and a write's answer carries no CORS header,
    so a page elsewhere cannot read it either)."""

    def is_enabled(self, request: HttpRequest) -> bool:
        if request.method not in SAFE_METHODS:
            return False
        if request.method == "OPTIONS":
            wanted = request.headers.get("Access-Control-Request-Method", "GET").upper()
            if wanted not in SAFE_METHODS:
                return False
        return super().is_enabled(request)
