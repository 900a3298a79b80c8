"""The OpenAPI description of what every API operation can answer besides its success.

drf-spectacular documents the 200/201 of each operation; the error answers come from shared
plumbing (strict filters, cursor pagination, conditional requests, throttles, the error handler) and
would otherwise be missing from the schema. Documenting them lets clients generate proper error
types and lets a contract test check every answer against the schema, not only the successes.
"""

import re
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_field
from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.schemas.inspectors import ViewInspector

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
VERSION_SEGMENT = re.compile(r"^v[0-9]+$")


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {
            "oneOf": [
                {"type": "array", "items": {"type": "string"}},
                {"type": "object", "additionalProperties": True},
            ]
        },
    }
)
class ErrorsField(serializers.DictField):
    """Messages per field: a list of strings, or the same structure again for nested data."""


class ErrorSerializer(serializers.Serializer):
    """Every error answer of the API has this shape (core.api.errors)."""

    status = serializers.IntegerField(help_text=_("The HTTP status code, repeated."))
    code = serializers.CharField(
        help_text=_(
            "Machine-readable reason: `invalid`, `not_found`, `throttled`, "
            "`permission_denied`, `conflict`, `precondition_failed`…"
        )
    )
    detail = serializers.CharField(help_text=_("A human-readable explanation."))
    errors = ErrorsField(  # type: ignore[assignment]  # the body's key; shadows Serializer.errors
        help_text=_(
            "Messages per field or query parameter; empty unless the request was invalid. "
            "A nested object's or list's errors nest the same way, list items by index: "
            '`{"targets": {"0": {"unit": ["…"]}}}`.'
        ),
    )


def _model_field_allows_blank(field: serializers.Field) -> bool:
    """Whether the model field behind a serializer field may hold an empty string."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source:
        return False
    try:
        return bool(model._meta.get_field(field.source).blank)
    except FieldDoesNotExist:
        return False


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, plus the shared error answers and conditional headers."""

    def get_tags(self) -> list[str]:
        # Group operations by resource (`forums`, `indicator-values`…), not under the URL's
        # version segment, which every operation shares.
        tokens = [t for t in self._tokenize_path() if not VERSION_SEGMENT.match(t)]
        return tokens[:1]

    # --- error answers ---------------------------------------------------------------------
    def _error_statuses(self) -> dict[str, StrOrPromise]:
        method = self.method.upper()
        statuses: dict[str, StrOrPromise] = {
            "400": _(
                "Invalid request: an unknown query parameter, a bad filter value or invalid "
                "data; `errors` names each parameter or field with its messages."
            ),
            "404": _("Not found: no such resource, an invalid `cursor`, or an unknown `format`."),
            "406": _("Not acceptable: none of the formats in `Accept` can be produced."),
            "429": _(
                "Too many requests: the rate limit of this API key, user or address is spent; "
                "retry after the number of seconds in `Retry-After`."
            ),
        }
        if self._can_challenge():
            statuses["401"] = _("Not authenticated: the credentials are missing or invalid.")
        if method not in SAFE_METHODS or not self._allows_anyone():
            statuses["403"] = _("Forbidden: you may not do this (or the CSRF check failed).")
        if method not in SAFE_METHODS:
            statuses["409"] = _("Conflict: the change is not allowed in the resource's state.")
            statuses["412"] = _("Precondition failed: `If-Match` is not the current ETag.")
        if method in ("PUT", "PATCH", "DELETE"):
            statuses["428"] = _(
                "Precondition required: send `If-Match` with the ETag you read (or `*`)."
            )
        return statuses

    def _allows_anyone(self) -> bool:
        return all(isinstance(p, AllowAny) for p in self.view.get_permissions())

    def _can_challenge(self) -> bool:
        """DRF answers 401 only when an authenticator sends a `WWW-Authenticate` challenge
        (an API key does; a session does not — its failures are 403)."""
        return any(
            type(auth).authenticate_header is not BaseAuthentication.authenticate_header
            for auth in self.view.get_authenticators()
        )

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status, description in self._error_statuses().items():
            if status not in responses:
                responses[status] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description),
                    status,
                    media_types=["application/json"],
                    direction=direction,
                )
        gone = getattr(self.view, "gone_serializer", None)
        if gone is not None and getattr(self.view, "action", None) == "retrieve":
            # A row that was public and was removed (changefeed.api.removed).
            responses["410"] = self._get_response_for_code(
                OpenApiResponse(
                    gone,
                    description=_(
                        "Gone: it was public and was removed; the tombstone says when, why "
                        "and what replaced it."
                    ),
                ),
                "410",
                media_types=["application/json"],
                direction=direction,
            )
        if self.method.upper() == "GET" and "304" not in responses:
            responses["304"] = {
                "description": _(
                    "Not modified: `If-None-Match` names the current ETag (or, for "
                    "a single resource, `If-Modified-Since` is not older than it); no body."
                )
            }
        return dict(sorted(responses.items()))

    # --- conditional request and response headers -----------------------------------------
    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        method = self.method.upper()
        if method == "GET":
            parameters += [
                OpenApiParameter(
                    "If-None-Match",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    description=_(
                        "An ETag from an earlier answer: 304 without a body if the "
                        "data has not changed since."
                    ),
                ),
                OpenApiParameter(
                    "ETag",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    response=["200", "304"],
                    description=_(
                        "A hash of exactly what was sent; send it back in "
                        "`If-None-Match` (reads) or `If-Match` (writes)."
                    ),
                ),
            ]
        elif method in ("PUT", "PATCH", "DELETE"):
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    required=True,
                    description=_(
                        "The ETag you read: the write is refused with 412 if the "
                        "resource changed since, and with 428 without this header. `*` "
                        "writes whatever the current version is."
                    ),
                )
            )
        parameters.append(
            OpenApiParameter(
                "Retry-After",
                OpenApiTypes.INT,
                OpenApiParameter.HEADER,
                response=["429"],
                description=_("Seconds to wait before retrying."),
            )
        )
        return parameters

    # --- fields ----------------------------------------------------------------------------
    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)  # type: ignore[no-untyped-call]  # unannotated in drf-spectacular
        # A formatted string that may be empty (an e-mail field with allow_blank, a read-only URL
        # copied from a model field that may be blank) is "" or a value of its format: say so
        # instead of promising an e-mail or URI, which also makes a default of "" valid.
        may_be_blank = getattr(field, "allow_blank", False) or (
            isinstance(field, serializers.URLField)
            and field.read_only
            and _model_field_allows_blank(field)
        )
        if "format" in schema and may_be_blank:
            outer = {
                *("readOnly", "writeOnly", "nullable", "deprecated", "description", "title"),
                "default",
            }
            inner = {key: schema.pop(key) for key in list(schema) if key not in outer}
            schema["oneOf"] = [inner, {"type": "string", "maxLength": 0}]
        return schema


class ApiSchema(ViewInspector):
    """Descriptor for `APIView.schema`: a fresh ApiAutoSchema per view, like DRF's DefaultSchema
    (which would use DEFAULT_SCHEMA_CLASS), so that concurrent schema builds never share state."""

    def __get__(self, instance: Any, owner: Any) -> Any:
        result = super().__get__(instance, owner)
        if result is not self:
            return result  # a schema drf-spectacular set on this view instance
        inspector = ApiAutoSchema()
        inspector.view = instance
        return inspector
