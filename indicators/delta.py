# ruff: noqa: S608 — SQL is built from model table names and constants; values are parameters.
"""Incremental progress: apply each changed pledge's difference to stored sums instead of
re-aggregating whole objectives and compacts (issue #7: one change must cost < 100 ms of database
time at 1,000,000 pledges, where re-aggregating a compact reads ~600,000 pledges).

Every figure of a snapshot is derived from additive counters — pledges, statuses, overdue, USD
sums, target sums — per objective or compact × slice (× target unit). So:

1. A full run (`rebuild`) aggregates every published pledge once and stores, from
   the very temporary tables it aggregated, each pledge's facts (`PledgeFact`: slice keys,
   objectives, amount, rate, latest disbursed, targets…) and the counters of every group
   (`ProgressSum`), and records the day they hold for (`ProgressBase`).
2. The pledge services mark each changed pledge (`pledges.PledgeProgressMark`) in the change's
   transaction. An incremental run of the same day (`apply_marked`) reads the marked pledges'
   current facts, takes their stored contribution out of the sums, adds the new one, and then
   rewrites only the snapshots whose figures changed (`write_from_sums`).
3. What moves every pledge (an exchange rate) removes the base (`discard`); so does a new day
   (the overdue cut-off moves with the date). Runs then re-aggregate from scratch, as before,
   until the next full run stores a new base.

A pledge's difference is computed by the engine's own grouped SQL (its counters are defined once,
`engine.PLEDGE_COUNTERS` and `TARGET_COUNTERS`), run over the marked pledges' stored facts and over
their current ones: counters are additive, so the second minus the first is what the sums must
gain. `tests/progress/test_delta.py` proves that sums kept by differences give the same snapshots
as a fresh full run after every kind of change.
"""

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal, localcontext
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.fields.json import KT
from django.utils import timezone

from compacts.models import Compact, Objective
from pledges.models import PledgeProgressMark, overdue_cutoff

from . import engine, filter_sums, goal_progress
from .models import (
    CompactProgressSnapshot,
    OwnerKind,
    PledgeFact,
    ProgressBase,
    ProgressSnapshot,
    ProgressSum,
    SnapshotFields,
)

SumKey = tuple[str, int, str, str, str]  # owner kind, owner id, slice kind, slice key, unit
Counters = dict[str, Any]

PLEDGE_COUNTERS = tuple(engine.PLEDGE_COUNTERS)
TARGET_COUNTERS = tuple(engine.TARGET_COUNTERS)
DECIMALS = frozenset(
    name
    for name, counter in {**engine.PLEDGE_COUNTERS, **engine.TARGET_COUNTERS}.items()
    if counter.terms
)
# Marked pledges handled per transaction: bounds the locks held and the size of one statement.
BATCH = 500
# pg_advisory_xact_lock key of the stored sums (any constant unique to this use).
SUMS_LOCK = 7_447_001
# Products of amounts and rates are exact in PostgreSQL's numeric: keep them exact here too.
PRECISION = 100
OWNER_MODELS: dict[str, tuple[type[SnapshotFields], str]] = {
    OwnerKind.OBJECTIVE: (ProgressSnapshot, "objective"),
    OwnerKind.COMPACT: (CompactProgressSnapshot, "compact"),
}


def base_ready(on: dt.date) -> bool:
    """True if the stored sums hold for `on`: incremental runs may then apply differences."""
    return ProgressBase.objects.filter(pk=1, built_on=on).exists()


def discard() -> None:
    """Something that touches every pledge changed: the next full run must start afresh."""
    ProgressBase.objects.filter(pk=1).delete()


# --------------------------------------------------------------------------------------------
# Counters
# --------------------------------------------------------------------------------------------


def add(total: Counters, part: Counters, sign: int = 1) -> None:
    with localcontext(prec=PRECISION):
        for name, value in part.items():
            total[name] = total.get(name, 0) + sign * value


