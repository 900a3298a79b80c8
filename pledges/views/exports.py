"""Downloads of what a page lists, as CSV or XLSX: the pledge browser's pledges (with its filters
and sort; the entity, objective, forum and multistakeholder pages link here with their filter
in the query string) and the secretariat's queues of progress updates and of entities.

Nothing here decides which rows or columns there are: the pledges are the browser's queryset
(`PledgeFilter` over `public_pledges`, the visibility rule of every public page), their columns
the API export's (`pledges.api.shape.EXPORT_COLUMNS`, written by `PledgeReader`), and the
queues' rows and columns those of their pages and of the API exports of updates and entities.
Files are streamed (`core.api.exports`), with formula-like text neutralised
(`core.spreadsheets`).
"""

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from core.api.exports import (
    CHUNK,
    csv_download,
    declared_columns,
    flatten,
    xlsx_download,
)

from ..api.reading import PledgeReader
from ..api.serializers import EntityExportSerializer, PledgeUpdateExportSerializer
from ..api.shape import EXPORT_COLUMNS
from ..entity_forms import EntityQueueFilter
from ..filters import PledgeFilter
from ..review_forms import UpdateQueueFilter
from ..selectors import applied_filters, public_pledges, sort_label
from .download_links import FORMATS
from .entities import unverified_entities
from .review import pending_updates, secretariat_required


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Http404
    return fmt


def _refused(request: HttpRequest, form: Any, back: str) -> HttpResponse:
    """A download whose filters are wrong: 400 with each field's message, never a file of
    other rows than asked for, never a 500."""
    errors = [
        (str(form.fields[name].label) if name in form.fields else name, message)
        for name, messages in form.errors.items()
        for message in messages
    ]
    return render(
        request, "pledges/download_error.html", {"errors": errors, "back": back}, status=400
    )


def _speaking(language: str, rows: Iterable[Any]) -> Iterator[Any]:
    """The rows, read in `language`: a streamed body is read after the view has returned, when
    the request's language may no longer be the active one."""
    with translation.override(language):
        yield from rows


def _cover(request: HttpRequest, heading: str, lines: Sequence[tuple[str, str]]) -> Any:
    """The XLSX cover sheet: what the file holds, when it was made, where it came from."""
    now = timezone.localtime()
    return (
        _("About this file"),
        [
            (heading, ""),
            (_("Downloaded on"), formats.date_format(now, "DATETIME_FORMAT")),
            (_("Address"), request.build_absolute_uri()),
            *lines,
        ],
    )


# --------------------------------------------------------------------------------------------
# Pledges (everyone)
# --------------------------------------------------------------------------------------------


def pledge_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The pledges the browser lists for these query parameters, in its sort, every one of
    them (not a page)."""
    fmt = _format(fmt)
    filterset = PledgeFilter(request.GET, queryset=public_pledges(request.user), request=request)
    if filterset.form.errors:
        return _refused(request, filterset.form, reverse("pledges:pledge-list"))
    reader = PledgeReader({"request": request})
    rows = _speaking(translation.get_language(), reader.export_rows(filterset.qs))
    if fmt == "csv":
        return csv_download("pledges", EXPORT_COLUMNS, rows, hxl=request.GET.get("hxl") == "true")
    applied = applied_filters(filterset)
    lines = [
        (_("Filters applied"), "" if applied else _("None: every published pledge")),
        *((f"  {label}", value) for label, value in applied),
        (_("Sort by"), sort_label(filterset)),
    ]
    return xlsx_download(
        "pledges",
        EXPORT_COLUMNS,
        rows,
        title=_("Pledges"),
        cover=_cover(request, _("Published pledges — Compact Pledge Tracker"), lines),
    )


# --------------------------------------------------------------------------------------------
# The secretariat's queues
# --------------------------------------------------------------------------------------------


def _serialized(
    request: HttpRequest, serializer_class: Any, queryset: QuerySet
) -> tuple[list[str], Iterator[dict[str, Any]]]:
    """The API export's columns and rows of `queryset` (read with a server-side cursor)."""
    serializer = serializer_class(context={"request": request})
    rows = (flatten(serializer.to_representation(obj)) for obj in queryset.iterator(CHUNK))
    return declared_columns(serializer), rows


def _queue_download(
    request: HttpRequest,
    fmt: str,
    basename: str,
    title: str,
    table: tuple[list[str], Iterator[dict[str, Any]]],
    lines: list[tuple[str, str]],
) -> HttpResponseBase:
    header, rows = table
    rows = _speaking(translation.get_language(), rows)
    if fmt == "csv":
        return csv_download(basename, header, rows)
    return xlsx_download(basename, header, rows, title=title, cover=_cover(request, title, lines))


def _chosen(form: Any) -> list[tuple[str, str]]:
    """(label, value) of each filter of a queue form that is set."""
    chosen = []
    for name, value in form.cleaned_data.items():
        if value in (None, ""):
            continue
        choices = dict(getattr(form.fields[name], "choices", ()))
        chosen.append((str(form.fields[name].label), str(choices.get(value, value))))
    return chosen


@secretariat_required
def update_queue_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The progress updates awaiting review, with the queue's filters and order."""
    fmt = _format(fmt)
    queue_filter = UpdateQueueFilter(request.GET, queryset=pending_updates())
    if queue_filter.form.errors:
        return _refused(request, queue_filter.form, reverse("pledges:update-queue"))
    table = _serialized(request, PledgeUpdateExportSerializer, queue_filter.qs)
    return _queue_download(
        request,
        fmt,
        "update-queue",
        _("Progress updates awaiting review"),
        table,
        _chosen(queue_filter.form),
    )


@secretariat_required
def entity_queue_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The entities awaiting verification, with the queue's search and order."""
    fmt = _format(fmt)
    search = EntityQueueFilter(request.GET)
    if search.errors:
        return _refused(request, search, reverse("pledges:entity-admin-queue"))
    entities = unverified_entities(search.query(), newest_first=search.newest_first())
    # The queue page's focal points are not exported: the API's entity columns are.
    table = _serialized(request, EntityExportSerializer, entities.prefetch_related(None))
    return _queue_download(
        request,
        fmt,
        "entity-queue",
        _("Entities awaiting verification"),
        table,
        _chosen(search),
    )
