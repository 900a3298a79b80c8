"""Cursor pagination by default: stable while rows are inserted, and as cheap on page 1,000 as on
page 1 (no OFFSET, no COUNT over the filtered table — PERFORMANCE.md)."""

from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    # Views override `ordering` with a unique, indexed key (e.g. "-id").
    ordering = "-id"
