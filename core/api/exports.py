"""`?format=csv` and `?format=xlsx` on every list, with the list's own filters, streamed so that
an export of a million rows never holds them all in memory: rows are read from the database in
chunks (a server-side cursor) and written out as they come."""

import copy
import csv
import datetime as dt
import itertools
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from rest_framework.generics import GenericAPIView
from rest_framework.mixins import ListModelMixin
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.serializers import BaseSerializer, Serializer

from core.spreadsheets import safe_row, xlsx_cell, xlsx_row

from .hxl import tags as hxl_tags
from .hxl import wants_hxl
from .renderers import JSONRenderer

CHUNK = 2000
EXPORTS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """One row of cells from nested serializer data: {"entity": {"name": …}} → entity.name."""
    if isinstance(data, dict):
        row: dict[str, Any] = {}
        for key, value in data.items():
            row.update(flatten(value, f"{prefix}{key}."))
        return row
    key = prefix.rstrip(".")
    if isinstance(data, list):
        return {key: "; ".join(_label(item) for item in data)}
    return {key: data}


def _label(item: Any) -> str:
    if isinstance(item, dict):
        for name in ("reference", "code", "name", "title", "number"):
            if name in item:
                return str(item[name])
        return ", ".join(str(v) for v in item.values())
    return str(item)


def _table(data: Any) -> tuple[list[str], list[dict[str, Any]]]:
    rows = [flatten(row) for row in (data if isinstance(data, list) else [data])]
    return list(dict.fromkeys(key for row in rows for key in row)), rows


