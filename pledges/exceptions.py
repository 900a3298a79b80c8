"""Domain errors raised by the pledge services. Views map them to form errors or HTTP codes:
ValidationError → 400 / form errors, PermissionDenied → 403, TransitionNotAllowed → 409,
StaleVersion → 412 (API If-Match) or a "changed by someone else" message (web)."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from core.exceptions import DomainConflict, StalePrecondition


class PledgeError(Exception):
    """Base class for refusals that are neither a permission nor a validation problem."""


class TransitionNotAllowed(PledgeError, DomainConflict):
    """The pledge or update is not in a state from which that action can be taken."""


class LookalikeName(ValidationError):
    """A registration whose name looks like a live entity's (`pledges.names`). `existing` is
    that entity and `own` says whether the registering user acts for it, so that a view links
    to it only where the user may see it."""

    def __init__(self, message: Any, *, existing: Any, own: bool) -> None:
        super().__init__(message)
        self.existing = existing
        self.own = own


class StaleVersion(PledgeError, StalePrecondition):
    """Somebody else changed the pledge since the editor loaded it."""


__all__ = [
    "LookalikeName",
    "PermissionDenied",
    "PledgeError",
    "StaleVersion",
    "TransitionNotAllowed",
    "ValidationError",
]
