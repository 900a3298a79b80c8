"""Filtering that refuses what it does not understand: an unknown query parameter or a bad value
answers 400 with a message per parameter, never a silently unfiltered list or a 500."""

from typing import Any

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.request import Request

# Parameters every list understands besides its FilterSet's.
GLOBAL_PARAMS = frozenset({"cursor", "page_size", "ordering", "format"})


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, plus a 400 for parameters the list does not know."""

    raise_exception = True

    def filter_queryset(self, request: Request, queryset: Any, view: Any) -> Any:
        known = set(GLOBAL_PARAMS) | set(getattr(view, "extra_query_params", ()))
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            for name, filter_ in filterset_class.base_filters.items():
                known |= _params(name, filter_)
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise exceptions.ValidationError(
                {
                    name: [
                        _("Unknown filter. Known ones: %(known)s.")
                        % {"known": ", ".join(sorted(known - GLOBAL_PARAMS)) or "-"}
                    ]
                    for name in unknown
                }
            )
        return super().filter_queryset(request, queryset, view)


def _params(name: str, filter_: Any) -> set[str]:
    """The query parameters a filter reads: range filters read `name_min`/`name_max`, etc."""
    suffixes = getattr(filter_.field_class.widget, "suffixes", None) or getattr(
        filter_.extra.get("widget"), "suffixes", None
    )
    if suffixes:
        return {f"{name}_{suffix}" if suffix else name for suffix in suffixes}
    return {name}
