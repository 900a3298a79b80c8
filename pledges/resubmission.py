"""What changed in a pledge since its last submission, for the secretariat's decision page.

A pledge the secretariat sent back (changes requested) and that its entity then resubmitted is
read again by a reviewer who already read it once: the page lists what differs between the
history version recorded at the previous submission and the pledge now, field by field, with
the fields' own labels and readable values (names, not ids).
"""

from dataclasses import dataclass
from typing import Any

from django.db import models

from .models import Pledge
from .workflow import AWAITING_REVIEW

# Fields the review workflow changes by itself: not what the submitter changed.
WORKFLOW_FIELDS = frozenset(
    {
        "review_state",
        "submitted_at",
        "published_at",
        "implementation_status",
        "last_update_on",
        "created_by",
        "external_id",
    }
)


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


def previous_submission(pledge: Pledge) -> Any | None:
    """The history version recorded when the pledge was last submitted before its current
    submission (None when it was submitted only once)."""
    versions = pledge.history.order_by("-history_date", "-history_id").only(
        "history_id", "history_date", "review_state"
    )
    seen_other_state = False
    for version in versions.iterator():
        if version.review_state in AWAITING_REVIEW:
            if seen_other_state:
                return pledge.history.get(history_id=version.history_id)
        else:
            seen_other_state = True
    return None


def _readable(field: "models.Field[Any, Any]", value: Any) -> str:
    if value in (None, ""):
        return "—"
    if field.many_to_many:
        model = field.related_model
        ids = [row[field.m2m_reverse_field_name()] for row in value]  # type: ignore[attr-defined]  # an M2M field
        names = [str(obj) for obj in model._default_manager.filter(pk__in=ids)]  # type: ignore[union-attr]
        return ", ".join(sorted(names)) or "—"
    if field.is_relation:
        obj = field.related_model._default_manager.filter(pk=value).first()  # type: ignore[union-attr]
        return str(obj) if obj is not None else str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def changes_since_last_submission(pledge: Pledge) -> list[FieldChange] | None:
    """The fields that differ between the previous submission and now, in the model's field
    order; None when there was no previous submission to compare with."""
    before = previous_submission(pledge)
    if before is None:
        return None
    now = pledge.history.order_by("-history_date", "-history_id").first()
    delta = now.diff_against(before)
    by_name = {change.field: change for change in delta.changes}
    changes = []
    for field in [*Pledge._meta.concrete_fields, *Pledge._meta.many_to_many]:
        change = by_name.get(field.attname) or by_name.get(field.name)
        if change is None or field.name in WORKFLOW_FIELDS:
            continue
        changes.append(
            FieldChange(
                label=str(field.verbose_name).capitalize(),
                before=_readable(field, change.old),
                after=_readable(field, change.new),
            )
        )
    return changes
