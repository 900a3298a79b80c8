"""Cursor pagination by default: stable while rows are inserted, and as cheap on page 1,000 as on
page 1 (no OFFSET, no COUNT over the filtered table: both grow with the offset and the table)."""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, pagination
from rest_framework.request import Request
from rest_framework.response import Response

COUNT_PARAM = "count"
TRUE, FALSE = ("true", "1"), ("false", "0")


def wants_count(request: Request) -> bool:
    """`?count=true`: 400 for a value that is neither true nor false."""
    raw = request.query_params.get(COUNT_PARAM)
    if raw is None or raw.lower() in FALSE:
        return False
    if raw.lower() in TRUE:
        return True
    raise exceptions.ValidationError({COUNT_PARAM: [_("Give true or false.")]})


class CursorPagination(pagination.CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    # Views override `ordering` with a unique, indexed key (e.g. "-id").
    ordering = "-id"
    # (total, exact) when `?count=true` asked for it.
    total: tuple[int, bool] | None = None

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        """With `?count=true`, also count the filtered rows, up to `API_COUNT_LIMIT` (a count
        that stops there, like the pledge browser's facets): never a COUNT(*) of a whole large
        table, and nothing at all unless asked."""
        self.total = None
        if wants_count(request):
            cap = settings.API_COUNT_LIMIT
            counted = queryset.order_by()[: cap + 1].count()
            self.total = (min(counted, cap), counted <= cap)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        if self.total is not None:
            response.data["count"], response.data["count_exact"] = self.total
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["count"] = {
            "type": "integer",
            "example": 123,
            "description": str(
                gettext_lazy(
                    "With `count=true` only: how many rows match the filters, counted up to "
                    "a limit (10,000 by default); see `count_exact`."
                )
            ),
        }
        paginated["properties"]["count_exact"] = {
            "type": "boolean",
            "example": True,
            "description": str(
                gettext_lazy(
                    "With `count=true` only: false when more rows match than the limit, "
                    '`count` being the limit ("at least").'
                )
            ),
        }
        return paginated

    def get_page_size(self, request: Request) -> int:
        """A `page_size` outside 1…500 answers 400, as a bad filter does: DRF silently fell
        back to 50 or capped at 500, and a client never learnt it got fewer rows than asked."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        _("Give a whole number from 1 to %(max)s.") % {"max": self.max_page_size}
                    ]
                }
            )
        return size

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        parameters.append(
            {
                "name": COUNT_PARAM,
                "required": False,
                "in": "query",
                "description": str(
                    gettext_lazy(
                        "true: add `count` (rows matching the filters, counted up to a limit) "
                        "and `count_exact` to the answer. Off by default: counting costs a "
                        "query."
                    )
                ),
                "schema": {"type": "boolean", "default": False},
            }
        )
        parameters.append(
            {
                "name": "hxl",
                "required": False,
                "in": "query",
                "description": str(
                    gettext_lazy(
                        "With `format=csv`: true adds a second header row of HXL hashtags "
                        "(`#org+name`, `#country+code`, `#value+usd`…) for humanitarian data "
                        "tools. Ignored by other formats."
                    )
                ),
                "schema": {"type": "boolean", "default": False},
            }
        )
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(
                    {"minimum": 1, "maximum": self.max_page_size, "default": self.page_size}
                )
        return parameters