class CSVRenderer(BaseRenderer):
    """Makes `?format=csv` negotiable: lists stream their own response, and errors answer JSON
    (`ExportMixin.handle_exception`); any other data comes out as a table."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return b"" if data is None else "".join(csv_lines(*_table(data))).encode()


class XLSXRenderer(BaseRenderer):
    """`?format=xlsx`, as `CSVRenderer`: whatever it renders is a real workbook."""

    media_type = XLSX_TYPE
    format = "xlsx"
    charset = None

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return b"" if data is None else workbook_file("export", *_table(data)).read()


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(
    header: Sequence[str], rows: Iterable[dict[str, Any]], *, hxl: bool = False
) -> Iterator[str]:
    """The CSV text of the rows, in chunks; formula-like text is neutralised (spreadsheets.py).
    `hxl`: a second header row of HXL hashtags (core/api/hxl.py)."""
    writer = csv.writer(_Echo())
    buffer: list[str] = [writer.writerow(safe_row(header))]
    if hxl:
        # Hashtags begin with "#", which no spreadsheet evaluates: written as they are.
        buffer.append(writer.writerow(hxl_tags(header)))
    for row in rows:
        buffer.append(writer.writerow(safe_row(map(row.get, header))))
        if len(buffer) >= CHUNK:
            yield "".join(buffer)
            buffer = []
    yield "".join(buffer)


# Column widths of the data sheet (in characters): wide enough for what a column usually holds,
# narrow enough that a screen shows several. Columns not named here get DEFAULT_WIDTH.
WIDTHS = {
    "reference": 16,
    "id": 38,
    "title": 48,
    "name": 40,
    "entity": 36,
    "description": 60,
    "narrative": 60,
    "challenges": 48,
    "co_pledgers": 36,
    "objectives": 24,
    "url": 50,
}
DEFAULT_WIDTH = 18
MAX_WIDTH = 60


def _width(column: str) -> float:
    return WIDTHS.get(
        column.rsplit(".", 1)[-1], max(DEFAULT_WIDTH, min(len(column) + 2, MAX_WIDTH))
    )


def workbook_file(
    title: str,
    header: Sequence[str],
    rows: Iterable[dict[str, Any]],
    *,
    cover: tuple[str, Sequence[tuple[str, str]]] | None = None,
) -> IO[bytes]:
    """The rows as an .xlsx file, rewound; text as text cells (spreadsheets.py). Write-only
    workbooks keep one row in memory; the file goes to disk.

    The data sheet has a frozen header row, an autofilter over every row and column widths;
    `cover` — a sheet title and (label, value) lines — adds a first sheet saying what the file
    holds (the filters that chose its rows, the date)."""
    from openpyxl import Workbook  # here: a worker that never writes a workbook never loads it
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    if cover is not None:
        cover_title, lines = cover
        about = workbook.create_sheet(_sheet_title(cover_title))
        about.column_dimensions["A"].width = 32
        about.column_dimensions["B"].width = 80
        for label, value in lines:
            about.append(xlsx_row(about, [label, value]))
    sheet = workbook.create_sheet(_sheet_title(title))
    # Set before the first row: a write-only sheet writes its views and columns with it.
    sheet.freeze_panes = "A2"
    for index, column in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _width(column)
    sheet.append(xlsx_row(sheet, header))
    count = 0
    for row in rows:
        sheet.append([xlsx_cell(sheet, _cell(row.get(h))) for h in header])
        count += 1
    if header:
        # Written when the sheet closes, so the last row is known by then.
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    return handle


def _sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", " ", str(title))[:31] or "Sheet"


def _filename(basename: str, extension: str) -> str:
    return f"{basename}-{timezone.localdate().isoformat()}.{extension}"


def declared_columns(serializer: Serializer, prefix: str = "") -> list[str]:
    """The columns `flatten` gives a fully filled row of this serializer: nested objects become
    `parent.child`, lists stay one column."""
    columns: list[str] = []
    for name, field in serializer.fields.items():
        if isinstance(field, Serializer):  # a nested object; a ListSerializer is no Serializer
            columns += declared_columns(field, f"{prefix}{name}.")
        else:
            columns.append(f"{prefix}{name}")
    return columns


def _with_header(
    rows: Iterator[dict[str, Any]], declared: Sequence[str]
) -> tuple[list[str], Iterator[dict[str, Any]]]:
    """The columns of an export: the union of the keys of its first chunk of rows, in order of
    appearance (a nested object that is null in the first row must not lose its columns), or
    the serializer's declared columns when there is no row (an empty export still says what it
    would hold); and the rows again, the sampled ones first."""
    sample = list(itertools.islice(rows, CHUNK))
    header: dict[str, None] = {} if sample else dict.fromkeys(declared)
    for row in sample:
        header.update(dict.fromkeys(row))
    return list(header), itertools.chain(sample, rows)


def _without_format(request: Request) -> Request:
    """A copy of the request without `?format=`: DRF would otherwise carry it into every
    hyperlink of the export (…/forums/GRF23/?format=csv)."""
    clone = copy.copy(request)
    django_request = copy.copy(request._request)
    query = django_request.GET.copy()
    query.pop("format", None)
    django_request.GET = query  # type: ignore[assignment]  # a mutable copy; nothing writes it after
    clone._request = django_request
    return clone


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


if TYPE_CHECKING:
    # What the mixin is put before; at run time a plain class, so it stays a mixin.
    class _ListViewBase(ListModelMixin, GenericAPIView): ...
else:
    _ListViewBase = object


class ExportMixin(_ListViewBase):
    """Add to a list ViewSet: `?format=csv|xlsx` returns every filtered row as a download."""

    export_basename = "export"
    renderer_classes_extra = (CSVRenderer, XLSXRenderer)

    def handle_exception(self, exc: Exception) -> Any:
        # An error is no spreadsheet: it answers the API's JSON error, not a download of it.
        request = getattr(self, "request", None)
        renderer = getattr(request, "accepted_renderer", None)
        if request is not None and getattr(renderer, "format", None) in EXPORTS:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    def get_renderers(self) -> list[Any]:
        renderers = super().get_renderers()
        # Only lists export: `?format=xlsx` on a single object is not a spreadsheet (404).
        if getattr(self, "action", None) == "list":
            renderers += [r() for r in self.renderer_classes_extra]
        return renderers

    def export_serializer_class(self) -> Any:
        return self.get_serializer_class()

    def export_serializer(self) -> Serializer:
        context = dict(self.get_serializer_context())
        context["request"] = _without_format(context["request"])
        return self.export_serializer_class()(context=context)

    def export_rows(self, queryset: Any, serializer: BaseSerializer) -> Iterator[dict[str, Any]]:
        # One serializer for every row, as DRF's ListSerializer does: building one per row
        # re-copies all its fields each time, which more than doubled the cost of an export.
        for obj in queryset.iterator(chunk_size=CHUNK):
            yield flatten(serializer.to_representation(obj))

    def export_table(self, queryset: Any) -> tuple[Sequence[str], Iterator[dict[str, Any]]]:
        """The export's columns and its rows."""
        serializer = self.export_serializer()
        return _with_header(self.export_rows(queryset, serializer), declared_columns(serializer))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        fmt = getattr(request.accepted_renderer, "format", None)
        if fmt not in EXPORTS:
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        hxl = wants_hxl(request)
        header, rows = self.export_table(queryset)
        if fmt == "csv":
            return csv_download(self.export_basename, header, rows, hxl=hxl)
        return self._xlsx(header, rows)

    # (`list` is the view action above: annotations here use Sequence.)
    def _xlsx(self, header: Sequence[str], rows: Iterable[dict[str, Any]]) -> FileResponse:
        return xlsx_download(self.export_basename, header, rows)


def csv_download(
    basename: str, header: Sequence[str], rows: Iterable[dict[str, Any]], *, hxl: bool = False
) -> StreamingHttpResponse:
    """A CSV attachment streamed as its rows are read (API lists and the web's downloads);
    `hxl` adds the HXL hashtag row."""
    return _csv_response(basename, csv_lines(header, rows, hxl=hxl))


def csv_download_of_lines(
    basename: str, header: Sequence[str], lines: Iterable[bytes], *, hxl: bool = False
) -> StreamingHttpResponse:
    """`csv_download` of rows already written as CSV lines (by the database), after the same
    header (and HXL) lines."""
    return _csv_response(basename, itertools.chain(csv_lines(header, (), hxl=hxl), lines))


def _csv_response(basename: str, content: Iterable[str | bytes]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(basename, "csv")}"'
    return response


def xlsx_download(
    basename: str,
    header: Sequence[str],
    rows: Iterable[dict[str, Any]],
    *,
    title: str | None = None,
    cover: tuple[str, Sequence[tuple[str, str]]] | None = None,
) -> FileResponse:
    """An XLSX attachment (a StreamingHttpResponse reading the file from disk in blocks): the
    workbook is written row by row to a temporary file first, as the zip format needs."""
    return FileResponse(
        workbook_file(title or basename, header, rows, cover=cover),
        as_attachment=True,
        filename=_filename(basename, "xlsx"),
        content_type=XLSX_TYPE,
    )
