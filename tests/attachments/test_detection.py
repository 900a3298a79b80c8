"""The type of a file is read from its content: the accepted kinds are recognised whatever
their name, and anything else is refused (no database)."""

import io

import pytest

from attachments.detection import detect

from . import files


@pytest.mark.parametrize(
    ("content", "mime"),
    [
        (files.PDF, "application/pdf"),
        (files.PNG, "image/png"),
        (files.JPEG, "image/jpeg"),
        (files.GIF, "image/gif"),
        (files.CSV, "text/csv"),
        (files.DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (files.PPTX, "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        (files.xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (files.ODT, "application/vnd.oasis.opendocument.text"),
    ],
    ids=["pdf", "png", "jpeg", "gif", "csv", "docx", "pptx", "xlsx", "odt"],
)
def test_accepted_kinds_are_recognised_when_read_from_their_content(
    content: bytes, mime: str
) -> None:
    found = detect(io.BytesIO(content))

    assert found is not None
    assert found.mime == mime


@pytest.mark.parametrize(
    "content",
    [files.EXE, files.HTML, files.SVG, files.OLE_DOC, files.DOCM, files.ZIP, b"", b"just text"],
    ids=["exe", "html", "svg", "legacy-doc", "docm", "zip", "empty", "one-column-text"],
)
def test_other_kinds_are_refused_when_read_from_their_content(content: bytes) -> None:
    assert detect(io.BytesIO(content)) is None
