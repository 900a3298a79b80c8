"""Rows that left a public list, as the lists and details show them: `include_removed=true` adds
the tombstones of removed rows to a list's first page, and a removed row's detail answers
410 Gone with its tombstone (a key that never was public still answers 404)."""

from typing import TYPE_CHECKING, Any

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.fields import IsoDateTimeField
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from changefeed.models import Action, Change, Resource
from changefeed.services import tombstones
from core.api.pagination import CursorPagination

from .serializers import TombstoneSerializer

PARAM = "include_removed"

# The component of TombstoneSerializer, which the details' 410 answers register
# (core.api.schema): one `Tombstone` model in generated clients, not one per list.
TOMBSTONE_SCHEMA = {"$ref": "#/components/schemas/Tombstone"}


class RemovedPagination(CursorPagination):
    """The cursor pages of a list that can show its removed rows."""

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["removed"] = {
            "type": "array",
            "items": TOMBSTONE_SCHEMA,
            "example": [],
            "description": str(
                gettext_lazy(
                    "Only with `include_removed=true`, on the first page: the rows that left "
                    "this list (after `updated_since` when given), oldest removal first. Other "
                    "filters do not apply to them: what a removed row was is no longer public."
                )
            ),
        }
        return answer

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": PARAM,
                "required": False,
                "in": "query",
                "description": str(
                    gettext_lazy(
                        "`true` adds `removed`, the tombstones of rows that left the list "
                        "(withdrawn, superseded, rejected, unpublished, deleted), to the first "
                        "page."
                    )
                ),
                "schema": {"type": "boolean", "default": False},
            },
        ]


if TYPE_CHECKING:
    # What the mixin is put before; at run time a plain class, so it stays a mixin.
    _ViewBase = GenericAPIView
else:
    _ViewBase = object


class RemovedMixin(_ViewBase):
    """Add to a list/detail ViewSet with `feed_resource` set (before the DRF base class)."""

    feed_resource: Resource
    gone_serializer = TombstoneSerializer  # the 410 answer, in the OpenAPI document
    extra_query_params: tuple[str, ...] = (PARAM,)
    pagination_class = RemovedPagination

    def _include_removed(self, request: Request) -> bool:
        raw = request.query_params.get(PARAM)
        if raw is None or raw == "false":
            return False
        if raw != "true":
            raise exceptions.ValidationError({PARAM: [_("Give true or false.")]})
        return True

    def _removed(self, request: Request) -> list[dict[str, Any]]:
        found = tombstones(self.feed_resource)
        since = request.query_params.get("updated_since")
        if since:
            found = found.filter(at__gte=IsoDateTimeField().clean(since))
        rows = list(found)
        # A row its entity or the secretariat still sees is no tombstone for them.
        field = getattr(self, "lookup_field", "pk")
        seen = {
            str(key)
            for key in self.get_queryset()
            .filter(**{f"{field}__in": [row.key for row in rows]})
            .values_list(field, flat=True)
        }
        kept = [row for row in rows if row.key not in seen]
        return list(TombstoneSerializer(kept, many=True).data)

    def get_paginated_response(self, data: Any) -> Response:
        response: Response = super().get_paginated_response(data)
        request: Request = self.request
        if self._include_removed(request) and not request.query_params.get("cursor"):
            response.data["removed"] = self._removed(request)
        return response

    def filter_queryset(self, queryset: Any) -> Any:
        self._include_removed(self.request)  # a bad value answers 400 on every page and format
        return super().filter_queryset(queryset)

    def handle_exception(self, exc: Exception) -> Response:
        # Here rather than in `retrieve`: views write their own `retrieve` (pledges do).
        if (
            isinstance(exc, Http404 | exceptions.NotFound)
            and getattr(self, "action", None) == "retrieve"
        ):
            kwargs = self.kwargs
            key = kwargs.get(getattr(self, "lookup_url_kwarg", None) or self.lookup_field)
            gone = tombstone(self.feed_resource, str(key)) if key is not None else None
            if gone is not None:
                return Response(TombstoneSerializer(gone).data, status=410)
        return super().handle_exception(exc)


def tombstone(resource: Resource, key: str) -> Change | None:
    """The row's removal, if its latest feed entry is one."""
    latest = Change.objects.filter(resource=resource, key=key).order_by("-id").first()
    return latest if latest is not None and latest.action == Action.REMOVED else None
