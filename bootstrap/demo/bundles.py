"""Writes one chunk of built pledges and everything hanging off them: many-to-many rows,
co-pledgers, targets, progress reports and their actual values."""

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from matching.models import SupportPosition
from pledges.models import (
    Pledge,
    PledgeParticipant,
    PledgeTarget,
    PledgeUpdate,
    PledgeUpdateActual,
    ReviewState,
    UpdateReviewState,
)
from pledges.search_context import staged_context_join

from .accounts import DemoAccounts
from .draws import at
from .entities import EntityRef
from .matching import POSITION_COLUMNS, position_rows
from .plans import actual_value
from .pledges import PLEDGE_COLUMNS, PledgeBundle
from .rounds import RoundWindows, round_for
from .words import CHALLENGES, NARRATIVES, RETURN_NOTES
from .writer import Writer, through_columns


@dataclass(slots=True)
class IndexRow:
    """What link generation needs to remember about a written pledge."""

    id: int
    entity_id: int
    entity_type: str
    forum_id: int
    compact_code: str
    state: str
    announced_on: date
    has_amount: bool


@dataclass
class Counts:
    pledges: int = 0
    participants: int = 0
    links: int = 0
    targets: int = 0
    updates: int = 0
    actuals: int = 0
    positions: int = 0
    currencies_used: set[str] = field(default_factory=set)


M2M_FIELDS = (
    (Pledge.objectives, "objectives"),
    (Pledge.actions, "actions"),
    (Pledge.principles, "principles"),
    (Pledge.thematic_areas, "thematic_areas"),
    (Pledge.support_types, "support_types"),
    (Pledge.beneficiary_countries, "countries"),
)
PARTICIPANT_COLUMNS = (
    "id",
    "pledge_id",
    "entity_id",
    "role",
    "status",
    "responded_at",
    "created_at",
    "updated_at",
)
TARGET_COLUMNS = ("id", "pledge_id", "metric", "unit", "baseline", "target_value", "due_date")
UPDATE_COLUMNS = (
    "id",
    "pledge_id",
    "entity_id",
    "status",
    "narrative",
    "challenges",
    "evidence_links",
    "disbursed_amount",
    "reported_on",
    "submitted_by_id",
    "review_state",
    "reviewed_by_id",
    "reviewed_at",
    "review_note",
    "created_at",
    "updated_at",
    "round_id",
)
ACTUAL_COLUMNS = ("id", "update_id", "target_id", "value")


@dataclass(slots=True)
class ChunkRows:
    """The rows of one chunk of pledges, table by table, ready to be written."""

    sets: list[list[tuple[int, Any]]]  # M2M_FIELDS order
    pledges: list[tuple[Any, ...]]
    participants: list[tuple[Any, ...]]
    targets: list[tuple[Any, ...]]
    updates: list[tuple[Any, ...]]
    actuals: list[tuple[Any, ...]]
    positions: list[tuple[Any, ...]]
    position_countries: list[tuple[Any, ...]]


def write_rows(rows: ChunkRows, writer: Writer, *, entities: str = "pledges_entity") -> None:
    """Insert one chunk's rows; `entities` is the table the search context reads the entities'
    names from (`staged_context_join`)."""
    # The many-to-many rows first: the pledge's searchable context (its countries, objectives
    # and thematic areas, named in six languages) is computed from them as the pledge goes in.
    for (descriptor, _attr), set_rows in zip(M2M_FIELDS, rows.sets, strict=True):
        through: Any = descriptor
        writer.insert(through.through, ("id", *through_columns(through)), set_rows)
    writer.insert(
        Pledge,
        PLEDGE_COLUMNS,
        rows.pledges,
        computed={"context_search_vector": "ctx.vector"},
        joins=staged_context_join(writer.staging_table(Pledge), entities=entities),
    )
    writer.insert(PledgeParticipant, PARTICIPANT_COLUMNS, rows.participants)
    writer.insert(PledgeTarget, TARGET_COLUMNS, rows.targets)
    writer.insert(PledgeUpdate, UPDATE_COLUMNS, rows.updates)
    writer.insert(PledgeUpdateActual, ACTUAL_COLUMNS, rows.actuals)
    writer.insert(SupportPosition, POSITION_COLUMNS, rows.positions)
    writer.insert(
        SupportPosition.countries.through,
        ("id", *through_columns(SupportPosition.countries)),
        rows.position_countries,
    )


