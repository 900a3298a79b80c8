"""Every write of the resource library: curating, submitting practices, review decisions and
the practice criteria. Each is keyword-only, atomic and audited (`core.audit.record_change`);
bad input raises ValidationError with field messages and changes nothing.

A file is stored only after everything else about the resource was checked, under a random
name; if the transaction fails after that, the file is deleted again, so no orphan remains.
"""

from __future__ import annotations

import mimetypes
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compacts.models import GuidingPrinciple, Objective, ThematicArea
from core.audit import record_change
from core.models import Country
from pledges.exceptions import TransitionNotAllowed
from pledges.models import Entity, Pledge
from pledges.workflow import Actor, is_active_member, is_secretariat

from . import notifications
from .files import checked_file_type
from .models import LibrarySettings, Resource, ResourceLanguage, ResourceState, ResourceType
from .workflow import REASON_MAX_LENGTH, RESOURCE_TRANSITIONS, available_transitions, can_edit

if TYPE_CHECKING:
    import datetime as dt

    from accounts.models import User

# The largest file a resource may carry (the GCM pledge form's attachment limit).
FILE_MAX_BYTES: int = getattr(settings, "RESOURCE_FILE_MAX_BYTES", 25 * 1024 * 1024)


@dataclass
class ResourceInput:
    """A resource's content as a form, the import or the demo gives it."""

    title: str
    url: str = ""
    summary: str = ""
    resource_type: str = ResourceType.PUBLICATION
    publisher: str = ""
    date: dt.date | None = None
    languages: list[str] = field(default_factory=list)
    region: str = ""
    countries: list[Country] = field(default_factory=list)
    objectives: list[Objective] = field(default_factory=list)
    principles: list[GuidingPrinciple] = field(default_factory=list)
    thematic_areas: list[ThematicArea] = field(default_factory=list)
    pledges: list[Pledge] = field(default_factory=list)
    # A new file to store (replacing any stored one); `None` keeps what is stored.
    upload: UploadedFile | None = None
    remove_file: bool = False
    is_demo: bool = False

    @classmethod
    def from_resource(cls, resource: Resource) -> ResourceInput:
        return cls(
            title=resource.title,
            url=resource.url,
            summary=resource.summary,
            resource_type=resource.resource_type,
            publisher=resource.publisher,
            date=resource.date,
            languages=list(resource.languages),
            region=resource.region,
            countries=list(resource.countries.all()),
            objectives=list(resource.objectives.all()),
            principles=list(resource.principles.all()),
            thematic_areas=list(resource.thematic_areas.all()),
            pledges=list(resource.pledges.all()),
            is_demo=resource.is_demo,
        )


SCALARS = ("title", "url", "summary", "resource_type", "publisher", "date", "region", "is_demo")
RELATIONS = ("countries", "objectives", "principles", "thematic_areas", "pledges")


