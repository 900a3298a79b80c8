"""Small files of every kind the attachment tests upload, made here (no fixtures on disk)."""

import io
import zipfile

import openpyxl

PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5b1c5a10000000049454e44ae426082"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
CSV = b"Country;Schools;Pupils\nKenya;12;3400\nUganda;8;2100\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
OLE_DOC = bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 600
# The EICAR test file: every virus scanner reports it, and it is harmless.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"

_OOXML = "application/vnd.openxmlformats-officedocument"


def _zip(entries: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _ooxml(main: str, part: str) -> bytes:
    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Override PartName="/{part}" ContentType="{main}"/></Types>'
    )
    return _zip({"[Content_Types].xml": types, part: "<x/>"})


DOCX = _ooxml(f"{_OOXML}.wordprocessingml.document.main+xml", "word/document.xml")
PPTX = _ooxml(f"{_OOXML}.presentationml.presentation.main+xml", "ppt/presentation.xml")
DOCM = _ooxml("application/vnd.ms-word.document.macroEnabled.main+xml", "word/document.xml")
ODT = _zip({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"})
ZIP = _zip({"notes.txt": "not an office document"})


def xlsx() -> bytes:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()