def _is_empty(key: SumKey, counters: Counters) -> bool:
    return not counters.get("targets" if key[4] else "pledges")


# --------------------------------------------------------------------------------------------
# Stored counters ↔ the engine's rows
# --------------------------------------------------------------------------------------------


def _stored(counters: Counters) -> Counters:
    return {k: str(v) if k in DECIMALS else int(v) for k, v in counters.items()}


def _loaded(counters: Counters) -> Counters:
    return {k: Decimal(v) if k in DECIMALS else int(v) for k, v in counters.items()}


def _from_row(row: Counters, names: Sequence[str]) -> Counters:
    """The engine's grouped row → counters (a NULL sum, over no terms, is 0 with a count of 0)."""
    return {name: row.get(name) or (Decimal(0) if name in DECIMALS else 0) for name in names}


def _to_row(unit: str, counters: Counters) -> Counters:
    """Counters → the row the engine's figures expect (a sum over no terms is NULL)."""
    row = dict(counters)
    for name, counter in (engine.TARGET_COUNTERS if unit else engine.PLEDGE_COUNTERS).items():
        if counter.terms:
            row[name] = row.get(name) if row.get(counter.terms) else None
    if unit:
        row["unit"] = unit
    return row


def _sums(rows: dict[str, tuple[engine.Rows, engine.Rows]]) -> Iterator[tuple[SumKey, Counters]]:
    """The engine's grouped rows of each owner kind → the counters of each group."""
    for owner_kind, (pledge_rows, target_rows) in rows.items():
        for (owner_id, kind, key), found in pledge_rows.items():
            yield (owner_kind, owner_id, kind, key, ""), _from_row(found[0], PLEDGE_COUNTERS)
        for (owner_id, kind, key), found in target_rows.items():
            for row in found:
                counters = _from_row(row, TARGET_COUNTERS)
                yield (owner_kind, owner_id, kind, key, row["unit"]), counters


def _sum_json(key: SumKey, counters: Counters) -> dict[str, Any]:
    owner_kind, owner_id, slice_kind, slice_key, unit = key
    return {
        "owner_kind": owner_kind,
        "owner_id": owner_id,
        "slice_kind": slice_kind,
        "slice_key": slice_key,
        "unit": unit,
        "counters": _stored(counters),
    }


def _sum_row(key: SumKey, counters: Counters) -> ProgressSum:
    owner_kind, owner_id, slice_kind, slice_key, unit = key
    return ProgressSum(
        owner_kind=owner_kind,
        owner_id=owner_id,
        slice_kind=slice_kind,
        slice_key=slice_key,
        unit=unit,
        counters=_stored(counters),
    )


# --------------------------------------------------------------------------------------------
# Full runs: store the base
# --------------------------------------------------------------------------------------------


def _store_facts(
    cursor: Any, tables: str, params: dict[str, Any], pledge_ids: Sequence[int] | None = None
) -> None:
    """Store the facts of the run's pledges, in place of every stored fact (a full run) or of
    those of `pledge_ids`. Runs inside the engine's aggregation, while its per-pledge tables
    exist (`tables`: the WITH clause that stands for them, with its `params`, or "")."""
    table = connection.ops.quote_name(PledgeFact._meta.db_table)
    insert = f"{tables}INSERT INTO {table} ({', '.join(engine.FACT_COLUMNS)}) {engine.FACTS_SELECT}"
    if pledge_ids is not None:
        cursor.execute(f"DELETE FROM {table} WHERE pledge_id = ANY(%s)", [list(pledge_ids)])
        cursor.execute(insert, params)
        return
    # Every fact anew: the secondary indexes (three GIN) are dropped and built again after the
    # insert, which at 1,000,000 facts costs a fraction of updating them row by row. TRUNCATE
    # already holds the table exclusively until the run commits, so no reader sees it bare.
    cursor.execute(f"TRUNCATE {table}")
    indexes = _secondary_indexes(cursor, PledgeFact._meta.db_table)
    if indexes:
        cursor.execute(
            "DROP INDEX " + ", ".join(connection.ops.quote_name(name) for name, _ in indexes)
        )
    if tables:
        cursor.execute(insert, params)
    else:
        cursor.execute(insert)
    if indexes:
        # Enough for the largest GIN build at 1,000,000 facts to sort in memory.
        cursor.execute(
            ";\n".join(["SET LOCAL maintenance_work_mem = '256MB'", *(sql for _, sql in indexes)])
        )


