"""`seed_demo()`: the demo data set in one transaction, stage by stage."""

import gc
import time as clock
from collections.abc import Callable, Iterator
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
from .bundles import M2M_FIELDS, Counts, IndexRow, write_bundles
from .draws import stream
from .entities import create_entities
from .figures import create_exchange_rates, create_indicator_values
from .goals import create_goal_contributions
from .languages import translate_some
from .links import create_links, save_counters
from .matching import create_matches
from .partnerships import create_memberships
from .plans import number_references, plan_skeletons
from .pledges import PledgeBuilder
from .resources import create_demo_resources
from .rounds import create_rounds, create_rounds_demo
from .snapshot import load_reference
from .writer import Pipeline, Writer

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


def seed_demo(
    *,
    pledges: int = DEFAULT_PLEDGES,
    seed: int = DEFAULT_SEED,
    as_of: date,
    log: Logger = lambda line: None,
    updates_per_pledge: int | None = None,
) -> DemoSummary:
    """Create a realistic demo data set of `pledges` pledges, identical for the same seed and
    `as_of` day on a fresh database. All or nothing: one transaction.

    `updates_per_pledge` gives every published pledge exactly that many progress reports
    instead of a realistic, varying number (the benchmark's data shape, `scripts/bench`)."""
    started = clock.monotonic()

    def stage(text: str) -> None:
        log(f"[{clock.monotonic() - started:5.1f} s] {text}")

    writer = Writer()
    with (
        transaction.atomic(),
        _without_garbage_collection(),
        writer.bulk_load(LOADED_MODELS, rebuild_indexes=_mostly_new(pledges)),
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
        )
        write_rng = stream(seed, "updates")
        counts = Counts()
        rows: list[IndexRow] = []
        pledge_ids = writer.reserve_ids(Pledge, len(skeletons))

        def written(index: list[IndexRow] | None) -> None:
            if index is not None:
                rows.extend(index)
                log(f"  {len(rows)}/{pledges} pledges written with their targets and updates")

        with Pipeline[list[IndexRow]](writer) as pipeline:
            for start in range(0, len(skeletons), CHUNK):
                chunk = skeletons[start : start + CHUNK]
                ids = pledge_ids[start : start + CHUNK]
                bundles = [builder.build(s, pk) for s, pk in zip(chunk, ids, strict=True)]
                job = partial(
                    write_bundles,
                    bundles,
                    writer=writer,
                    accounts=accounts,
                    showcase=showcase,
                    as_of=as_of,
                    rng=write_rng,
                    counts=counts,
                    rounds=rounds,
                    financial_type=ref.support_types.get("financial"),
                )
                written(pipeline.submit(job))
            written(pipeline.finish())
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
        save_counters(highest)
        stage("Announcing pledges between forums, reaffirming, co-pledgers' updates…")
        made = create_rounds_demo(as_of=as_of)
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
