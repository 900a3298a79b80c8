"""Read an uploaded CSV or XLSX as rows of cells, streamed, whatever shape real exports have.

CSV: the encoding is detected by charset-normalizer (UTF-8 with or without BOM, UTF-16,
Windows-1252…) and the separator (`;`, `,`, tab) sniffed from the first lines. XLSX: openpyxl in
read-only mode with `data_only` (a formula gives its cached value), one sheet chosen by name.
The header row is the first of the first lines that names known columns, unless given. Rows that
are empty (trailing rows, spacer rows) are skipped. A file that cannot be read raises
`UnreadableFile` with a message for the user, never anything else.
"""

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from charset_normalizer import from_bytes
from django.utils.translation import gettext as _

# How far down the header row is looked for.
HEADER_SEARCH_ROWS = 30
# How much of a CSV the encoding and separator are guessed from.
SAMPLE_BYTES = 256 * 1024
SEPARATORS = ";,\t|"
XLSX_MAGIC = b"PK\x03\x04"

Cell = str | int | float | dt.datetime | dt.date | dt.time | None


class UnreadableFile(Exception):
    """The file cannot be read as a table; the message says why, for the user."""


@dataclass
class Table:
    """A file's header (its cells as text) and its data rows, numbered as the user sees them
    (the spreadsheet's row number, the CSV's line number for one-line records)."""

    headers: list[str]
    header_row: int
    rows: Callable[[], Iterator[tuple[int, list[Cell]]]]
    sheet: str = ""
    sheets: tuple[str, ...] = ()


def is_xlsx(content: bytes) -> bool:
    return content.startswith(XLSX_MAGIC)


def sheet_names(content: bytes) -> list[str]:
    """The sheets of an XLSX file (empty for a CSV)."""
    if not is_xlsx(content):
        return []
    workbook = _open_workbook(content)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def read_table(
    content: bytes,
    *,
    sheet: str = "",
    header_row: int | None = None,
    looks_like_header: Callable[[list[str]], bool] = lambda cells: True,
) -> Table:
    """The table of `content`. `looks_like_header(cells)` says whether a row is the header
    (the first that does, within HEADER_SEARCH_ROWS, is taken) unless `header_row` is given."""
    if not content.strip():
        raise UnreadableFile(_("The file is empty."))
    if is_xlsx(content):
        return _xlsx_table(content, sheet, header_row, looks_like_header)
    if content[:8].startswith((b"\xd0\xcf\x11\xe0",)):
        raise UnreadableFile(
            _("This is an old Excel file (.xls). Save it as .xlsx or CSV and upload it again.")
        )
    return _csv_table(content, header_row, looks_like_header)


