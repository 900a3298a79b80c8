# ruff: noqa: S608 — SQL is built from model table names and constants; values are parameters.
"""Stored sums for the dashboard's combined filters (issue 22 item 7: < 300 ms at 1,000,000
pledges, where a pass over the matching facts took up to 2.4 s).

The facts (`PledgeFact`) are summed into `FilterSum` rows — the engine's counters — grouped by
some of the keys a filter selects on (forum, entity type, regions, objectives, types of
support: a row's `dims` says which; the others are summed over), plus one row per country and
per target unit for those breakdowns. A combination is then the grouped SQL of
`indicators.combined` over the few rows of the smallest grouping that holds every key it
filters or groups by (`CUBOIDS`; the grouping by every key holds any combination). The list keys
are whole sets: a pledge in two regions is in one row whose `regions` holds both, so a filter on
one region takes the row once and the region breakdown expands it into each of its regions,
exactly as the facts do.

The progress engine keeps the rows with the facts, in the same transactions: a full run
(`rebuild`) sums every fact; an incremental one subtracts the changed pledges' stored facts and
adds their new ones (`rows`, `merge`). Counters are additive; money sums are stored as 0 over no
terms and read back as NULL when their term count is 0 (`engine.Counter.terms`), as a SUM over
no rows is. The overdue counter holds for the day of the stored base (`ProgressBase.built_on`):
another day, a country or a multistakeholder pledge falls back to the facts.
"""

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal, localcontext
from typing import Any

from django.db import connection

from . import engine
from .models import FilterSum, PledgeFact

# The keys a row may be grouped by, and the bit of each in `dims`.
DIMS = {
    "forum_code": 1,
    "entity_type_code": 2,
    "regions": 4,
    "objective_ids": 8,
    "support_type_ids": 16,
}
EVERY = sum(DIMS.values())
LISTS = frozenset(["regions", "objective_ids", "support_type_ids"])
# The groupings stored, by kind of row. Pledge counters: none, each key alone and each pair
# (a filter on one key and a breakdown by another); countries and targets (one row per value,
# the larger part): none and each key alone. Every kind is also grouped by every key, which
# answers any combination.
SMALL = [0, *DIMS.values()]
PAIRS = sorted({a | b for a in DIMS.values() for b in DIMS.values() if a != b})
CUBOIDS = {"pledge": [*SMALL, *PAIRS, EVERY], "country": [*SMALL, EVERY], "unit": [*SMALL, EVERY]}
KEYS = ("compact_id", "dims", *DIMS, "country", "unit")
PLEDGE_NAMES = tuple(engine.PLEDGE_COUNTERS)
TARGET_NAMES = tuple(engine.TARGET_COUNTERS)
NAMES = (*PLEDGE_NAMES, *TARGET_NAMES)
SUMS = frozenset(
    name
    for name, counter in {**engine.PLEDGE_COUNTERS, **engine.TARGET_COUNTERS}.items()
    if counter.terms
)
SCOPED = ("regional", "national", "local")  # as indicators.combined: scopes whose regions count
PRECISION = 100  # exact Decimal sums (products of amounts and rates)


def _table() -> str:
    return connection.ops.quote_name(FilterSum._meta.db_table)


def _stored(counter: engine.Counter, sign: str) -> str:
    # A sum over no terms is stored as 0 (additive); the read gives NULL back from its terms.
    sql = f"COALESCE({counter.sql}, 0)" if counter.terms else counter.sql
    return f"{sign}({sql})"


def _source(where: str) -> str:
    """The facts as the engine's counters read them (`f`), with the filter keys."""
    return (
        f"SELECT s.pledge_id AS id, s.compact_id, s.forum_code, s.entity_type_code, "
        f"CASE WHEN s.geography_scope = '{engine.GLOBAL}' THEN '[\"{engine.GLOBAL}\"]'::jsonb "
        f"WHEN s.geography_scope IN {SCOPED!r} THEN s.regions ELSE '[]'::jsonb END AS regions, "
        "s.objective_ids, s.support_type_ids, s.countries, s.targets, s.amount, s.rate, "
        "s.disbursed, s.last, s.implementation_status "
        f"FROM {connection.ops.quote_name(PledgeFact._meta.db_table)} s WHERE {where}"
    )