def chunk_rows(
    bundles: Sequence[PledgeBundle],
    *,
    writer: Writer,
    accounts: DemoAccounts,
    showcase: EntityRef,
    as_of: date,
    rng: random.Random,
    counts: Counts,
    rounds: RoundWindows,
    financial_type: int | None,
) -> ChunkRows:
    """The rows of one chunk of pledges. Draws from `rng` and reserves ids: call it for the
    chunks in order, whichever connection writes them."""
    # Every row gets its id here, in chunk order, as the tables' sequences would give them
    # in one COPY: the same ids whichever connection writes the chunk (`ParallelWriters`).
    sets = [
        writer.with_ids(
            descriptor.through,
            [(b.id, value) for b in bundles for value in getattr(b, attr)],
        )
        for descriptor, attr in M2M_FIELDS
    ]
    participants = writer.with_ids(
        PledgeParticipant,
        [
            (b.id, entity_id, role, status, responded, b.row[-2], responded or b.row[-2])
            for b in bundles
            for entity_id, role, status, responded in b.participants
        ],
    )
    target_ids = iter(writer.reserve_ids(PledgeTarget, sum(len(b.targets) for b in bundles)))
    update_ids = iter(writer.reserve_ids(PledgeUpdate, sum(len(b.updates) for b in bundles)))
    targets: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    actuals: list[tuple[int, int, Decimal]] = []
    last_day = as_of - timedelta(days=1)
    for bundle in bundles:
        pledge_targets = []
        for metric, target in bundle.targets:
            target_id = next(target_ids)
            pledge_targets.append((target_id, target))
            targets.append(
                (
                    target_id,
                    bundle.id,
                    metric,
                    target.unit,
                    target.baseline,
                    target.value,
                    bundle.end_date,
                )
            )
        submitter = accounts.stakeholder.pk if bundle.skeleton.entity.id == showcase.id else None
        for plan in bundle.updates:
            update_id = next(update_ids)
            reviewed = plan.review_state != UpdateReviewState.PENDING
            reviewed_on = min(plan.reported_on + timedelta(days=rng.randint(2, 40)), last_day)
            reviewed_at = at(reviewed_on, rng.randint(13, 17)) if reviewed else None
            reported_at = at(plan.reported_on, 10)
            disbursed = None
            if bundle.amount is not None:
                share = Decimal(f"{min(plan.progress, 1.0):.4f}")
                disbursed = (bundle.amount * share).quantize(Decimal("0.01"))
            reference = bundle.row[1].lower()
            updates.append(
                (
                    update_id,
                    bundle.id,
                    bundle.skeleton.entity.id,
                    plan.status,
                    rng.choice(NARRATIVES[plan.status]),
                    rng.choice(CHALLENGES) if rng.random() < 0.5 else "",
                    [f"https://example.org/reports/{reference}.pdf"] if rng.random() < 0.3 else [],
                    disbursed,
                    plan.reported_on,
                    submitter,
                    plan.review_state,
                    accounts.secretariat.pk if reviewed else None,
                    reviewed_at,
                    (
                        rng.choice(RETURN_NOTES)
                        if plan.review_state == UpdateReviewState.RETURNED
                        else ""
                    ),
                    reported_at,
                    reviewed_at or reported_at,
                    round_for(rounds, bundle.skeleton.forum.compact_code, plan.reported_on),
                )
            )
            actuals.extend(
                (update_id, target_id, actual_value(target, plan.progress))
                for target_id, target in pledge_targets
            )
    # One id per published pledge at most: some published pledges neither seek nor offer.
    published = sum(1 for b in bundles if b.skeleton.state == ReviewState.PUBLISHED)
    positions, position_countries = position_rows(
        bundles,
        ids=iter(writer.reserve_ids(SupportPosition, published)),
        financial_type=financial_type,
    )
    counts.pledges += len(bundles)
    counts.participants += len(participants)
    counts.targets += len(targets)
    counts.updates += len(updates)
    counts.actuals += len(actuals)
    counts.positions += len(positions)
    counts.currencies_used.update(b.currency for b in bundles if b.currency)
    return ChunkRows(
        sets=sets,
        pledges=[b.row for b in bundles],
        participants=participants,
        targets=targets,
        updates=updates,
        actuals=writer.with_ids(PledgeUpdateActual, actuals),
        positions=positions,
        position_countries=writer.with_ids(SupportPosition.countries.through, position_countries),
    )


def index_rows(bundles: Sequence[PledgeBundle]) -> list[IndexRow]:
    """What link generation needs to remember about these pledges."""
    return [
        IndexRow(
            id=b.id,
            entity_id=b.skeleton.entity.id,
            entity_type=b.skeleton.entity.type_code,
            forum_id=b.skeleton.forum.id,
            compact_code=b.skeleton.forum.compact_code,
            state=b.skeleton.state,
            announced_on=b.skeleton.announced_on,
            has_amount=b.amount is not None,
        )
        for b in bundles
    ]
