"""What a file is, read from its content (never from its name): PDF, the Office Open XML and
OpenDocument formats, CSV, and the common photo formats. Anything else is refused.

Magic numbers come from puremagic (pure Python, no libmagic). The Office formats are ZIP
containers, which magic numbers cannot tell apart (a .docx, a .xlsx and any .zip begin alike), so
the container's own manifest decides: OpenDocument's `mimetype` entry, Office Open XML's
`[Content_Types].xml` main part. Macro-enabled Office files (.docm, .xlsm, .pptm) and the
legacy binary formats (.doc, .xls, .ppt) are refused: ask for the file saved as .docx etc.
CSV has no magic number: it is text (UTF-8, or Windows-1252) with no control characters that
the csv module reads as rows of at least two columns.
"""

import codecs
import csv
import re
import zipfile
from dataclasses import dataclass
from typing import IO

import puremagic
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class FileType:
    """An accepted kind of file: its media type, the extension a download gets, and its label."""

    mime: str
    extension: str
    label: StrOrPromise


def _types(*rows: tuple[str, str, StrOrPromise]) -> dict[str, FileType]:
    return {mime: FileType(mime, extension, label) for mime, extension, label in rows}


OOXML = "application/vnd.openxmlformats-officedocument"
ODF = "application/vnd.oasis.opendocument"
ACCEPTED = _types(
    ("application/pdf", "pdf", _("PDF document")),
    (f"{OOXML}.wordprocessingml.document", "docx", _("Word document")),
    (f"{OOXML}.spreadsheetml.sheet", "xlsx", _("Excel spreadsheet")),
    (f"{OOXML}.presentationml.presentation", "pptx", _("PowerPoint presentation")),
    (f"{ODF}.text", "odt", _("OpenDocument text")),
    (f"{ODF}.spreadsheet", "ods", _("OpenDocument spreadsheet")),
    (f"{ODF}.presentation", "odp", _("OpenDocument presentation")),
    ("text/csv", "csv", _("CSV table")),
    ("image/jpeg", "jpg", _("JPEG image")),
    ("image/png", "png", _("PNG image")),
    ("image/gif", "gif", _("GIF image")),
    ("image/webp", "webp", _("WebP image")),
)
# What the upload form's hint lists.
ACCEPTED_EXTENSIONS = sorted({t.extension for t in ACCEPTED.values()})

# The main part of each Office Open XML document, as `[Content_Types].xml` names it.
_OOXML_MAIN = {
    f"{OOXML}.wordprocessingml.document.main+xml": f"{OOXML}.wordprocessingml.document",
    f"{OOXML}.spreadsheetml.sheet.main+xml": f"{OOXML}.spreadsheetml.sheet",
    f"{OOXML}.presentationml.presentation.main+xml": f"{OOXML}.presentationml.presentation",
}
_CONTENT_TYPE = re.compile(rb'ContentType="([^"]+)"')
# A manifest is a few kilobytes; reading at most this much keeps a ZIP bomb harmless.
_MANIFEST_LIMIT = 1024 * 1024
_HEAD = 64 * 1024
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def detect(file: IO[bytes]) -> FileType | None:
    """The accepted type of `file` (a seekable binary file, left at its start), or None."""
    file.seek(0)
    head = file.read(_HEAD)
    file.seek(0)
    if not head:
        return None
    try:
        if head.startswith(b"PK\x03\x04"):
            return _container(file)
        return _magic(head) or _csv(head)
    finally:
        file.seek(0)


def _container(file: IO[bytes]) -> FileType | None:
    try:
        archive = zipfile.ZipFile(file)
        names = set(archive.namelist())
        if "mimetype" in names:
            with archive.open("mimetype") as entry:
                mime = entry.read(200).decode("ascii", "replace").strip()
            return ACCEPTED.get(mime) if mime.startswith(ODF) else None
        if "[Content_Types].xml" in names:
            with archive.open("[Content_Types].xml") as entry:
                manifest = entry.read(_MANIFEST_LIMIT)
            kinds = {
                _OOXML_MAIN.get(match.decode("ascii", "replace"))
                for match in _CONTENT_TYPE.findall(manifest)
            } - {None}
            # One main part; a macro-enabled document declares another one (…macroEnabled…).
            if len(kinds) == 1 and b"macroEnabled" not in manifest:
                return ACCEPTED[kinds.pop()]  # type: ignore[index]  # not None: removed above
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        return None
    return None


def _magic(head: bytes) -> FileType | None:
    """The type of the best-matching magic numbers, if it is an accepted one (and not a ZIP or
    text format, which are read above and below)."""
    try:
        matches = puremagic.magic_string(head)
    except puremagic.PureError:
        return None
    if not matches:
        return None
    best = max(match.confidence for match in matches)
    for match in matches:
        if match.confidence == best and match.mime_type in ACCEPTED:
            found = ACCEPTED[match.mime_type]
            return None if found.mime == "text/csv" else found
    return None


def _text(head: bytes) -> str | None:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None  # spreadsheets write CSV as UTF-8 or Windows-1252; keep the rule small
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        return decoder.decode(head, final=False)  # the head may cut a character in two
    except UnicodeDecodeError:
        pass
    try:
        return head.decode("cp1252")
    except UnicodeDecodeError:
        return None


def _csv(head: bytes) -> FileType | None:
    text = _text(head)
    if text is None or _CONTROL.search(text) or text.lstrip().startswith("<"):
        return None
    lines = text.splitlines()
    sample = "\n".join(lines[:50] if len(lines) > 1 else lines)
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return None
    rows = [row for row in csv.reader(sample.splitlines(), dialect) if row]
    if not rows or len(rows[0]) < 2:
        return None
    return ACCEPTED["text/csv"]
