"""Creating many pledges at once, for an import: the rules, references, history versions, audit
entries, searchable context and progress marks of `create_pledge` (and of publication), written
in a few statements per batch instead of some seventy per pledge (docs/imports.md, "Speed")."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record_changes

from ..models import (
    Entity,
    ParticipantRole,
    ParticipantStatus,
    Pledge,
    PledgeParticipant,
    ReviewState,
)
from ..progress_marks import progress_changed
from ..search_context import Context, context_vectors
from ..workflow import is_secretariat
from .feed import feed_pledges
from .pledges import PledgeInput, _apply_content, allocate_references, validate_pledge

if TYPE_CHECKING:
    from accounts.models import User

# The pledge's M2M sets, each with its history table (the `m2m_fields` of Pledge.history).
M2M_SETS = (
    ("objectives", "objectives"),
    ("actions", "actions"),
    ("principles", "principles"),
    ("thematic_areas", "thematic_areas"),
    ("support_types", "support_types"),
    ("beneficiary_countries", "beneficiary_countries"),
)


@dataclass
class NewPledge:
    """One pledge to create. `published_at` set: published as the source system had it (its
    entity must be verified and its content complete), else a draft. Co-pledgers join as
    accepted: the source system published them as joint pledgers."""

    data: PledgeInput
    published_at: dt.datetime | None = None
    implementation_status: str | None = None
    co_pledgers: Sequence[Entity] = ()


def check_new_pledge(item: NewPledge) -> None:
    """ValidationError with field messages if `item` cannot be created as asked."""
    validate_pledge(item.data, complete=item.published_at is not None)
    if item.published_at is not None and not item.data.entity.is_verified:
        raise ValidationError(
            {
                "entity": [
                    _(
                        "%(entity)s is not verified, so its pledge cannot be published: verify "
                        "it first, import created entities as verified, or import as drafts."
                    )
                    % {"entity": item.data.entity.name}
                ]
            }
        )


@transaction.atomic
def create_pledges(items: Sequence[NewPledge], *, by: User, reason: str) -> list[Pledge]:
    """Create every pledge of `items` (secretariat only), in order, or none."""
    if not is_secretariat(by):
        raise PermissionDenied(_("Only the secretariat can create pledges in bulk."))
    for item in items:
        check_new_pledge(item)
    if not items:
        return []
    now = timezone.now()
    pledges = [_new_pledge(item, by=by) for item in items]
    _number(pledges, items)
    # The searchable context goes in with the INSERT: stored by an UPDATE afterwards, every row
    # and every entry of every index of the table was written twice (docs/performance.md).
    vectors = context_vectors([_context(item) for item in items])
    for pledge, vector in zip(pledges, vectors, strict=True):
        pledge.context_search_vector = vector
    Pledge.objects.bulk_create(pledges)
    through_rows = _write_sets(pledges, items)
    _write_participants(pledges, items, now)
    _write_history(pledges, through_rows, by=by, reason=reason, moment=now)
    changes: list[tuple[models.Model, str, dict | None]] = []
    for pledge, item in zip(pledges, items, strict=True):
        changes.append((pledge, "pledges.pledge.created", None))
        changes.extend(
            (pledge, "pledges.participant.accepted", {"entity": entity.name})
            for entity in item.co_pledgers
        )
        if pledge.review_state == ReviewState.PUBLISHED:
            changes.append(
                (
                    pledge,
                    "pledges.pledge.publish",
                    {"from": ReviewState.DRAFT, "to": ReviewState.PUBLISHED},
                )
            )
    record_changes(changes, by=by, reason=reason)
    feed_pledges([pledge.pk for pledge in pledges])
    published = [
        (pledge, item)
        for pledge, item in zip(pledges, items, strict=True)
        if pledge.review_state == ReviewState.PUBLISHED
    ]
    if published:
        progress_changed(
            [pledge.pk for pledge, _item in published],
            {objective.pk for _pledge, item in published for objective in item.data.objectives},
        )
    return pledges


def _new_pledge(item: NewPledge, *, by: User) -> Pledge:
    pledge = Pledge(
        entity=item.data.entity, created_by=by if getattr(by, "is_authenticated", False) else None
    )
    _apply_content(pledge, item.data)
    if item.implementation_status:
        pledge.implementation_status = item.implementation_status
    if item.published_at is not None:
        pledge.review_state = ReviewState.PUBLISHED
        pledge.submitted_at = item.published_at
        pledge.published_at = item.published_at
    return pledge


def _context(item: NewPledge) -> Context:
    data = item.data
    return Context(
        entity_id=data.entity.pk,
        countries=[country.pk for country in data.beneficiary_countries],
        objectives=[objective.pk for objective in data.objectives],
        areas=[area.pk for area in data.thematic_areas],
    )


def _number(pledges: Sequence[Pledge], items: Sequence[NewPledge]) -> None:
    """References in file order within each series, one counter update per series."""
    series: dict[tuple[int | None, int], list[Pledge]] = defaultdict(list)
    for pledge, item in zip(pledges, items, strict=True):
        forum = item.data.forum
        series[(forum.pk if forum else None, item.data.compact.pk)].append(pledge)
    for members in series.values():
        first = members[0]
        references = allocate_references(first.forum, first.compact, len(members))
        for pledge, reference in zip(members, references, strict=True):
            pledge.reference = reference


def _write_sets(
    pledges: Sequence[Pledge], items: Sequence[NewPledge]
) -> dict[str, list[models.Model]]:
    """The M2M rows of every pledge, one INSERT per set; returned for the history copies."""
    written: dict[str, list[models.Model]] = {}
    for field_name, attribute in M2M_SETS:
        field = Pledge._meta.get_field(field_name)
        through = field.remote_field.through  # type: ignore[union-attr]  # an M2M field
        target = field.m2m_reverse_field_name()  # type: ignore[union-attr]  # as above
        rows = [
            through(**{"pledge_id": pledge.pk, f"{target}_id": related.pk})
            for pledge, item in zip(pledges, items, strict=True)
            for related in dict.fromkeys(getattr(item.data, attribute))
        ]
        written[field_name] = through.objects.bulk_create(rows)
    return written


def _write_participants(
    pledges: Sequence[Pledge], items: Sequence[NewPledge], moment: dt.datetime
) -> None:
    PledgeParticipant.objects.bulk_create(
        [
            PledgeParticipant(
                pledge=pledge,
                entity=entity,
                role=ParticipantRole.CO_PLEDGER,
                status=ParticipantStatus.ACCEPTED,
                responded_at=moment,
            )
            for pledge, item in zip(pledges, items, strict=True)
            for entity in dict.fromkeys(item.co_pledgers)
            if entity.pk != pledge.entity_id
        ]
    )


def _write_history(
    pledges: Sequence[Pledge],
    through_rows: dict[str, list[models.Model]],
    *,
    by: User,
    reason: str,
    moment: dt.datetime,
) -> None:
    """One history version per pledge, as `create_pledge` leaves (saying "published" for a
    pledge created published), with its M2M sets copied as simple_history copies them."""
    versions = Pledge.history.bulk_history_create(
        pledges,
        default_user=by if getattr(by, "is_authenticated", False) else None,
        default_change_reason=reason or _("Created"),
        default_date=moment,
    )
    version_of = {version.id: version for version in versions}
    for field_name, rows in through_rows.items():
        if not rows:
            continue
        history_model = apps.get_model("pledges", f"HistoricalPledge_{field_name}")
        # The through row's columns (id, pledge_id, <target>_id), as simple_history copies them.
        columns = [f.attname for f in rows[0]._meta.fields]
        history_model.objects.bulk_create(
            [
                history_model(
                    history=version_of[row.pledge_id],  # type: ignore[attr-defined]  # through row
                    **{column: getattr(row, column) for column in columns},
                )
                for row in rows
            ]
        )
