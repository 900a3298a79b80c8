"""Filtering that refuses what it does not understand: an unknown query parameter or a bad value
answers 400 with a message per parameter, never a silently unfiltered list or a 500."""

import copy
import datetime as dt
import threading
import time
from collections import OrderedDict
from typing import Any, ClassVar

import django_filters
from django import forms
from django.conf import settings
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters.fields import IsoDateTimeField as BaseIsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.request import Request

# Parameters every list understands besides its FilterSet's.
GLOBAL_PARAMS = frozenset({"cursor", "page_size", "ordering", "format", "count", "hxl"})


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, plus a 400 for parameters the list does not know."""

    raise_exception = True

    def filter_queryset(self, request: Request, queryset: Any, view: Any) -> Any:  # type: ignore[override]  # DRF passes its Request; the stubs say HttpRequest
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


class LeanFilterSet:
    """Put before a django-filter FilterSet whose filters take fixed querysets (never a callable
    of the request): the same filtering and validation, at a fraction of the per-request cost.

    django-filter deep-copies every filter of the class for each request (with their querysets
    and lazily translated labels: ~950 `deepcopy` calls for the pledge filters) and builds a new
    form class from new form fields each time; on the pledge list that was ~1.5 ms of ~13. Here
    each filter is copied shallowly (a request only sets its `model` and `parent`), and the form
    class is built once per FilterSet class (its fields are still deep-copied into each form,
    as Django always does).
    """

    _lean_form_class: ClassVar[type[forms.Form]]

    def __init__(
        self,
        data: Any = None,
        queryset: Any = None,
        *,
        request: Any = None,
        prefix: str | None = None,
    ) -> None:
        # django-filter's BaseFilterSet.__init__, with shallow copies of the filters.
        if queryset is None:
            queryset = self._meta.model._default_manager.all()  # type: ignore[attr-defined]  # a mixin: the FilterSet it precedes has it
        model = queryset.model
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        originals = self.base_filters  # type: ignore[attr-defined]  # a mixin, as above
        self.filters = {name: copy.copy(filter_) for name, filter_ in originals.items()}
        for filter_ in self.filters.values():
            filter_.model = model
            filter_.parent = self
            if filter_.method is not None:
                # Rebinds the copy's FilterMethod to the copy (it resolves `method` on the
                # parent); the shallow copy still held the class's filter.
                filter_.method = filter_.method

    def get_form_class(self) -> Any:
        cls = type(self)
        form_class = cls.__dict__.get("_lean_form_class")
        if form_class is None:
            form_class = super().get_form_class()  # type: ignore[misc]  # a mixin, as above
            cls._lean_form_class = form_class
        return form_class

    # --- reusing validated values ----------------------------------------------------------
    # Query parameters whose validation depends on nothing but the text of the parameters and
    # reference data (compacts, forums, objectives, countries, statuses…): never on the caller
    # (`entity` resolves among the entities the caller may see) nor on large tables. A request
    # whose filter parameters are all among them reuses the values a request with the very same
    # parameters validated less than `API_FILTER_REUSE_SECONDS` ago in this process.
    reuse_params: ClassVar[frozenset[str]] = frozenset()

    def is_valid(self) -> bool:
        """django-filter's, but a valid set of values is kept (per process, per FilterSet class
        and query string; `ValidatedValues`) and reused: building the form and validating it
        cost ~5 ms of the ~15 ms a page of the pledge list costs (field deep copies, a query per
        model choice). The rows themselves are always read afresh; only the parsing of the same
        parameters is skipped. Reference data changes rarely (the admin, `load_reference_data`);
        a code removed from it may still filter for at most the reuse time, a code added is
        accepted at once (invalid values are never kept)."""
        key = self._reuse_key()
        if key is not None:
            values = _VALIDATED.get(key)
            if values is not None:
                self._form = ValidatedValues(values)
                return True
        valid: bool = super().is_valid()  # type: ignore[misc]  # a mixin, as above
        if valid and key is not None:
            _VALIDATED.put(key, dict(self.form.cleaned_data))  # type: ignore[attr-defined]  # a mixin, as above
        return valid

    def _reuse_key(self) -> tuple[Any, ...] | None:
        """The key of this request's values, or None when they may not be reused."""
        if not self.reuse_params or not self.is_bound or self.form_prefix:
            return None
        if _VALIDATED.seconds() <= 0:
            return None
        cls = type(self)
        readers = cls.__dict__.get("_param_filters")
        if readers is None:
            readers = frozenset(
                param
                for name, filter_ in self.base_filters.items()  # type: ignore[attr-defined]  # a mixin, as above
                for param in _params(name, filter_)
            )
            cls._param_filters = readers
        given = [name for name in self.data if name in readers]
        if not given or not set(given) <= self.reuse_params:
            return None
        # The time zone: a date-time without an offset is read in the current one.
        return (
            cls,
            timezone.get_current_timezone_name(),
            tuple(sorted((name, tuple(self.data.getlist(name))) for name in given)),
        )

    _param_filters: ClassVar[frozenset[str] | None] = None


class ValidatedValues:
    """Stands in for a FilterSet's form whose values were validated by an earlier request with
    the same parameters: what the FilterSet reads of a valid form."""

    def __init__(self, cleaned_data: dict[str, Any]) -> None:
        self.cleaned_data = cleaned_data
        self.errors = ErrorDict()

    def is_valid(self) -> bool:
        return True


class _ValidatedCache:
    """A small per-process LRU of validated values, each kept `API_FILTER_REUSE_SECONDS`."""

    SIZE = 256

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple[Any, ...], tuple[float, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def seconds() -> float:
        return float(getattr(settings, "API_FILTER_REUSE_SECONDS", 0))

    def get(self, key: tuple[Any, ...]) -> dict[str, Any] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] < time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: tuple[Any, ...], values: dict[str, Any]) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + self.seconds(), values)
            self._entries.move_to_end(key)
            while len(self._entries) > self.SIZE:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_VALIDATED = _ValidatedCache()


# The widest UTC offset in use anywhere (Kiribati, +14:00). Python parses offsets up to ±23:59,
# but PostgreSQL refuses any beyond ±15:59 in a query (a 500 on the lists that filter in SQL).
MAX_UTC_OFFSET = dt.timedelta(hours=14)


class IsoDateTimeField(BaseIsoDateTimeField):
    def to_python(self, value: Any) -> dt.datetime | None:
        result = super().to_python(value)
        offset = result.utcoffset() if result is not None else None
        if offset is not None and abs(offset) > MAX_UTC_OFFSET:
            raise forms.ValidationError(
                _("The UTC offset must be between -14:00 and +14:00."), code="invalid"
            )
        return result


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date or date-time whose offset is one a clock can show."""

    field_class = IsoDateTimeField