def _validate(data: ResourceInput, *, has_file: bool) -> str:
    """Field messages for everything wrong with `data`; the detected file type when a file
    is uploaded."""
    errors: dict[str, list[str]] = {}
    data.title = " ".join(data.title.split())
    data.url = data.url.strip()
    if not data.title:
        errors.setdefault("title", []).append(_("Enter a title."))
    if data.resource_type not in ResourceType.values:
        errors.setdefault("resource_type", []).append(_("Choose a type."))
    unknown = [code for code in data.languages if code not in ResourceLanguage.values]
    if unknown:
        errors.setdefault("languages", []).append(
            _("Unknown language: %(codes)s.") % {"codes": ", ".join(unknown)}
        )
    file_type = ""
    if data.upload is not None:
        if data.upload.size is not None and data.upload.size > FILE_MAX_BYTES:
            errors.setdefault("upload", []).append(
                _("The file is larger than %(size)s MB.") % {"size": FILE_MAX_BYTES // 2**20}
            )
        else:
            try:
                file_type = checked_file_type(data.upload)
            except ValidationError as error:
                errors.setdefault("upload", []).extend(error.messages)
    keeps_file = data.upload is not None or (has_file and not data.remove_file)
    if not data.url and not keeps_file:
        errors.setdefault("url", []).append(_("Give the resource's address or upload its file."))
    if errors:
        raise ValidationError(errors)
    return file_type


def _file_name(upload: UploadedFile, file_type: str) -> str:
    """A random stored name; the extension follows the detected type, not the upload's name."""
    return f"{uuid.uuid4().hex}{mimetypes.guess_extension(file_type) or ''}"


def _write(resource: Resource, data: ResourceInput, file_type: str, stored: list[str]) -> list[str]:
    """Apply `data` to `resource` and save it; the names of the fields that changed."""
    changed = [name for name in SCALARS if getattr(resource, name) != getattr(data, name)]
    for name in SCALARS:
        setattr(resource, name, getattr(data, name))
    languages = list(dict.fromkeys(data.languages)) or [ResourceLanguage.ENGLISH.value]
    if list(resource.languages) != languages:
        changed.append("languages")
    resource.languages = languages
    resource.language = languages[0]
    old_file = resource.file.name if resource.file else ""
    if data.upload is not None:
        resource.file.save(_file_name(data.upload, file_type), data.upload, save=False)
        resource.file_name = (data.upload.name or "")[-255:]
        resource.file_type = file_type
        changed.append("file")
        stored.append(resource.file.name or "")
    elif data.remove_file and old_file:
        resource.file = ""
        resource.file_name = resource.file_type = ""
        changed.append("file")
    resource.full_clean(exclude=["file", "entity", "submitted_by"])
    resource.save()
    for name in RELATIONS:
        wanted = {obj.pk for obj in getattr(data, name)}
        current = set(getattr(resource, name).values_list("pk", flat=True))
        if wanted != current:
            getattr(resource, name).set(wanted)
            changed.append(name)
    if old_file and old_file != (resource.file.name if resource.file else ""):
        name = old_file
        storage = resource.file.storage
        transaction.on_commit(lambda: storage.delete(name))
    return changed


class _atomic_with_files:
    """`transaction.atomic()` that deletes the files stored inside it (`stored`) when it
    rolls back, so that a failure midway leaves no orphan file. (Imports store no files, so
    an outer transaction rolled back later has none to leave.)"""

    def __init__(self) -> None:
        self.stored: list[str] = []
        self.atomic = transaction.atomic()

    def __enter__(self) -> list[str]:
        self.atomic.__enter__()
        return self.stored

    def __exit__(self, kind: Any, error: Any, trace: Any) -> Any:
        try:
            return self.atomic.__exit__(kind, error, trace)
        finally:
            if kind is not None:
                _delete(self.stored)


def _delete(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)


def _require_secretariat(by: User) -> None:
    if not is_secretariat(by):
        raise PermissionDenied(_("Only the secretariat curates the resource library."))


def create_resource(*, data: ResourceInput, by: User, reason: str = "") -> Resource:
    """A resource curated by the secretariat, created as a draft (publish it with
    `transition_resource`)."""
    _require_secretariat(by)
    file_type = _validate(data, has_file=False)
    with _atomic_with_files() as stored:
        resource = Resource(state=ResourceState.DRAFT)
        _write(resource, data, file_type, stored)
        record_change(resource, action="resources.resource.created", by=by, reason=reason, data={})
    return resource


def update_resource(
    *, resource: Resource, data: ResourceInput, by: User, reason: str = ""
) -> list[str]:
    """Change a resource's content (the secretariat, or the submitting entity's members while
    changes are requested); the names of the fields that changed."""
    with _atomic_with_files() as stored:
        locked = Resource.objects.select_for_update().get(pk=resource.pk)
        if not can_edit(locked, by):
            raise PermissionDenied(_("You may not change this resource now."))
        if locked.entity_id and data.resource_type != ResourceType.PRACTICE:
            if not is_secretariat(by):
                data.resource_type = ResourceType.PRACTICE
        file_type = _validate(data, has_file=bool(locked.file))
        changed = _write(locked, data, file_type, stored)
        if changed:
            record_change(
                locked,
                action="resources.resource.updated",
                by=by,
                reason=reason,
                data={"fields": changed},
            )
    resource.refresh_from_db()
    return changed


def submit_practice(*, data: ResourceInput, entity: Entity, by: User) -> Resource:
    """A stakeholder submits a practice for `entity` (which they act for): it waits in the
    secretariat's queue, visible to the entity's members and the secretariat only."""
    if not is_active_member(by, entity):
        raise PermissionDenied(_("You do not act for this entity."))
    data.resource_type = ResourceType.PRACTICE
    data.is_demo = False
    file_type = _validate(data, has_file=False)
    with _atomic_with_files() as stored:
        resource = Resource(
            state=ResourceState.SUBMITTED,
            entity=entity,
            submitted_by=by,
            submitted_at=timezone.now(),
        )
        _write(resource, data, file_type, stored)
        record_change(
            resource,
            action="resources.resource.submit",
            by=by,
            data={"to": ResourceState.SUBMITTED, "entity": entity.pk},
        )
    return resource


def resubmit_practice(*, resource: Resource, data: ResourceInput, by: User) -> Resource:
    """The submitting entity changes its practice as asked and sends it back for review."""
    with transaction.atomic():
        update_resource(resource=resource, data=data, by=by)
        return transition_resource(resource=resource, action="resubmit", by=by)


def _checked_reason(reason: str, *, needed: bool) -> str:
    reason = reason.strip()
    if needed and not reason:
        raise ValidationError({"reason": _("Give a reason: the submitter will read it.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": _("Keep the reason under %(limit)s characters.")
                % {"limit": REASON_MAX_LENGTH}
            }
        )
    return reason


def transition_resource(
    *, resource: Resource | int, action: str, by: User, reason: str = ""
) -> Resource:
    """Move a resource through the review machine (`workflow.RESOURCE_TRANSITIONS`)."""
    transition = RESOURCE_TRANSITIONS.get(action)
    if transition is None:
        raise TransitionNotAllowed(_("Unknown action “%(action)s”.") % {"action": action})
    pk = resource if isinstance(resource, int) else resource.pk
    with transaction.atomic():
        locked = Resource.objects.select_for_update().get(pk=pk)
        if transition not in available_transitions(locked, by):
            if locked.state in transition.sources and not (
                locked.state == ResourceState.DRAFT and locked.entity_id
            ):
                raise PermissionDenied(_("You may not take this decision."))
            raise TransitionNotAllowed(
                _("“%(title)s” is %(state)s, so “%(action)s” is not possible now.")
                % {
                    "title": locked.title,
                    "state": locked.get_state_display().lower(),
                    "action": transition.label,
                }
            )
        reason = _checked_reason(reason, needed=transition.needs_reason)
        previous = locked.state
        locked.state = transition.target
        now = timezone.now()
        if action == "publish":
            locked.published_at = locked.published_at or now
        if action == "resubmit":
            locked.submitted_at = now
        if action in {"request_changes", "reject"}:
            locked.review_reason = reason
        locked.save()
        record_change(
            locked,
            action=f"resources.resource.{action}",
            by=by,
            reason=reason,
            data={"from": previous, "to": transition.target},
        )
        if locked.is_practice_submission and transition.actor is Actor.SECRETARIAT:
            notifications.practice_decision(locked, reason=reason)
    return locked


def practice_criteria() -> str:
    """The criteria the secretariat set ("" until it sets some)."""
    return LibrarySettings.objects.values_list("practice_criteria", flat=True).first() or ""


def set_practice_criteria(*, text: str, by: User) -> LibrarySettings:
    """The secretariat states what a practice must show to be published."""
    _require_secretariat(by)
    text = text.strip()
    if len(text) > 10000:
        raise ValidationError({"text": _("Keep the criteria under 10,000 characters.")})
    with transaction.atomic():
        row = LibrarySettings.objects.select_for_update().order_by("pk").first()
        if row is None:
            row = LibrarySettings()
        row.practice_criteria = text
        row.save()
        record_change(row, action="resources.criteria.updated", by=by)
    return row