def _is_empty(cells: list[Cell]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _as_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _find_header(
    rows: Iterator[tuple[int, list[Cell]]],
    header_row: int | None,
    looks_like_header: Callable[[list[str]], bool],
) -> tuple[int, list[str]]:
    first_non_empty: tuple[int, list[str]] | None = None
    for number, cells in rows:
        texts = [_as_text(c) for c in cells]
        if header_row is not None:
            if number == header_row:
                return number, texts
            if number > header_row:
                break
            continue
        if _is_empty(cells):
            continue
        if first_non_empty is None:
            first_non_empty = (number, texts)
        if looks_like_header(texts):
            return number, texts
        if number >= HEADER_SEARCH_ROWS:
            break
    if header_row is not None:
        raise UnreadableFile(
            _("The file has no row %(row)s to read the column names from.") % {"row": header_row}
        )
    if first_non_empty is None:
        raise UnreadableFile(_("The file has no rows."))
    raise UnreadableFile(
        _(
            "No row among the first %(count)s names the columns we know. Give the number of "
            "the header row, or check that this is the right file or sheet."
        )
        % {"count": HEADER_SEARCH_ROWS}
    )


def _data_rows(
    rows: Iterator[tuple[int, list[Cell]]], header_row: int, width: int
) -> Iterator[tuple[int, list[Cell]]]:
    for number, cells in rows:
        if number <= header_row or _is_empty(cells):
            continue
        yield number, (list(cells) + [None] * width)[:width]


# --- CSV ------------------------------------------------------------------------------------


def detect_encoding(content: bytes) -> str:
    """The encoding of a CSV: a BOM decides; else charset-normalizer's best guess over the
    first SAMPLE_BYTES (Windows-1252 is what Excel writes when not told otherwise)."""
    if content.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        content[:SAMPLE_BYTES].decode("utf-8")
    except UnicodeDecodeError as error:
        # A sample cut inside a character is still UTF-8.
        if error.start < min(len(content), SAMPLE_BYTES) - 4:
            guess = from_bytes(content[:SAMPLE_BYTES]).best()
            if guess is None:
                raise UnreadableFile(
                    _("The file's text encoding could not be recognised. Save it as UTF-8 CSV.")
                ) from None
            return str(guess.encoding)
    return "utf-8"


def _sniff_separator(sample: str) -> str:
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=SEPARATORS).delimiter
    except csv.Error:
        # The most frequent candidate on the busiest line (a title line has none).
        counts = {sep: max(line.count(sep) for line in lines) for sep in SEPARATORS}
        return max(counts, key=lambda sep: counts[sep])


def _csv_table(
    content: bytes, header_row: int | None, looks_like_header: Callable[[list[str]], bool]
) -> Table:
    encoding = detect_encoding(content)
    try:
        sample = content[:SAMPLE_BYTES].decode(encoding, errors="ignore")
    except LookupError:
        raise UnreadableFile(_("The file's text encoding is not supported.")) from None
    if "\x00" in sample:
        raise UnreadableFile(_("This does not look like a CSV or XLSX file."))
    separator = _sniff_separator(sample.lstrip("\ufeff"))

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        stream = io.TextIOWrapper(io.BytesIO(content), encoding=encoding, newline="")
        reader = csv.reader(stream, delimiter=separator)
        try:
            for cells in reader:
                yield reader.line_num, list(cells)
        except (UnicodeDecodeError, csv.Error) as error:
            raise UnreadableFile(
                _("Line %(line)s of the file cannot be read (%(error)s).")
                % {"line": reader.line_num + 1, "error": error}
            ) from None

    number, headers = _find_header(rows(), header_row, looks_like_header)
    width = len(headers)
    return Table(headers=headers, header_row=number, rows=lambda: _data_rows(rows(), number, width))


# --- XLSX -----------------------------------------------------------------------------------


def _open_workbook(content: bytes) -> Any:
    # Imported here: a web worker that never reads a workbook never loads openpyxl (~6 MB).
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise UnreadableFile(_("This XLSX file cannot be opened; is it damaged?")) from None


def _xlsx_table(
    content: bytes,
    sheet: str,
    header_row: int | None,
    looks_like_header: Callable[[list[str]], bool],
) -> Table:
    workbook = _open_workbook(content)
    names = tuple(workbook.sheetnames)
    workbook.close()
    if sheet and sheet not in names:
        raise UnreadableFile(
            _("The file has no sheet “%(sheet)s”; its sheets are: %(sheets)s.")
            % {"sheet": sheet, "sheets": ", ".join(names)}
        )
    chosen = sheet or names[0]

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        book = _open_workbook(content)
        try:
            # Cells of a merged range other than its first are empty in read-only mode: a
            # merged title above the header is skipped, a merged value counts once.
            for number, values in enumerate(book[chosen].iter_rows(values_only=True), start=1):
                yield number, list(values)
        finally:
            book.close()

    number, headers = _find_header(rows(), header_row, looks_like_header)
    width = len(headers)
    return Table(
        headers=headers,
        header_row=number,
        rows=lambda: _data_rows(rows(), number, width),
        sheet=chosen,
        sheets=names,
    )
