"""Cursor pagination by default: stable while rows are inserted, and as cheap on page 1,000 as on
page 1 (no OFFSET, no COUNT over the filtered table: both grow with the offset and the table)."""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination
from rest_framework.request import Request


class CursorPagination(pagination.CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    # Views override `ordering` with a unique, indexed key (e.g. "-id").
    ordering = "-id"

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
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(
                    {"minimum": 1, "maximum": self.max_page_size, "default": self.page_size}
                )
        return parameters
