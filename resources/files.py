"""A resource's optional file: what it may be, told from its first bytes (never its name).

Kept minimal on purpose: the attachments of pledges and updates bring the full machinery
(storage settings, scanner hook); a resource's file goes through Django's default storage.
"""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

# (leading bytes, MIME type) of the formats a resource file may have.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    # Office Open XML (docx, xlsx, pptx) and OpenDocument files are ZIP archives.
    (b"PK\x03\x04", "application/zip"),
    # Older Office files (doc, xls, ppt).
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
)


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still text.
        return error.start >= len(head) - 3
    return True


def checked_file_type(upload: UploadedFile) -> str:
    """The MIME type detected from the file's content; ValidationError for anything else."""
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    for signature, mime in SIGNATURES:
        if head.startswith(signature):
            return mime
    if head and _is_text(head) and not head.lstrip().startswith((b"<", b"{")):
        return "text/csv"
    raise ValidationError(
        _("This file is not a PDF, an Office document, a CSV file or a PNG or JPEG image.")
    )
