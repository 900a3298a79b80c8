"""Conditional requests for API views.

GET answers carry an ETag (a hash of exactly what was sent); `If-None-Match` then answers 304
without a body. A single resource with an `updated_at` also carries a Last-Modified, and
`If-Modified-Since` answers 304 when it is not older. Lists carry no Last-Modified and never
answer 304 to `If-Modified-Since`: the newest `updated_at` of the rows in a list cannot show a
row that left it (withdrawn, unpublished, deleted), so a date cannot prove the list unchanged;
their ETag, the hash of the page itself, can.
Writes honour `If-Match`: when the client's ETag is not that of the current representation, the
write is refused with 412 before anything changes, so two editors never overwrite each other.
PUT, PATCH and DELETE of an existing resource must send it (428 Precondition Required without,
RFC 6585): a client that never read the resource cannot overwrite somebody else's change by
accident. `If-Match: *` says "whatever the current version" on purpose.

The JSON body is encoded once: the response is rendered here and the ETag is the hash of those
bytes (rendering it again for the hash cost as much as the body itself, ~2 ms on a page of 100
pledges). `etag_for(data)` hashes the same encoding (`renderers.encode`), so the ETag of a GET
and the one a write is checked against (`current_etag`) agree. Answers in another form (the
browsable API's HTML, JSON indented on request) carry the ETag of that same compact JSON.
"""

import hashlib
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.http import HttpResponseNotModified
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import gettext as _
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from .errors import PreconditionFailed, PreconditionRequired
from .renderers import JSONRenderer, encode


def etag_of(body: bytes) -> str:
    return f'"{hashlib.sha256(body).hexdigest()[:32]}"'


def etag_for(data: Any) -> str:
    """The ETag of `data`'s representation: the hash of its JSON body."""
    return etag_of(encode(data))


def _etag_of_response(response: Response) -> str:
    renderer = getattr(response, "accepted_renderer", None)
    if isinstance(renderer, JSONRenderer) and renderer.is_compact(
        response.accepted_media_type,
        response.renderer_context,  # type: ignore[attr-defined]  # set by finalize_response; not in the stubs
    ):
        response.render()  # once: Django sends these bytes without rendering again
        return etag_of(response.content)
    return etag_for(response.data)


def _tags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


if TYPE_CHECKING:
    # What the mixin is put before; at run time a plain class, so it stays a mixin.
    _ViewBase = GenericAPIView
else:
    _ViewBase = object


class ConditionalMixin(_ViewBase):
    """Add to a GenericAPIView/ViewSet (before the DRF base class)."""

    _last_modified: datetime | None = None

    # --- reads -----------------------------------------------------------------------------
    def get_object(self) -> Any:
        obj = super().get_object()
        self._last_modified = getattr(obj, "updated_at", None)
        return obj

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        if (
            request.method in ("GET", "HEAD")
            and isinstance(response, Response)
            and response.status_code == 200
            and response.data is not None
        ):
            etag = _etag_of_response(response)
            response["ETag"] = etag
            if self._last_modified is not None:
                response["Last-Modified"] = http_date(self._last_modified.timestamp())
            if self._not_modified(request, etag):
                not_modified = HttpResponseNotModified()
                for header in ("ETag", "Last-Modified", "Vary", "Cache-Control"):
                    if response.has_header(header):
                        not_modified[header] = response[header]
                return not_modified
        return response

    def _not_modified(self, request: Request, etag: str) -> bool:
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match is not None:
            return if_none_match.strip() == "*" or etag in _tags(if_none_match)
        since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
        if since is not None and self._last_modified is not None:
            return int(self._last_modified.timestamp()) <= since
        return False

    # --- writes ----------------------------------------------------------------------------
    def represent(self, obj: Any) -> Any:
        """`obj` as a GET of it shows it now."""
        serializer_class = (
            getattr(self, "detail_serializer_class", None) or self.get_serializer_class()
        )
        return serializer_class(obj, context=self.get_serializer_context()).data

    def current_etag(self, obj: Any) -> str:
        """The ETag a GET of `obj` would carry now."""
        return etag_for(self.represent(obj))

    def current_etags(self, obj: Any) -> Iterator[str]:
        """Every ETag a GET of `obj` may carry now, the likeliest first (computed lazily: a
        write stops at the first that matches)."""
        yield self.current_etag(obj)

    def check_if_match(self, obj: Any) -> None:
        """Refuse the write with 412 if the client's If-Match is none of the current ETags."""
        if_match = self.request.headers.get("If-Match")
        if if_match is None and self.request.method in ("PUT", "PATCH", "DELETE"):
            raise PreconditionRequired(
                _(
                    "Send If-Match with the ETag of the resource as you read it (or * to "
                    "write whatever its current version): GET it first."
                )
            )
        if if_match is None or if_match.strip() == "*":
            return
        sent = _tags(if_match)
        if not any(tag in sent for tag in self.current_etags(obj)):
            raise PreconditionFailed(
                _(
                    "This resource changed since you read it (If-Match failed). GET it again, "
                    "re-apply your change and retry."
                )
            )
