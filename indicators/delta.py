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

`contributions()` mirrors the SQL aggregates of `engine._pledge_aggregates_sql` and
`_target_aggregates_sql`; `tests/progress/test_delta.py` proves that sums kept by differences give
the same snapshots as a fresh full run after every kind of change.
"""

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal, localcontext
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from compacts.models import Compact, Objective
from pledges.models import PledgeProgressMark, is_overdue, overdue_cutoff

from . import engine
from .models import (
    CompactProgressSnapshot,
    OwnerKind,
    PledgeFact,
    ProgressBase,
    ProgressSnapshot,
    ProgressSum,
    SliceKind,
)

SumKey = tuple[str, int, str, str, str]  # owner kind, owner id, slice kind, slice key, unit
Counters = dict[str, Any]

STATUS_COUNTERS = tuple(f"status_{s or 'none'}" for s in engine.STATUSES)
PLEDGE_COUNTERS = (
    "pledges",
    "overdue",
    "with_amount",
    "unconverted",
    "pledged_usd",
    "pledged_n",
    "disbursing",
    "disbursed_usd",
    "disbursed_n",
    *STATUS_COUNTERS,
)
TARGET_COUNTERS = ("targets", "reported", "target_sum", "achieved_sum", "met")
DECIMALS = frozenset({"pledged_usd", "disbursed_usd", "target_sum", "achieved_sum"})
JSON_FACTS = ("objective_ids", "regions", "countries", "targets")
LOCAL_SCOPES = frozenset({"regional", "national", "local"})
# Marked pledges handled per transaction: bounds the locks held and the size of one statement.
BATCH = 500
# pg_advisory_xact_lock key of the stored sums (any constant unique to this use).
SUMS_LOCK = 7_447_001
# Products of amounts and rates are exact in PostgreSQL's numeric: keep them exact here too.
PRECISION = 100
OWNER_MODELS = {
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
# A pledge's contribution to the counters
# --------------------------------------------------------------------------------------------


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _slices(fact: Counters, owner_kind: str) -> list[tuple[str, str]]:
    """The (slice kind, key) groups a pledge counts in, as the grouped SQL forms them."""
    out = [
        (SliceKind.OVERALL, ""),
        (SliceKind.FORUM, fact["forum_code"]),
        (SliceKind.ENTITY_TYPE, fact["entity_type_code"]),
    ]
    if fact["geography_scope"] in LOCAL_SCOPES:
        out += [(SliceKind.REGION, region) for region in fact["regions"]]
    elif fact["geography_scope"] == engine.GLOBAL:
        out.append((SliceKind.REGION, engine.GLOBAL))
    if owner_kind == OwnerKind.COMPACT:
        out += [(SliceKind.COUNTRY, country) for country in fact["countries"]]
    return out


def _pledge_counters(fact: Counters, cutoff: dt.date) -> Counters:
    amount, rate, disbursed = _dec(fact["amount"]), _dec(fact["rate"]), _dec(fact["disbursed"])
    status, last = fact["implementation_status"], fact["last"]
    priced = amount is not None and rate is not None
    paid = disbursed is not None and rate is not None
    counters: Counters = {
        "pledges": 1,
        "overdue": int(is_overdue(status, last, cutoff)),
        "with_amount": int(amount is not None),
        "unconverted": int(amount is not None and rate is None),
        "pledged_usd": amount * rate if priced else Decimal(0),
        "pledged_n": int(priced),
        "disbursing": int(disbursed is not None),
        "disbursed_usd": disbursed * rate if paid else Decimal(0),
        "disbursed_n": int(paid),
    }
    for status_value, name in zip(engine.STATUSES, STATUS_COUNTERS, strict=True):
        counters[name] = int(status == status_value)
    return counters


def _target_counters(targets: Iterable[Sequence[Any]]) -> dict[str, Counters]:
    by_unit: dict[str, Counters] = {}
    for unit, target_value, latest in targets:
        target, value = Decimal(target_value), _dec(latest)
        reported = value is not None
        add(
            by_unit.setdefault(unit, dict.fromkeys(TARGET_COUNTERS, 0)),
            {
                "targets": 1,
                "reported": int(reported),
                "target_sum": target if reported else Decimal(0),
                "achieved_sum": min(value, target) if reported else Decimal(0),
                "met": int(reported and value >= target),
            },
        )
    return by_unit


def contributions(fact: Counters, cutoff: dt.date) -> dict[SumKey, Counters]:
    """What one published pledge adds to each group's counters."""
    out: dict[SumKey, Counters] = {}
    with localcontext(prec=PRECISION):
        pledge = _pledge_counters(fact, cutoff)
        targets = _target_counters(fact["targets"])
    owners = [(OwnerKind.OBJECTIVE, o) for o in fact["objective_ids"]]
    owners.append((OwnerKind.COMPACT, fact["compact_id"]))
    for owner_kind, owner_id in owners:
        for slice_kind, slice_key in _slices(fact, owner_kind):
            out[(owner_kind, owner_id, slice_kind, slice_key, "")] = pledge
            for unit, counters in targets.items():
                out[(owner_kind, owner_id, slice_kind, slice_key, unit)] = counters
    return out


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
    if unit:
        reported = row.get("reported", 0)
        row["target_sum"] = row.get("target_sum") if reported else None
        row["achieved_sum"] = row.get("achieved_sum") if reported else None
        row["unit"] = unit
    else:
        row["pledged_usd"] = row.get("pledged_usd") if row.get("pledged_n") else None
        row["disbursed_usd"] = row.get("disbursed_usd") if row.get("disbursed_n") else None
    return row


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


