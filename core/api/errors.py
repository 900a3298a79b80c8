"""One JSON shape for every API error, with field-level messages where there are any:

{"status": 400, "code": "invalid", "detail": "…", "errors": {"field": ["message", …]}}
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from core.api.parsers import too_large
from core.exceptions import DomainConflict, StalePrecondition


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_code = "precondition_required"


def _messages(detail: Any) -> Any:
    """Keep the structure of nested errors (`{"targets": [{"unit": ["…"]}]}`; a list field's
    errors by index) with every message as a string, never a Python repr."""
    if isinstance(detail, dict):
        return {str(key): _messages(value) for key, value in detail.items()}
    if isinstance(detail, list):
        if any(isinstance(item, dict | list) for item in detail):
            return [_messages(item) for item in detail]
        return [str(m) for m in detail]
    return [str(detail)]


def _field_errors(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return {str(key): _messages(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return {"non_field_errors": [str(m) for m in detail]}
    return {}


def _translate(exc: Exception) -> Exception:
    """Domain and Django exceptions become the matching DRF exception."""
    if isinstance(exc, Http404):
        return exceptions.NotFound(*exc.args)
    if isinstance(exc, RequestDataTooBig):
        return too_large()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(*exc.args)
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return exceptions.ValidationError(detail)
    if isinstance(exc, DomainConflict):
        return Conflict(str(exc))
    if isinstance(exc, StalePrecondition):
        return PreconditionFailed(str(exc))
    return exc


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    exc = _translate(exc)
    if not isinstance(exc, exceptions.APIException):
        return None  # a real server error: let Django log it and answer 500
    headers: dict[str, str] = {}
    if auth_header := getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = auth_header
    if wait := getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(wait))
    if isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(exc.detail)
        detail = _("Some of the data is invalid; see the errors per field.")
        code = "invalid"
    else:
        errors = {}
        detail = str(exc.detail)
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
    set_rollback()
    body = {"status": exc.status_code, "code": code, "detail": detail, "errors": errors}
    return Response(body, status=exc.status_code, headers=headers)


# --- Django's error views: the same shape for what happens outside DRF's views under /api/ ---
# (a URL that matches no route, a NUL byte in the path, a body Django refuses, a server error)


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _json_error(status_code: int, code: str, detail: str) -> JsonResponse:
    body = {"status": status_code, "code": code, "detail": detail, "errors": {}}
    return JsonResponse(body, status=status_code)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return _json_error(413, "payload_too_large", str(too_large().detail))
    return _json_error(400, "bad_request", _("The request is malformed."))


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api(request):
        return defaults.permission_denied(request, exception)
    return _json_error(
        403, "permission_denied", _("You do not have permission to perform this action.")
    )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api(request):
        return defaults.page_not_found(request, exception)
    return _json_error(404, "not_found", _("Not found."))


def server_error(request: HttpRequest) -> HttpResponse:
    if not is_api(request):
        return defaults.server_error(request)
    return _json_error(500, "server_error", _("A server error occurred."))
