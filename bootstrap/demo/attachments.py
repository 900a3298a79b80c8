"""A few small attachments on the showcase entity's pledges and updates, clearly marked as demo
files (their names and their content say so). Written directly, as the rest of the demo is, but
checked by the attachments service's own checks (type from content, size, scanner)."""

import io
import zlib

from django.db.models import Q

from accounts.models import User
from attachments.models import Attachment
from attachments.services import check_file, clean_name
from attachments.storage import attachment_storage, random_name
from pledges.models import Pledge, PledgeUpdate, ReviewState, UpdateReviewState

NOTE = "DEMO FILE - invented for the Compact Pledge Tracker demo, not a real document."


def _pdf(title: str) -> bytes:
    """A one-page PDF that says what it is."""
    text = f"BT /F1 14 Tf 40 760 Td ({title}) Tj 0 -24 Td ({NOTE}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _png() -> bytes:
    """An 8×8 grey square (a "photo" placeholder)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = (8).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0])  # 8×8, 8-bit greyscale
    pixels = b"".join(b"\x00" + bytes([160] * 8) for _ in range(8))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"tEXt", b"Comment\x00" + NOTE.encode())
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


def _csv() -> bytes:
    rows = ["Note;Country;Pupils enrolled", f"{NOTE};Kenya;120", f"{NOTE};Uganda;85"]
    return ("\r\n".join(rows) + "\r\n").encode()


FILES = (
    ("DEMO - signed agreement (not a real document).pdf", _pdf("DEMO - signed agreement")),
    ("DEMO - monitoring data (invented).csv", _csv()),
    ("DEMO - photo placeholder.png", _png()),
)


def _attach(pledge_id: int, update_id: int | None, name: str, content: bytes, by: User) -> None:
    file = io.BytesIO(content)
    checked = check_file(file, len(content))
    stored = attachment_storage().save(random_name(), file)
    Attachment.objects.create(
        pledge_id=pledge_id,
        update_id=update_id,
        file=stored,
        name=clean_name(name, checked.type),
        content_type=checked.type.mime,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by,
    )


def create_demo_attachments(*, showcase_entity_id: int, uploader: User) -> int:
    """Attach the demo files to the showcase entity's first published pledges, one draft, and
    a few of their progress updates (approved and pending). Returns how many were attached."""
    mine = Pledge.objects.filter(entity_id=showcase_entity_id).order_by("reference")
    published = list(mine.filter(review_state=ReviewState.PUBLISHED).values_list("pk", flat=True))
    draft = mine.filter(review_state=ReviewState.DRAFT).values_list("pk", flat=True).first()
    updates = list(
        PledgeUpdate.objects.filter(pledge_id__in=published[:6])
        .filter(
            Q(review_state=UpdateReviewState.APPROVED) | Q(review_state=UpdateReviewState.PENDING)
        )
        .order_by("pledge__reference", "-reported_on")
        .values_list("pledge_id", "pk")[:3]
    )
    targets: list[tuple[int, int | None]] = [(pk, None) for pk in published[:2]]
    if draft is not None:
        targets.append((draft, None))
    targets += updates
    for index, (pledge_id, update_id) in enumerate(targets):
        name, content = FILES[index % len(FILES)]
        _attach(pledge_id, update_id, name, content, uploader)
    return len(targets)