def _fact_dict(fact: PledgeFact) -> Counters:
    return {name: getattr(fact, name) for name in engine.FACT_COLUMNS}


# --------------------------------------------------------------------------------------------
# Full runs: store the base
# --------------------------------------------------------------------------------------------


def _store_facts(cursor: Any) -> None:
    """Runs inside the engine's aggregation, while its temporary tables exist."""
    table = connection.ops.quote_name(PledgeFact._meta.db_table)
    cursor.execute(f"TRUNCATE {table}")
    cursor.execute(f"INSERT INTO {table} ({', '.join(engine.FACT_COLUMNS)}) {engine.FACTS_SELECT}")


def rebuild(*, on: dt.date) -> tuple[dict[int, int], dict[int, int]]:
    """Aggregate every objective and compact in one pass, write their snapshots, and store the
    facts and sums that later incremental runs of the day adjust. Returns the snapshots written
    per objective and per compact. Callers hold every objective's and compact's lock."""
    objective_ids = list(Objective.objects.values_list("pk", flat=True))
    compact_ids = list(Compact.objects.values_list("pk", flat=True))
    owners = {OwnerKind.OBJECTIVE: objective_ids, OwnerKind.COMPACT: compact_ids}
    with transaction.atomic(), connection.cursor() as cursor:
        _serialize(cursor)
        # Marks read now stand for changes the aggregation below sees; later ones stay.
        seen = list(PledgeProgressMark.objects.values_list("pledge_id", "marked_at"))
        rows = engine.aggregate_many("TRUE", owners, on=on, read=_store_facts)
        sums = []
        for owner_kind, (pledge_rows, target_rows) in rows.items():
            for (owner_id, kind, key), found in pledge_rows.items():
                counters = _from_row(found[0], PLEDGE_COUNTERS)
                sums.append(_sum_row((owner_kind, owner_id, kind, key, ""), counters))
            for (owner_id, kind, key), found in target_rows.items():
                for row in found:
                    counters = _from_row(row, TARGET_COUNTERS)
                    sums.append(_sum_row((owner_kind, owner_id, kind, key, row["unit"]), counters))
        ProgressSum.objects.all().delete()
        ProgressSum.objects.bulk_create(sums, batch_size=1000)
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
            pk=1, defaults={"built_on": on, "built_at": timezone.now()}
        )
    return written[OwnerKind.OBJECTIVE], written[OwnerKind.COMPACT]


# --------------------------------------------------------------------------------------------
# Incremental runs: apply the marked pledges' differences
# --------------------------------------------------------------------------------------------


def _serialize(cursor: Any) -> None:
    """One writer of the stored sums at a time (until the transaction ends): differences add up
    in any order, but two runs creating the same new group would collide."""
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SUMS_LOCK])


def _current_facts(pledge_ids: list[int], on: dt.date) -> dict[int, Counters]:
    """The marked pledges' facts as a full run would store them now (published ones only)."""
    found: list[tuple] = []

    def read(cursor: Any) -> None:
        cursor.execute(engine.FACTS_SELECT)
        found.extend(cursor.fetchall())

    all_objectives = list(Objective.objects.values_list("pk", flat=True))
    engine.aggregate_many(
        "p.id = ANY(%(pledge_ids)s)",
        {OwnerKind.OBJECTIVE: all_objectives},
        on=on,
        pledge_ids=pledge_ids,
        grouped=False,
        read=read,
    )
    facts = {}
    for row in found:
        fact = dict(zip(engine.FACT_COLUMNS, row, strict=True))
        for name in JSON_FACTS:
            # Django's connection hands jsonb over as text (JSONField decodes it, raw SQL not).
            if isinstance(fact[name], str):
                fact[name] = json.loads(fact[name])
        facts[fact["pledge_id"]] = fact
    return facts


def apply_marked(*, on: dt.date) -> set[SumKey]:
    """Apply every marked pledge's difference to the stored sums, batch by batch; returns the
    groups whose counters changed. Call only when `base_ready(on)`."""
    touched: set[SumKey] = set()
    cutoff = overdue_cutoff(on)
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
            new = _current_facts(marked, on)
            old = {
                fact.pledge_id: _fact_dict(fact)
                for fact in PledgeFact.objects.select_for_update()
                .filter(pledge_id__in=marked)
                .order_by("pledge_id")
            }
            delta: dict[SumKey, Counters] = defaultdict(dict)
            for pledge_id in marked:
                if pledge_id in old:
                    for key, part in contributions(old[pledge_id], cutoff).items():
                        add(delta[key], part, -1)
                if pledge_id in new:
                    for key, part in contributions(new[pledge_id], cutoff).items():
                        add(delta[key], part)
            changed = {k: v for k, v in delta.items() if any(v.values())}
            _apply(changed)
            touched.update(changed)
            PledgeFact.objects.filter(pledge_id__in=set(old) - set(new)).delete()
            PledgeFact.objects.bulk_create(
                [PledgeFact(**fact) for fact in new.values()],
                update_conflicts=True,
                unique_fields=["pledge_id"],
                update_fields=[c for c in engine.FACT_COLUMNS if c != "pledge_id"],
            )
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
    results = engine.results_for(
        pledge_rows, target_rows, engine.indicators_by(f"{owner}_id", ids), ids
    )
    return engine.write_snapshots(model, owner, results, on=on, changed_only=True)
