"""A streaming XLSX writer for large tables: each sheet's XML is written row by row into the
zip, from plain tuples, with inline strings and a fixed set of styles.

openpyxl's write-only mode builds a cell object and an XML element per cell in pure Python
(without lxml, which the project does not install): ~4,000 rows of 6 cells a second, a minute
for the secretariat report of a compact of 100,000 pledges. Formatting the same rows as text
is ~40× faster. The file is a plain SpreadsheetML workbook that Excel, LibreOffice and openpyxl
read (the tests read every file back with openpyxl).

Formulas cannot be written at all: every text is an inline string (`t="inlineStr"`), never a
`<f>`; text a spreadsheet would evaluate once edited (`core.spreadsheets.is_formula_like`)
gets Excel's quote prefix, as `core.spreadsheets.xlsx_cell` does for openpyxl.
"""

import datetime as dt
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

from .spreadsheets import _XLSX_SPECIAL, ILLEGAL_CHARACTERS_RE, is_formula_like

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

# Indexes into the styles' cellXfs below.
BOLD, TITLE, DATE, DATETIME, QUOTED = 1, 2, 3, 4, 5
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{MAIN}"><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>\
<numFmt numFmtId="165" formatCode="yyyy-mm-dd h:mm:ss"/></numFmts>\
<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font>\
<font><b/><sz val="11"/><name val="Calibri"/></font>\
<font><b/><sz val="14"/><name val="Calibri"/></font></fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/></cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""
# Excel's day 0; naive like the cells' datetimes (converted to local time first).
EPOCH = dt.datetime(1899, 12, 30)  # noqa: DTZ001
EPOCH_ORDINAL = EPOCH.toordinal()
UTC_EPOCH = EPOCH.replace(tzinfo=dt.UTC)
NO_OFFSET = dt.timedelta(0)
# Rows formatted before each write into the zip.
BATCH = 2000


class Styled:
    """A cell value with one of the styles above (a bold header, the title)."""

    __slots__ = ("style", "value")

    def __init__(self, value: Any, style: int) -> None:
        self.value = value
        self.style = style


def _text(value: str, style: int = 0) -> str:
    if not value.isprintable() and ILLEGAL_CHARACTERS_RE.search(value):
        # Control characters XML cannot hold.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not style and value.startswith(_XLSX_SPECIAL) and is_formula_like(value):
        style = QUOTED
    s = f' s="{style}"' if style else ""
    return f'<c{s} t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'


def _days(value: dt.datetime, tz: dt.tzinfo) -> float:
    """Excel's serial day number of `value` in the site's local time (spreadsheets have no
    time zones): its distance from day 0 plus the zone's offset at that instant, the same
    figure as subtracting day 0 from the naive local time, without building that datetime
    (most of a long report's time went there)."""
    if value.tzinfo is None:
        return (value - EPOCH).total_seconds() / 86400
    if tz is dt.UTC:  # the site's default: no offset to look up
        return (value - UTC_EPOCH).total_seconds() / 86400
    local = value - UTC_EPOCH + (value.astimezone(tz).utcoffset() or NO_OFFSET)
    return local.total_seconds() / 86400


def _cell(value: Any, tz: dt.tzinfo, style: int = 0) -> str:
    """One cell's XML. Cells carry no reference: each is the next of its row (empty cells are
    written, as `<c/>`), which the format allows and saves formatting one per cell."""
    if isinstance(value, str):
        return _text(value, style)
    s = f' s="{style}"' if style else ""
    if value is None:
        return f"<c{s}/>"
    if isinstance(value, bool):
        return f'<c{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | Decimal):
        return f"<c{s}><v>{value}</v></c>"
    if isinstance(value, dt.datetime):
        return f'<c s="{style or DATETIME}"><v>{_days(value, tz)!r}</v></c>'
    if isinstance(value, dt.date):
        return f'<c s="{style or DATE}"><v>{value.toordinal() - EPOCH_ORDINAL}</v></c>'
    if isinstance(value, Styled):
        return _cell(value.value, tz, value.style)
    return _text(str(value), style)  # a lazy translation, a UUID…


def _row(values: Sequence[Any], tz: dt.tzinfo) -> str:
    """A row's XML; the common cells (text, numbers, nothing) inline: this runs per cell of
    lists of 100,000s of rows."""
    cells = []
    for value in values:
        kind = type(value)
        if kind is str and value.isprintable() and not value.startswith(_XLSX_SPECIAL):
            if "&" in value or "<" in value or ">" in value:  # most texts need no escaping
                value = escape(value)
            cells.append(f'<c t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>')
        elif kind is int or kind is Decimal:
            cells.append(f"<c><v>{value}</v></c>")
        elif value is None:
            cells.append("<c/>")
        elif kind is dt.datetime:
            cells.append(f'<c s="{DATETIME}"><v>{_days(value, tz)!r}</v></c>')
        elif kind is dt.date:
            cells.append(f'<c s="{DATE}"><v>{value.toordinal() - EPOCH_ORDINAL}</v></c>')
        else:
            cells.append(_cell(value, tz))
    return f"<row>{''.join(cells)}</row>"


class StreamingWorkbook:
    """Sheets written one after the other into `handle` (a file opened for writing bytes);
    `close()` adds the workbook's parts. Memory holds one batch of rows at a time."""

    def __init__(self, handle: IO[bytes], tz: dt.tzinfo) -> None:
        self.zip = zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.titles: list[str] = []
        # The site's default zone as `dt.UTC`, which `_days` knows needs no offset lookup.
        self.tz = dt.UTC if str(tz) == "UTC" else tz

    def sheet(self, title: str, rows: Iterable[Sequence[Any]]) -> None:
        self.titles.append(title[:31])
        path = f"xl/worksheets/sheet{len(self.titles)}.xml"
        with self.zip.open(path, "w", force_zip64=True) as out:
            out.write(
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<worksheet xmlns="{MAIN}"><sheetData>'.encode()
            )
            batch: list[str] = []
            for row in rows:
                batch.append(_row(row, self.tz))
                if len(batch) >= BATCH:
                    out.write("".join(batch).encode())
                    batch = []
            out.write(("".join(batch) + "</sheetData></worksheet>").encode())

    def close(self) -> None:
        sheets = range(1, len(self.titles) + 1)
        self.zip.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{SHEET_TYPE}"/>'
                for i in sheets
            )
            + "</Types>",
        )
        self.zip.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
            f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        self.zip.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
            + "".join(
                f'<sheet name={quoteattr(title)} sheetId="{i}" r:id="rId{i}"/>'
                for i, title in enumerate(self.titles, start=1)
            )
            + "</sheets></workbook>",
        )
        self.zip.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{PACKAGE_RELS}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{RELS}/worksheet" '
                f'Target="worksheets/sheet{i}.xml"/>'
                for i in sheets
            )
            + f'<Relationship Id="rIdStyles" Type="{RELS}/styles" Target="styles.xml"/>'
            "</Relationships>",
        )
        self.zip.writestr("xl/styles.xml", STYLES)
        self.zip.close()


def header(values: Sequence[Any]) -> list[Styled]:
    """A bold header row."""
    return [Styled(value, BOLD) for value in values]
