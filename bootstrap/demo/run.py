"""`seed_demo()`: the demo data set in one transaction, stage by stage."""

import gc
import time as clock
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import partial

from django.db import transaction

from compacts.models import Objective, ThematicArea
from core.models import Country, ExchangeRate
from indicators.models import IndicatorValue
from matching.models import Match, SupportPosition
from partnerships.models import MultistakeholderMembership
from pledges.models import (
    Entity,
    Pledge,
    PledgeLink,
    PledgeParticipant,
    PledgeTarget,
    PledgeUpdate,
    PledgeUpdateActual,
)

from .accounts import ensure_demo_accounts
from .attachments import create_demo_attachments
from .bundles import M2M_FIELDS, ChunkRows, Counts, IndexRow, chunk_rows, index_rows, write_rows
from .draws import stream
from .entities import create_entities
from .figures import create_exchange_rates, create_indicator_values
from .goals import create_goal_contributions
from .languages import translate_some
from .links import create_links, save_counters
from .matching import create_matches
from .partnerships import create_memberships
from .plans import number_references, plan_skeletons
from .pledges import PledgeBuilder, PledgeBundle
from .resources import create_demo_resources
from .rounds import continuous_numbers, create_rounds, create_rounds_demo
from .snapshot import load_reference
from .writer import ParallelWriters, Pipeline, Writer

Logger = Callable[[str], None]

DEFAULT_PLEDGES = 2000
DEFAULT_SEED = 2026

# Pledges are generated and written in chunks so that memory stays flat at 100,000 pledges.
CHUNK = 5000


@dataclass(frozen=True)
class DemoSummary:
    """What one run created, for the command's closing report."""

    entities: int
    pledges: int
    participants: int
    links: int
    support_positions: int
    matches: int
    msp_memberships: int
    targets: int
    updates: int
    actuals: int
    exchange_rates: int
    indicator_values: int
    goal_contributions: int
    stakeholder_entity: str
    seconds: float
    attachments: int = 0
    resources: int = 0


# Tables that receive many rows; the demo accounts and counters are written through the ORM.
LOADED_MODELS = (
    Entity,
    Pledge,
    *(descriptor.through for descriptor, _ in M2M_FIELDS),
    PledgeParticipant,
    PledgeLink,
    SupportPosition,
    SupportPosition.countries.through,
    Match,
    MultistakeholderMembership,
    PledgeTarget,
    PledgeUpdate,
    PledgeUpdateActual,
    ExchangeRate,
    IndicatorValue,
)


# Below this many new pledges, or when the database already holds more than that, updating
# the indexes row by row is cheaper than rebuilding them over every row.
REBUILD_INDEXES_FROM = 20_000


def _mostly_new(pledges: int) -> bool:
    """Whether this run adds most of the rows, so that rebuilding the indexes pays."""
    return pledges >= REBUILD_INDEXES_FROM and Pledge.objects.count() < pledges


