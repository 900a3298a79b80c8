"""Request body parsers that answer bad bodies with the API's error shape, never a 500.

DRF's parsers read the request stream directly, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE (which
guards `request.body` and `request.POST`) never applied to API bodies; and a deeply nested JSON
document raised RecursionError inside the decoder.
"""

import io
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, status


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


def too_large() -> PayloadTooLarge:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return PayloadTooLarge(
        _("The request body is larger than %(limit)s bytes.") % {"limit": f"{limit:,}"}
    )


def _bounded(stream: IO[bytes] | None) -> IO[bytes]:
    """The body, read at most one byte past the limit: larger bodies are refused (413)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if stream is None:
        return io.BytesIO(b"")
    body = stream.read() if limit is None else stream.read(limit + 1)
    if limit is not None and len(body) > limit:
        raise too_large()
    return io.BytesIO(body)


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        body = _bounded(stream)
        try:
            return super().parse(body, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(
                _("JSON parse error - the document is nested too deeply.")
            ) from None


class FormParser(parsers.FormParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        return super().parse(_bounded(stream), media_type, parser_context)