def _grouping(dims: int, extra: str) -> str:
    columns = [f"f.{name}" for name, bit in DIMS.items() if dims & bit]
    return "(" + ", ".join(["f.compact_id", *columns, *([extra] if extra else [])]) + ")"


def _keys(extra: str, kind: str) -> str:
    """The key columns of a grouped row: `dims` from which keys were grouped by."""
    dims = " + ".join(
        f"(CASE WHEN grouping(f.{n}) = 0 THEN {bit} ELSE 0 END)" for n, bit in DIMS.items()
    )
    keys = ", ".join(
        f"COALESCE(f.{name}, '[]'::jsonb)" if name in LISTS else f"COALESCE(f.{name}, '')"
        for name in DIMS
    )
    country = extra if kind == "country" else "''"
    unit = extra if kind == "unit" else "''"
    return f"f.compact_id, {dims}, {keys}, {country}, {unit}"


def _select_sql(where: str, sign: str = "") -> str:
    """Every stored row's counters (times `sign`, "" or "-") over the facts passing `where`."""
    pledge = ", ".join(_stored(c, sign) for c in engine.PLEDGE_COUNTERS.values())
    target = ", ".join(_stored(c, sign) for c in engine.TARGET_COUNTERS.values())
    zeros_p = ", ".join("0" for _ in PLEDGE_NAMES)
    zeros_t = ", ".join("0" for _ in TARGET_NAMES)

    def sets(kind: str, extra: str = "") -> str:
        return ", ".join(_grouping(dims, extra) for dims in CUBOIDS[kind])

    return (
        f"WITH f AS MATERIALIZED ({_source(where)}) "
        f"SELECT {_keys('', 'pledge')}, {pledge}, {zeros_t} FROM f "
        f"GROUP BY GROUPING SETS ({sets('pledge')}) "
        f"UNION ALL SELECT {_keys('c.country', 'country')}, {pledge}, {zeros_t} "
        "FROM f CROSS JOIN jsonb_array_elements_text(f.countries) c(country) "
        f"GROUP BY GROUPING SETS ({sets('country', 'c.country')}) "
        f"UNION ALL SELECT {_keys('t.unit', 'unit')}, {zeros_p}, {target} FROM f "
        "CROSS JOIN jsonb_array_elements(f.targets) WITH ORDINALITY x(e, n) "
        "CROSS JOIN LATERAL (SELECT x.n AS id, x.e->>0 AS unit, "
        "(x.e->>1)::numeric AS target_value, (x.e->>2)::numeric AS latest) t "
        f"WHERE f.targets <> '[]'::jsonb GROUP BY GROUPING SETS ({sets('unit', 't.unit')})"
    )


COLUMNS = ", ".join((*KEYS, *NAMES))


def rebuild(cursor: Any, cutoff: dt.date) -> None:
    """Every row again from every stored fact (a full run, after it stored them); `cutoff`:
    the overdue cut-off of the run's day."""
    cursor.execute(f"TRUNCATE {_table()}")
    cursor.execute(f"INSERT INTO {_table()} ({COLUMNS}) {_select_sql('TRUE')}", {"cutoff": cutoff})
    cursor.execute(f"ANALYZE {_table()}")


Key = tuple[Any, ...]


def rows(cursor: Any, pledge_ids: Sequence[int], cutoff: dt.date) -> dict[Key, list[Any]]:
    """What these pledges' stored facts count in the stored rows, by row key."""
    cursor.execute(
        _select_sql("s.pledge_id = ANY(%(pledge_ids)s)"),
        {"cutoff": cutoff, "pledge_ids": list(pledge_ids)},
    )
    width = len(KEYS)
    return {_key(row[:width]): list(row[width:]) for row in cursor.fetchall()}


