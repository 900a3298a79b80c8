"""Every write to attachments: adding a file to a pledge or a progress update, and removing one.

Adding is atomic in the sense people notice: a refused or failed upload leaves neither a record
nor a stored file. The file is checked (size, type from its content, virus scan) before anything
is stored; it is then stored under a random name and the record written in a transaction, and a
failure of that transaction deletes the stored file again. Removing deletes the file only once
the transaction that removed the record has committed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.audit import record_change
from pledges.exceptions import TransitionNotAllowed
from pledges.models import Pledge, PledgeUpdate, ReviewState, UpdateReviewState
from pledges.workflow import can_edit, is_active_member, is_secretariat

from .detection import ACCEPTED_EXTENSIONS, FileType, detect
from .models import Attachment
from .scanning import ScannerUnavailable, scanner
from .storage import attachment_storage, random_name

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

CLOSED_STATES = frozenset({ReviewState.WITHDRAWN, ReviewState.REJECTED, ReviewState.SUPERSEDED})
NAME_MAX_LENGTH = 200
# The extensions a name may keep for a detected type (any other is replaced by the type's).
_EXTENSIONS = {"jpg": {"jpg", "jpeg", "jpe"}}
_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f<>:"/\\|?*\u200b-\u200f\u202a-\u202e\u2066-\u2069]')
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks: its detected type, true size and digest."""

    type: FileType
    size: int
    sha256: str


def may_change_attachments(pledge: Pledge, update: PledgeUpdate | None, user: object) -> bool:
    """Who adds (and removes) files. On a pledge: whoever may edit it (`workflow.can_edit`:
    its entity's members while it is a draft or returned to them, the secretariat until it is
    closed), as the files are part of what is reviewed. On a progress update: while it awaits
    review, the members of the entity it reports for (the pledge's own, or a co-pledger's) and
    the secretariat."""
    if update is None:
        return can_edit(pledge, user)
    if update.review_state != UpdateReviewState.PENDING or pledge.review_state in CLOSED_STATES:
        return False
    return is_secretariat(user) or is_active_member(user, update.entity_id)


def may_remove_attachment(attachment: Attachment, user: object) -> bool:
    """Those who may add files may remove them while they may add; the secretariat may always
    remove one (a file that should never have been published)."""
    if is_secretariat(user):
        return True
    return may_change_attachments(attachment.pledge, attachment.update, user)


