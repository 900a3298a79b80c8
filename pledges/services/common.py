"""What the services share: storage bounds, review reasons, the all-or-none rule of bulk
actions, and marking a pledge as changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ..exceptions import PledgeError, TransitionNotAllowed
from ..models import (
    Pledge,
    ReviewState,
)
from ..workflow import (
    REASON_MAX_LENGTH,
    is_active_member,
    is_secretariat,
)
from .feed import feed_pledges

if TYPE_CHECKING:
    from accounts.models import User


# A pledge in one of these states no longer changes: not its content, co-pledgers or links.
CLOSED_STATES = frozenset({ReviewState.WITHDRAWN, ReviewState.REJECTED, ReviewState.SUPERSEDED})
_NO_NUL = ProhibitNullCharactersValidator()
# Collects one field-level message: add("field", message).
_Add = Callable[[str, str], None]

CONFIRM_IMPLAUSIBLE = "confirm_implausible"


def implausible(add: _Add, name: str, message: str) -> None:
    """Refuse content that is possible but probably a mistake, saying why, under its field; and
    ask, under `confirm_implausible`, for the explicit confirmation that accepts it."""
    add(name, message)
    add(
        CONFIRM_IMPLAUSIBLE,
        _("If this is right, tick this box to confirm it, and save again."),
    )


_T = TypeVar("_T")
_R = TypeVar("_R")


def _check_storable(
    model: type[models.Model],
    values: Mapping[str, Any],
    add: Callable[[str, str], None],
    *,
    report_as: str | None = None,
) -> None:
    """Refuse, as field errors, what the database would refuse with an error (a 500): text
    longer than its column, numbers with more digits or decimals than the column holds, and NUL
    characters, which PostgreSQL text cannot store. Amounts are never rounded silently.

    The model field's own validators are the rule, so it cannot drift from the schema."""
    for name, value in values.items():
        if value is None or value == "":
            continue
        field = model._meta.get_field(name)
        if not isinstance(field, models.Field):
            raise TypeError(f"{name} is a reverse relation, not a column of {model.__name__}")
        try:
            if isinstance(value, str):
                _NO_NUL(value)
            field.run_validators(field.to_python(value))  # e.g. an int given for a Decimal
        except ValidationError as error:
            for message in error.messages:
                add(report_as or name, message)


def _checked_reason(reason: str, *, needed: bool) -> str:
    """A review reason, stripped; refused when missing but needed, or longer than every form
    allows (it is kept whole in the audit trail and the history)."""
    reason = reason.strip()
    if needed and not reason:
        raise ValidationError({"reason": [_("Give a reason: the submitter will see it.")]})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": [
                    _("A reason can be at most %(max)s characters (this one has %(length)s).")
                    % {"max": f"{REASON_MAX_LENGTH:,}", "length": f"{len(reason):,}"}
                ]
            }
        )
    return reason


@dataclass(frozen=True)
class Refusal:
    """One row of a bulk action that cannot be applied, and why."""

    reference: str
    reason: str


class BulkActionRefused(TransitionNotAllowed):
    """Some rows of a bulk action were refused, so none was applied; `refusals` names each."""

    def __init__(self, refusals: Sequence[Refusal]) -> None:
        self.refusals = list(refusals)
        super().__init__(" ".join(f"{r.reference}: {r.reason}" for r in self.refusals))


def _refusal_reason(error: Exception) -> str:
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


@transaction.atomic
def all_or_none(
    items: Iterable[_T], apply: Callable[[_T], _R], reference: Callable[[_T], str] = str
) -> list[_R]:
    """Apply `apply` to every item, each in a savepoint, collecting every refusal; if there is
    any, raise BulkActionRefused and roll all of them back (the bulk actions' one rule).

    Every row is tried (not just up to the first refusal) so that the person gets the whole
    list of what to fix at once. PermissionDenied is not a row's problem: it propagates."""
    done: list[_R] = []
    refusals: list[Refusal] = []
    for item in items:
        try:
            with transaction.atomic():
                done.append(apply(item))
        except (ValidationError, PledgeError, ObjectDoesNotExist) as error:
            refusals.append(Refusal(reference=reference(item), reason=_refusal_reason(error)))
    if refusals:
        raise BulkActionRefused(refusals)
    return done


def _require_pledge_editor(pledge: Pledge, by: User) -> None:
    if not (is_active_member(by, pledge.entity_id) or is_secretariat(by)):
        raise PermissionDenied(_("Only the submitting entity can change this pledge."))
    if pledge.review_state in CLOSED_STATES:
        raise TransitionNotAllowed(_("This pledge is closed."))


def _attribute_history(obj: models.Model, *, by: User, reason: str) -> None:
    """Who made the next save or delete of `obj`, and why, for its history version
    (simple_history reads both from the instance: untyped, no attribute on the model class)."""
    obj._history_user = by if getattr(by, "is_authenticated", False) else None  # type: ignore[attr-defined]  # as above
    obj._change_reason = reason  # type: ignore[attr-defined]  # as above


def _touch(*pledge_ids: int) -> None:
    """Mark the pledges as changed (`updated_at`, `version`, an entry in the change feed): their
    co-pledgers and links are part of what they show, so incremental sync (`updated_since`, the
    feed), ETags and stale-edit checks must see them change. An UPDATE rather than a save: no
    history version for an unchanged field."""
    Pledge.objects.filter(pk__in=pledge_ids).update(
        updated_at=timezone.now(), version=F("version") + 1
    )
    feed_pledges(pledge_ids)