def _key(values: Sequence[Any]) -> Key:
    """A row's key, hashable: the lists as their JSON text."""
    return tuple(json.dumps(v) if isinstance(v, list) else v for v in values)


def merge(cursor: Any, before: dict[Key, list[Any]], after: dict[Key, list[Any]]) -> None:
    """Apply the difference `after` − `before` to the stored rows: add to those that exist,
    create the others, remove those left without a pledge or a target."""
    delta: dict[Key, list[Any]] = defaultdict(lambda: [0] * len(NAMES))
    with localcontext(prec=PRECISION):
        for sign, found in ((-1, before), (1, after)):
            for key, values in found.items():
                total = delta[key]
                for index, value in enumerate(values):
                    total[index] += sign * value
    changes = {
        key: {
            **{k: json.loads(v) if k in LISTS else v for k, v in zip(KEYS, key, strict=True)},
            **{name: str(value) for name, value in zip(NAMES, values, strict=True)},
        }
        for key, values in delta.items()
        if any(values)
    }
    if not changes:
        return
    record = ", ".join(
        [
            "compact_id bigint, dims int",
            *(f"{name} jsonb" if name in LISTS else f"{name} text" for name in DIMS),
            "country text, unit text",
            *(f"{name} numeric" for name in NAMES),
        ]
    )
    table = _table()
    data = f"SELECT * FROM jsonb_to_recordset(%s::jsonb) AS d({record})"
    # Two statements: a row updated by a statement cannot also be deleted by it.
    cursor.execute(
        f"WITH d AS ({data}) UPDATE {table} t SET "
        + ", ".join(f"{n} = t.{n} + d.{n}" for n in NAMES)
        + " FROM d WHERE "
        + " AND ".join(f"t.{k} = d.{k}" for k in KEYS)
        + f" RETURNING t.id, t.pledges = 0 AND t.targets = 0, {', '.join(f't.{k}' for k in KEYS)}",
        [json.dumps(list(changes.values()))],
    )
    emptied, updated = [], set()
    for row_id, empty, *key in cursor.fetchall():
        updated.add(_key(key))
        if empty:
            emptied.append(row_id)
    created = [change for key, change in changes.items() if key not in updated]
    if created:
        cursor.execute(
            f"INSERT INTO {table} ({COLUMNS}) SELECT {COLUMNS} FROM ({data}) d",
            [json.dumps(created)],
        )
    if emptied:
        cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s)", [emptied])


# --------------------------------------------------------------------------------------------
# Reading a combination
# --------------------------------------------------------------------------------------------


def cuboid(kind: str, needed: int) -> int:
    """The smallest stored grouping of this kind of row that holds every key in `needed`."""
    return min(
        (dims for dims in CUBOIDS[kind] if dims & needed == needed),
        key=lambda dims: (bin(dims).count("1"), dims),
    )


def _read(name: str, counter: engine.Counter) -> str:
    if counter.terms:
        return f"CASE WHEN sum(f.{counter.terms}) > 0 THEN sum(f.{name}) END"
    return f"sum(f.{name})"


def counters(*, targets: bool, light: Iterable[str] | None = None) -> str:
    """The counters as `indicators.combined._counters` gives them, from the stored rows."""
    light = frozenset(light) if light is not None else None
    pledge_sql = ", ".join(
        ("NULL" if targets or (light and name not in light) else _read(name, counter))
        + f"::numeric AS {name}"
        for name, counter in engine.PLEDGE_COUNTERS.items()
    )
    target_sql = ", ".join(
        (_read(name, counter) if targets else "NULL") + f"::numeric AS {name}"
        for name, counter in engine.TARGET_COUNTERS.items()
    )
    return f"{pledge_sql}, {target_sql}"


def _unused(values: Iterable[Decimal]) -> None:  # pragma: no cover — keeps Decimal imported
    del values