def _field_error(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def clean_name(name: str, file_type: FileType) -> str:
    """The name a download is offered under: the uploaded file's base name made safe, with the
    extension of the type its content has (a PDF called "photo.exe" downloads as photo.pdf)."""
    base = os.path.basename(name.replace("\\", "/")).strip()
    stem, extension = os.path.splitext(base)
    kept = _EXTENSIONS.get(file_type.extension, {file_type.extension})
    if extension.lower().lstrip(".") not in kept:
        extension = f".{file_type.extension}"
    # Spaces, parentheses and any script stay; what file systems and headers choke on goes.
    stem = " ".join(_UNSAFE.sub("", stem).split()).strip(" .")
    stem = stem[: NAME_MAX_LENGTH - len(extension)] or "attachment"
    return f"{stem}{extension}"


def check_file(file: IO[bytes], size: int) -> CheckedFile:
    """Refuse, with a message on the `file` field, a file that is empty, too large, of a type
    not accepted (read from the content) or infected; or that the scanner could not check."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if size == 0:
        raise _field_error(_("The file is empty."))
    if size > limit:
        raise _field_error(
            _("The file is %(size)s; files can be at most %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )
    digest = hashlib.sha256()
    read = 0
    file.seek(0)
    while chunk := file.read(_CHUNK):
        digest.update(chunk)
        read += len(chunk)
        if read > limit:
            raise _field_error(
                _("Files can be at most %(limit)s.") % {"limit": filesizeformat(limit)}
            )
    file.seek(0)
    file_type = detect(file)
    if file_type is None:
        raise _field_error(
            _(
                "This kind of file is not accepted (its content was checked, not its name). "
                "Accepted: %(types)s."
            )
            % {"types": ", ".join(ACCEPTED_EXTENSIONS)}
        )
    try:
        verdict = scanner()(file)
    except ScannerUnavailable:
        logger.exception("The virus scanner could not check an upload")
        raise _field_error(
            _("The file could not be checked for viruses just now. Try again later.")
        ) from None
    file.seek(0)
    if verdict.infected:
        raise _field_error(
            _("The virus scanner found “%(name)s” in this file: it was not accepted.")
            % {"name": verdict.signature or _("a virus")}
        )
    return CheckedFile(type=file_type, size=read, sha256=digest.hexdigest())


def _check_room(pledge: Pledge, update: PledgeUpdate | None) -> None:
    limit = settings.ATTACHMENT_MAX_PER_RECORD
    existing = Attachment.objects.filter(pledge=pledge, update=update).count()
    if existing >= limit:
        raise _field_error(
            ngettext(
                "At most %(limit)s file can be attached here: remove one first.",
                "At most %(limit)s files can be attached here: remove one first.",
                limit,
            )
            % {"limit": limit}
        )


def _require_may_change(pledge: Pledge, update: PledgeUpdate | None, by: User) -> None:
    if update is not None and update.pledge_id != pledge.pk:
        raise ValidationError({"update": [_("This update is not one of the pledge's.")]})
    if may_change_attachments(pledge, update, by):
        return
    if update is not None and update.review_state != UpdateReviewState.PENDING:
        raise TransitionNotAllowed(_("Files can be attached to updates awaiting review only."))
    raise PermissionDenied(_("You cannot attach files here."))


def _touch(pledge_id: int, update: PledgeUpdate | None) -> None:
    """The pledge (or update) shows its files, so incremental sync (`updated_since`) and ETags
    must see them change. Not the pledge's `version`: adding a file on its page must not make
    an editor's open form stale."""
    now = timezone.now()
    if update is None:
        Pledge.objects.filter(pk=pledge_id).update(updated_at=now)
    else:
        PledgeUpdate.objects.filter(pk=update.pk).update(updated_at=now)


def add_attachment(
    *,
    pledge: Pledge,
    file: IO[bytes],
    name: str,
    size: int,
    by: User,
    update: PledgeUpdate | None = None,
) -> Attachment:
    """Attach `file` (uploaded as `name`, `size` bytes) to `pledge`, or to its progress update
    `update`. Raises ValidationError on the `file` field (nothing stored), PermissionDenied or
    TransitionNotAllowed."""
    _require_may_change(pledge, update, by)
    _check_room(pledge, update)
    checked = check_file(file, size)
    storage = attachment_storage()
    stored = storage.save(random_name(), file)
    try:
        with transaction.atomic():
            # The parent's row lock makes the bound on the number of files hold when two
            # uploads arrive together.
            locked: type[Pledge] | type[PledgeUpdate] = PledgeUpdate if update else Pledge
            locked.objects.select_for_update().filter(pk=(update or pledge).pk).exists()
            _check_room(pledge, update)
            attachment = Attachment.objects.create(
                pledge=pledge,
                update=update,
                file=stored,
                name=clean_name(name, checked.type),
                content_type=checked.type.mime,
                size=checked.size,
                sha256=checked.sha256,
                uploaded_by=by,
            )
            record_change(
                attachment,
                action="attachments.attachment.added",
                by=by,
                data=_audit_data(attachment),
            )
            _touch(pledge.pk, update)
    except BaseException:
        # Nothing half-done: the record was not written, so the stored file goes too.
        storage.delete(stored)
        raise
    return attachment


def _audit_data(attachment: Attachment) -> dict[str, object]:
    return {
        "pledge": attachment.pledge.reference,
        "update": str(attachment.update.public_id) if attachment.update else None,
        "name": attachment.name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
    }


@transaction.atomic
def remove_attachment(*, attachment: Attachment, by: User) -> None:
    """Remove an attachment (audited); its stored file is deleted once this commits."""
    if not may_remove_attachment(attachment, by):
        raise PermissionDenied(_("You cannot remove this file."))
    locked = Attachment.objects.select_for_update().filter(pk=attachment.pk).first()
    if locked is None:
        return  # removed meanwhile (a double click)
    record_change(
        attachment, action="attachments.attachment.removed", by=by, data=_audit_data(attachment)
    )
    stored = locked.file.name or ""
    locked.delete()
    _touch(attachment.pledge_id, attachment.update)
    transaction.on_commit(lambda: attachment_storage().delete(stored))
