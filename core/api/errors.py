"""One JSON shape for every API error, with field-level messages where there are any:

{"status": 400, "code": "invalid", "detail": "…", "errors": {"field": ["message", …]}}
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from core.exceptions import DomainConflict, StalePrecondition


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"


def _field_errors(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            str(key): [str(m) for m in (value if isinstance(value, list) else [value])]
            for key, value in detail.items()
        }
    if isinstance(detail, list):
        return {"non_field_errors": [str(m) for m in detail]}
    return {}


def _translate(exc: Exception) -> Exception:
    """Domain and Django exceptions become the matching DRF exception."""
    if isinstance(exc, Http404):
        return exceptions.NotFound(*exc.args)
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
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
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
