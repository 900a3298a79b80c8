"""The one way services record what happened: every write to the domain goes through a
service, which calls this."""

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEntry


def record_change(
    obj: models.Model,
    *,
    action: str,
    by: Any = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an audit entry for `obj`. Call inside the service's transaction so that the entry
    and the change it describes commit or roll back together."""
    return AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        action=action,
        actor=by if getattr(by, "is_authenticated", False) else None,
        reason=reason,
        data=data or {},
    )


def record_changes(
    changes: Iterable[tuple[models.Model, str, dict[str, Any] | None]],
    *,
    by: Any = None,
    reason: str = "",
) -> list[AuditEntry]:
    """`record_change` for many objects in one INSERT (a bulk service such as an import):
    each change is (object, action, data)."""
    actor = by if getattr(by, "is_authenticated", False) else None
    entries = [
        AuditEntry(
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            action=action,
            actor=actor,
            reason=reason,
            data=data or {},
        )
        for obj, action, data in changes
    ]
    return AuditEntry.objects.bulk_create(entries)


def entries_for(obj: models.Model) -> models.QuerySet[AuditEntry]:
    """The audit trail of one object, newest first."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor")