def _secondary_indexes(cursor: Any, table: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of each index of `table` that backs no constraint (the
    primary key stays), as the database holds them: whatever the migrations defined."""
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY c.relname",
        [connection.ops.quote_name(table)],
    )
    return [(name, sql) for name, sql in cursor.fetchall()]


def rebuild(*, on: dt.date) -> tuple[dict[int, int], dict[int, int]]:
    """Aggregate every objective and compact in one pass, write their snapshots, and store the
    facts and sums that later incremental runs of the day adjust. Returns the snapshots written
    per objective and per compact. Callers hold every objective's and compact's lock."""
    objective_ids = list(Objective.objects.values_list("pk", flat=True))
    compact_ids = list(Compact.objects.values_list("pk", flat=True))
    owners: dict[str, list[int]] = {
        OwnerKind.OBJECTIVE: objective_ids,
        OwnerKind.COMPACT: compact_ids,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        _serialize(cursor)
        # Marks read now stand for changes the aggregation below sees; later ones stay.
        seen = list(PledgeProgressMark.objects.values_list("pledge_id", "marked_at"))
        rows = engine.aggregate_many("TRUE", owners, on=on, read=_store_facts)
        # The combined filters' sums, and the facts' statistics they and the dashboard's
        # combined filters are planned from, come after this transaction commits
        # (`build_filter_sums`): the snapshots do not wait for them.
        # TRUNCATE, not DELETE: every insert below would first step over the dead row of its
        # own key in the unique index (3× slower). Only progress runs read the sums, and not
        # while this run holds every objective's and compact's lock.
        table = connection.ops.quote_name(ProgressSum._meta.db_table)
        cursor.execute(f"TRUNCATE {table}")
        # One JSON document of every group, not `bulk_create`: psycopg quotes its arrays
        # (UNNEST) of counters element by element in Python (1.1 s against 0.4 s at 100,000).
        cursor.execute(
            f"INSERT INTO {table} (owner_kind, owner_id, slice_kind, slice_key, unit, counters) "
            "SELECT * FROM jsonb_to_recordset(%s::jsonb) AS r(owner_kind text, owner_id bigint, "
            "slice_kind text, slice_key text, unit text, counters jsonb)",
            [json.dumps([_sum_json(key, counters) for key, counters in _sums(rows)])],
        )
        written = {}
        for owner_kind, ids in owners.items():
            model, owner = OWNER_MODELS[owner_kind]
            results = engine.results_for(
                *rows[owner_kind], engine.indicators_by(f"{owner}_id", ids), ids
            )
            written[owner_kind] = {
                **dict.fromkeys(ids, 0),
                **engine.write_snapshots(model, owner, results, on=on),
            }
        cursor.execute(
            f"DELETE FROM {connection.ops.quote_name(PledgeProgressMark._meta.db_table)} m "
            "USING unnest(%s::bigint[], %s::timestamptz[]) AS seen(pledge_id, marked_at) "
            "WHERE m.pledge_id = seen.pledge_id AND m.marked_at = seen.marked_at",
            [[p for p, _ in seen], [m for _, m in seen]],
        )
        ProgressBase.objects.update_or_create(
            pk=1, defaults={"built_on": on, "built_at": timezone.now(), "filter_sums_on": None}
        )
    return written[OwnerKind.OBJECTIVE], written[OwnerKind.COMPACT]


def build_filter_sums() -> dt.date | None:
    """Build the combined filters' sums (`FilterSum`, indicators/filter_sums.py) from the stored
    facts, if the base holds facts they were not built from; returns the day built for (None:
    nothing to do). Its own transaction, after the full run's commit: the run's snapshots are
    readable ~30 s sooner at 1,000,000 pledges, and the dashboard reads the facts meanwhile
    (the same figures, slower). Idempotent: the Celery tasks call it after every run, so a
    build lost with its worker is done by the next sweep."""
    pending = ProgressBase.objects.filter(pk=1).exclude(filter_sums_on=F("built_on"))
    if not pending.exists():
        return None
    with transaction.atomic(), connection.cursor() as cursor:
        # After the incremental runs that started before (they adjust the rows being replaced);
        # those after adjust the new rows, from the facts these are built from.
        _serialize(cursor)
        base = pending.select_for_update().first()
        if base is None:  # another worker built them meanwhile, or the base was discarded
            return None
        # Statistics of the fresh facts, which the statements below and the dashboard's
        # combined filters (indicators/combined.py) are planned from. Until now the planner had
        # the last run's, of the same shape, and the fresh row count (the run rebuilt the
        # facts' indexes, which records it); 0.5-2 s at 100,000 facts, out of the run.
        cursor.execute(f"ANALYZE {connection.ops.quote_name(PledgeFact._meta.db_table)}")
        filter_sums.rebuild(cursor, overdue_cutoff(base.built_on))
        base.filter_sums_on = base.built_on
        base.save(update_fields=["filter_sums_on"])
    return base.built_on


# --------------------------------------------------------------------------------------------
# Incremental runs: apply the marked pledges' differences
# --------------------------------------------------------------------------------------------


def _serialize(cursor: Any) -> None:
    """One writer of the stored sums at a time (until the transaction ends): differences add up
    in any order, but two runs creating the same new group would collide."""
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SUMS_LOCK])


def apply_marked(*, on: dt.date) -> set[SumKey]:
    """Apply every marked pledge's difference to the stored sums, batch by batch; returns the
    groups whose counters changed. Call only when `base_ready(on)`."""
    touched: set[SumKey] = set()
    owners: dict[str, list[int]] = {
        OwnerKind.OBJECTIVE: list(Objective.objects.values_list("pk", flat=True)),
        OwnerKind.COMPACT: list(Compact.objects.values_list("pk", flat=True)),
    }
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            _serialize(cursor)
            # Locked, not skipped: a concurrent run applying these very pledges finishes first,
            # so that nobody writes snapshots from sums that miss a change already read.
            marked = list(
                PledgeProgressMark.objects.select_for_update()
                .order_by("pledge_id")
                .values_list("pledge_id", flat=True)[:BATCH]
            )
            if not marked:
                return touched
            list(
                PledgeFact.objects.select_for_update()
                .filter(pledge_id__in=marked)
                .order_by("pledge_id")
                .values_list("pk", flat=True)
            )
            # What the sums hold of these pledges; their facts as they are now, stored in place
            # of the old ones; what those count: the same grouped SQL over the stored facts
            # before and after (the full run groups the very rows it stores).
            counted = engine.aggregate_stored(marked, owners, on=on)
            # The combined filters' sums move by the same difference (indicators/filter_sums.py).
            before = filter_sums.rows(cursor, marked, overdue_cutoff(on))
            _store_facts(cursor, *engine.live_tables(marked, owners, on=on), pledge_ids=marked)
            filter_sums.merge(cursor, before, filter_sums.rows(cursor, marked, overdue_cutoff(on)))
            now = engine.aggregate_stored(marked, owners, on=on)
            delta: dict[SumKey, Counters] = defaultdict(dict)
            for sign, rows in ((-1, counted), (1, now)):
                for key, counters in _sums(rows):
                    add(delta[key], counters, sign)
            changed = {k: v for k, v in delta.items() if any(v.values())}
            _apply(changed)
            touched.update(changed)
            # The goals these pledges count towards, marked before their marks go (a pledge
            # marked after the run started would otherwise leave its goals unmarked).
            goal_progress.mark_goals_of_changed_pledges(marked)
            PledgeProgressMark.objects.filter(pledge_id__in=marked).delete()


def _key_filter(keys: Iterable[SumKey]) -> Q:
    query = Q(pk__in=[])
    for owner_kind, owner_id, slice_kind, slice_key, unit in keys:
        query |= Q(
            owner_kind=owner_kind,
            owner_id=owner_id,
            slice_kind=slice_kind,
            slice_key=slice_key,
            unit=unit,
        )
    return query


def _apply(delta: dict[SumKey, Counters]) -> None:
    if not delta:
        return
    rows = {
        (s.owner_kind, s.owner_id, s.slice_kind, s.slice_key, s.unit): s
        for s in ProgressSum.objects.select_for_update().filter(_key_filter(delta)).order_by("pk")
    }
    updated, created, emptied = [], [], []
    for key, change in delta.items():
        row = rows.get(key)
        counters = _loaded(row.counters) if row else {}
        add(counters, change)
        if row is not None and _is_empty(key, counters):
            emptied.append(row.pk)
        elif row is not None:
            row.counters = _stored(counters)
            updated.append(row)
        elif not _is_empty(key, counters):
            created.append(_sum_row(key, counters))
    ProgressSum.objects.filter(pk__in=emptied).delete()
    ProgressSum.objects.bulk_update(updated, ["counters"])
    ProgressSum.objects.bulk_create(created)


def write_from_sums(owner_kind: str, ids: Sequence[int], *, on: dt.date) -> dict[int, int]:
    """Rewrite the day's snapshots of these objectives or compacts from the stored sums — every
    group, so that a group touched by another run's differences is never left behind — writing
    only those whose figures changed. Returns how many snapshots were written per owner."""
    ids = list(ids)
    model, owner = OWNER_MODELS[owner_kind]
    pledge_rows: engine.Rows = defaultdict(list)
    target_rows: engine.Rows = defaultdict(list)
    for row in ProgressSum.objects.filter(owner_kind=owner_kind, owner_id__in=ids):
        group = (row.owner_id, row.slice_kind, row.slice_key)
        counters = _to_row(row.unit, _loaded(row.counters))
        (target_rows if row.unit else pledge_rows)[group].append(counters)
    _carry_distinct_counts(model, owner, ids, pledge_rows, on=on)
    results = engine.results_for(
        pledge_rows, target_rows, engine.indicators_by(f"{owner}_id", ids), ids
    )
    return engine.write_snapshots(model, owner, results, on=on, changed_only=True)


def _carry_distinct_counts(
    model: type[SnapshotFields], owner: str, ids: Sequence[int], rows: engine.Rows, *, on: dt.date
) -> None:
    """Keep the day's distinct counts (`engine.DISTINCT_FIGURES`) in the rewritten snapshots: a
    distinct count has no additive counter, so it stays as the day's last aggregation from the
    pledges counted it (docs/progress.md). One query over the day's snapshots of the groups."""
    kind = engine.DISTINCT_GROUPS.get(owner)
    if kind is None:
        return
    stored = model._default_manager.filter(
        **{f"{owner}_id__in": ids}, date=on, slice_kind=kind
    ).values_list(
        f"{owner}_id",
        "slice_key",
        *(KT(f"figures__{name}") for name in engine.DISTINCT_FIGURES),
    )
    for owner_id, key, *counts in stored:
        for row in rows.get((owner_id, kind, key), []):
            for name, value in zip(engine.DISTINCT_FIGURES, counts, strict=True):
                if value is not None:
                    row[name] = int(value)