@contextmanager
def _without_garbage_collection() -> Iterator[None]:
    """The generator holds hundreds of thousands of objects without reference cycles; Python's
    cycle collector would re-scan them all again and again (measured: it doubled the run time
    at 100,000 pledges)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# Connections writing pledges at once in a large load into empty tables: PostgreSQL computes a
# pledge's search context and document and writes its rows in the backend that inserts it, so
# one connection keeps one core busy however many the machine has (docs/performance.md).
WRITERS = 2

# The tables those connections write: each chunk's pledges and everything hanging off them.
WRITTEN_APART = (
    *(descriptor.through for descriptor, _ in M2M_FIELDS),
    Pledge,
    PledgeParticipant,
    PledgeTarget,
    PledgeUpdate,
    PledgeUpdateActual,
    SupportPosition,
    SupportPosition.countries.through,
)

# The copy of the entities' names that the other connections' context statements read.
_ENTITY_NAMES = '"_load_entities"'


@contextmanager
def _one_transaction(writer: Writer, *, rebuild_indexes: bool) -> Iterator[None]:
    with transaction.atomic(), writer.bulk_load(LOADED_MODELS, rebuild_indexes=rebuild_indexes):
        yield


def _write_pipelined(
    chunks: Iterable[list[PledgeBundle]],
    *,
    rows_of: Callable[[list[PledgeBundle]], ChunkRows],
    writer: Writer,
    log: Logger,
    total: int,
) -> list[IndexRow]:
    """Write each chunk in this transaction, from a second thread while the next is built."""
    rows: list[IndexRow] = []

    def written(index: list[IndexRow] | None) -> None:
        if index is not None:
            rows.extend(index)
            log(f"  {len(rows)}/{total} pledges written with their targets and updates")

    def job(bundles: list[PledgeBundle]) -> list[IndexRow]:
        write_rows(rows_of(bundles), writer)
        return index_rows(bundles)

    with Pipeline[list[IndexRow]](writer) as pipeline:
        for bundles in chunks:
            written(pipeline.submit(partial(job, bundles)))
        written(pipeline.finish())
    return rows


def _write_apart(
    chunks: Iterable[list[PledgeBundle]],
    *,
    rows_of: Callable[[list[PledgeBundle]], ChunkRows],
    writer: Writer,
    log: Logger,
    total: int,
) -> list[IndexRow]:
    """Write the chunks over `WRITERS` other connections at once, their rows built here in
    order (the random stream and the reserved ids stay those of `_write_pipelined`)."""
    names = writer.rows(Entity, ["id", "name", "acronym"])

    def setup(other: Writer) -> None:
        other.temporary_copy(_ENTITY_NAMES, Entity, ["id", "name", "acronym"], names)

    rows: list[IndexRow] = []
    with ParallelWriters(WRITERS, setup=setup) as writers:
        for bundles in chunks:
            writers.submit(partial(write_rows, rows_of(bundles), entities=_ENTITY_NAMES))
            rows.extend(index_rows(bundles))
            log(f"  {len(rows)}/{total} pledges handed to {WRITERS} connections")
        writers.finish()
    log(f"  {len(rows)}/{total} pledges written with their targets and updates")
    return rows


def seed_demo(
    *,
    pledges: int = DEFAULT_PLEDGES,
    seed: int = DEFAULT_SEED,
    as_of: date,
    log: Logger = lambda line: None,
    updates_per_pledge: int | None = None,
) -> DemoSummary:
    """Create a realistic demo data set of `pledges` pledges, identical for the same seed and
    `as_of` day on a fresh database. All or nothing: one transaction, or for a large load into
    empty tables, `WRITERS` more connections whose rows are deleted again if the load fails
    (`Writer.detached_load`).

    `updates_per_pledge` gives every published pledge exactly that many progress reports
    instead of a realistic, varying number (the benchmark's data shape, `scripts/bench`)."""
    started = clock.monotonic()

    def stage(text: str) -> None:
        log(f"[{clock.monotonic() - started:5.1f} s] {text}")

    writer = Writer()
    rebuild = _mostly_new(pledges)
    apart = rebuild and WRITERS > 1 and writer.can_write_apart(WRITTEN_APART)
    if apart:
        # The other connections plan their context statements (below) with the statistics of
        # these tables, and see them only once committed.
        writer.analyze([Country, Objective, ThematicArea])
    with (
        _without_garbage_collection(),
        writer.detached_load(LOADED_MODELS, written_apart=WRITTEN_APART)
        if apart
        else _one_transaction(writer, rebuild_indexes=rebuild) as load,
    ):
        stage("Reading reference data…")
        ref = load_reference(as_of)
        stage(f"Creating entities: {len(ref.member_codes)} States and organisations of every type…")
        entities, showcase = create_entities(
            ref=ref, pledges=pledges, seed=seed, writer=writer, log=log
        )
        stage("Creating the demo accounts…")
        accounts = ensure_demo_accounts(showcase_entity_id=showcase.id)
        stage("Opening reporting rounds…")
        rounds = create_rounds(as_of=as_of)
        stage(f"Creating {pledges} pledges across {len(ref.forums)} past forums…")
        # Each pledge's searchable context is computed from these as it is inserted; without
        # statistics (reference data loaded moments ago) PostgreSQL probes the pledge's
        # countries once per country in the world: 10 ms a pledge instead of ~1 ms.
        writer.analyze([Entity, Country, Objective, ThematicArea])
        skeletons = plan_skeletons(
            ref=ref, entities=entities, showcase=showcase, pledges=pledges, seed=seed
        )
        highest = number_references(skeletons, ref)
        builder = PledgeBuilder(
            ref=ref,
            entities=entities,
            accounts=accounts,
            showcase=showcase,
            seed=seed,
            updates_per_pledge=updates_per_pledge,
            continuous=continuous_numbers(),
        )
        counts = Counts()
        pledge_ids = writer.reserve_ids(Pledge, len(skeletons))

        def chunks() -> Iterator[list[PledgeBundle]]:
            for start in range(0, len(skeletons), CHUNK):
                chunk = skeletons[start : start + CHUNK]
                ids = pledge_ids[start : start + CHUNK]
                yield [builder.build(s, pk) for s, pk in zip(chunk, ids, strict=True)]

        rows_of = partial(
            chunk_rows,
            writer=writer,
            accounts=accounts,
            showcase=showcase,
            as_of=as_of,
            rng=stream(seed, "updates"),
            counts=counts,
            rounds=rounds,
            financial_type=ref.support_types.get("financial"),
        )
        write = _write_apart if apart else _write_pipelined
        rows = write(chunks(), rows_of=rows_of, writer=writer, log=log, total=pledges)
        if load is not None:
            stage(f"Building the indexes of the pledges' tables over {WRITERS} connections…")
            load.build_indexes(WRITERS)
        stage("Linking pledges…")
        counts.links, match_pairs = create_links(rows=rows, seed=seed, writer=writer)
        stage("Matching some of what pledges seek and offer…")
        matches = create_matches(
            pairs=match_pairs,
            entity_of={row.id: row.entity_id for row in rows},
            seed=seed,
            writer=writer,
        )
        stage("Joining pledges to multistakeholder pledges…")
        memberships = create_memberships(
            rows=rows, showcase_entity_id=showcase.id, seed=seed, writer=writer
        )
        stage("Writing a few pledges in French and Spanish, with English translations…")
        translate_some(pledge_ids)
        save_counters(highest, continuous=builder.continuous)
        stage("Reaffirming pledges at later forums, co-pledgers' updates…")
        made = {
            "between_forums": builder.between_forums,
            **create_rounds_demo(as_of=as_of),
        }
        log("  " + ", ".join(f"{name.replace('_', ' ')}: {n}" for name, n in made.items()))
        stage("Attaching a few demo files (marked DEMO) to the showcase entity's pledges…")
        attachments = create_demo_attachments(
            showcase_entity_id=showcase.id, uploader=accounts.stakeholder
        )
        stage("Creating exchange rates…")
        rates = create_exchange_rates(
            ref=ref, currencies=counts.currencies_used, seed=seed, writer=writer
        )
        stage("Creating indicator values…")
        values = create_indicator_values(ref=ref, seed=seed, writer=writer)
        stage("Counting targets towards the forums' collective goals…")
        writer.analyze([Pledge, PledgeTarget, MultistakeholderMembership])
        goal_contributions = create_goal_contributions()
        stage("Adding demo resources to the library for every objective…")
        resources = create_demo_resources(seed=seed, as_of=as_of, showcase_entity_id=showcase.id)
        stage("Building indexes, checking foreign keys and committing…")
    return DemoSummary(
        entities=len(entities),
        pledges=counts.pledges,
        participants=counts.participants,
        links=counts.links,
        support_positions=counts.positions,
        matches=matches,
        msp_memberships=memberships,
        targets=counts.targets,
        updates=counts.updates,
        actuals=counts.actuals,
        exchange_rates=rates,
        indicator_values=values,
        goal_contributions=goal_contributions,
        stakeholder_entity=showcase.name,
        seconds=clock.monotonic() - started,
        attachments=attachments,
        resources=resources,
    )


def demo_data_exists() -> bool:
    """Whether any pledge exists (`--if-empty` then leaves the database alone)."""
    return Pledge.objects.exists()
