# ruff: noqa: S608 — SQL is built from model table names and constants; values are parameters.
"""Stored sums for the dashboard's combined filters (issue 22 item 7: < 300 ms at 1,000,000
pledges, where a pass over the matching facts took up to 2.4 s).

The facts (`PledgeFact`) are summed into `FilterSum` rows — the engine's counters — grouped by
some of the keys a filter selects on (forum, entity type, regions, objectives, types of
support: a row's `dims` says which; the others are summed over), plus one row per country and
per target unit for those breakdowns. A combination is then the grouped SQL of
`indicators.combined` over the few rows of the smallest grouping that holds every key it
filters or groups by (`CUBOIDS`, `cuboid`; a part none holds reads the facts). The list
keys are whole sets: a pledge in two regions is in one row whose `regions` holds both, so a
filter on one region takes the row once and the region breakdown expands it into each of its
regions, exactly as the facts do.

The rows are built from every stored fact after a full run commits (`rebuild`, called by
`delta.build_filter_sums`: the run's snapshots do not wait for them); an incremental run, in
the transaction that replaces the changed pledges' facts, subtracts what their stored facts
counted and adds what their new ones count (`rows`, `merge`). Counters are additive; money
sums are stored as 0 over no terms and read back as NULL when their term count is 0
(`engine.Counter.terms`), as a SUM over no rows is. The overdue counter holds for the day they
were built for (`ProgressBase.filter_sums_on`): another day, or a multistakeholder pledge,
reads the facts.
"""

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import localcontext
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
FORUM, TYPE, REGION, OBJECTIVE, SUPPORT = DIMS.values()


def groupings(most: int) -> list[int]:
    """Every grouping of at most `most` keys (the empty one too: a compact's totals)."""
    return [dims for dims in range(EVERY + 1) if bin(dims).count("1") <= most]


# The groupings stored, by kind of row, each summed from one pass over the facts grouped by a
# "top" grouping: the top itself and those of its subsets listed. A read sums the rows of the
# smallest stored grouping that holds every key it filters and groups by (summing over a key
# more is exact: each pledge is in one row per grouping).
# - Pledge counters: every grouping of up to four keys (three filters and a breakdown by a
#   fourth); the five keys together are left out (nearly one row per fact).
# - Countries and targets: every grouping of up to three keys (the country and target rows of
#   a grouping of four list keys are about as many as the facts expanded). The country rows
#   hold every counter: with a country among the filters they are the pledge rows (each holds
#   the pledges that benefit its country).
# A part of a combination none holds (the breakdowns and countries of four filters or more;
# the countries and targets of a country with anything) is computed from the facts: few
# pledges pass such filters.
TOPS: dict[str, list[tuple[int, list[int]]]] = {
    "pledge": [(EVERY, groupings(4))],
    # Countries and targets: from the facts grouped by every key and the country (or unit)
    # first, then the groupings of those rows (hashed: see `rebuild`).
    "country": [(EVERY, groupings(3))],
    "unit": [(EVERY, groupings(3))],
    # A country alone (or with its region): the other countries of its pledges, and their
    # targets. With a list key these would be ~7 times as many rows (every set of objectives or
    # types of support × every pair of countries); a country and another filter read these two
    # branches from the facts.
    "pair": [(REGION, [0, REGION])],
    "country_unit": [(REGION, [0, REGION])],
}
CUBOIDS = {kind: sorted(d for _top, subs in TOPS[kind] for d in subs) for kind in TOPS}
EXTRA_KEYS = ("country", "with_country", "unit")
KEYS = ("compact_id", "dims", *DIMS, *EXTRA_KEYS)
# What the breakdowns, the countries and the map show of each row: pledges and money. Only the
# headline and the objective cards need every counter (statuses, overdue); the others cost
# per row and per group, so a breakdown computes these alone (the rest is NULL, read as 0).
LIGHT = frozenset(
    [
        *("pledges", "with_amount", "unconverted", "pledged_usd", "pledged_n"),
        *("disbursing", "disbursed_usd", "disbursed_n"),
    ]
)
PLEDGE_NAMES = tuple(engine.PLEDGE_COUNTERS)
TARGET_NAMES = tuple(engine.TARGET_COUNTERS)
NAMES = (*PLEDGE_NAMES, *TARGET_NAMES)
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


_COUNTRY = "CROSS JOIN jsonb_array_elements_text(f.countries) c(country)"
_TARGET = (
    "CROSS JOIN jsonb_array_elements(f.targets) WITH ORDINALITY x(e, n) "
    "CROSS JOIN LATERAL (SELECT x.n AS id, x.e->>0 AS unit, "
    "(x.e->>1)::numeric AS target_value, (x.e->>2)::numeric AS latest) t"
)
# Each kind of row: the facts expanded (one row per country, target…), and the columns that
# expansion adds to the row's key.
EXPAND: dict[str, tuple[str, dict[str, str]]] = {
    "pledge": ("", {}),
    "country": (_COUNTRY, {"country": "c.country"}),
    "unit": (_TARGET, {"unit": "t.unit"}),
    "pair": (
        f"{_COUNTRY} CROSS JOIN jsonb_array_elements_text(f.countries) w(with_country)",
        {"country": "c.country", "with_country": "w.with_country"},
    ),
    "country_unit": (_TARGET + " " + _COUNTRY, {"country": "c.country", "unit": "t.unit"}),
}
TARGET_KINDS = frozenset(["unit", "country_unit"])


def _top_sql(kind: str, top: int, subs: list[int], source: str, sign: str) -> str:
    """The rows of the groupings `subs`, summed from the facts grouped by `top` (`g`)."""
    names = [name for name, bit in DIMS.items() if top & bit]
    expand, extra = EXPAND[kind]
    inner_keys = ", ".join(["f.compact_id", *(f"f.{n}" for n in names), *extra.values()])
    # The lists as text once grouped: summing the groupings hashes text, faster than JSON.
    inner_columns = ", ".join(
        [
            "f.compact_id",
            *(f"f.{n}::text AS {n}" if n in LISTS else f"f.{n}" for n in names),
            *(f"{sql} AS {column}" for column, sql in extra.items()),
        ]
    )
    counters = engine.TARGET_COUNTERS if kind in TARGET_KINDS else engine.PLEDGE_COUNTERS
    inner = ", ".join(f"{_stored(c, sign)} AS {n}" for n, c in counters.items())
    where = "WHERE f.targets <> '[]'::jsonb" if kind in TARGET_KINDS else ""
    # The key columns: `dims` from which keys were grouped by, the others empty.
    dims = " + ".join(
        ["0", *(f"(CASE WHEN grouping(g.{n}) = 0 THEN {DIMS[n]} ELSE 0 END)" for n in names)]
    )
    empty = {n: "'[]'::jsonb" if n in LISTS else "''" for n in DIMS}
    keys = ", ".join(
        (f"COALESCE(g.{n}::jsonb, {empty[n]})" if n in LISTS else f"COALESCE(g.{n}, {empty[n]})")
        if n in names
        else empty[n]
        for n in DIMS
    )
    added = ", ".join(f"g.{column}" if column in extra else "''" for column in EXTRA_KEYS)
    sums = ", ".join(f"sum(g.{n})" if n in counters else "0" for n in NAMES)
    sets = ", ".join(
        "("
        + ", ".join(
            [
                "g.compact_id",
                *(f"g.{n}" for n, bit in DIMS.items() if sub & bit),
                *(f"g.{column}" for column in extra),
            ]
        )
        + ")"
        for sub in subs
    )
    return (
        f"SELECT g.compact_id, {dims}, {keys}, {added}, {sums} FROM ("
        f"SELECT {inner_columns}, {inner} FROM {source} f {expand} {where} GROUP BY {inner_keys}"
        f") g GROUP BY GROUPING SETS ({sets})"
    )


def _select_sql(where: str, sign: str = "") -> str:
    """Every stored row's counters (times `sign`, "" or "-") over the facts passing `where`."""
    return f"WITH facts AS MATERIALIZED ({_source(where)}) " + " UNION ALL ".join(
        _top_sql(kind, top, subs, "facts", sign)
        for kind, tops in TOPS.items()
        for top, subs in tops
    )


COLUMNS = ", ".join((*KEYS, *NAMES))


def rebuild(cursor: Any, cutoff: dt.date) -> None:
    """Every row again from every stored fact (a full run, after it stored them); `cutoff`:
    the overdue cut-off of the run's day."""
    cursor.execute(f"TRUNCATE {_table()}")
    # Hashing, not sorting, the facts by their lists: the planner, which expects a hundred
    # countries or targets per pledge, would sort millions of rows by JSON.
    cursor.execute("SET LOCAL enable_sort = off")
    cursor.execute(f"INSERT INTO {_table()} ({COLUMNS}) {_select_sql('TRUE')}", {"cutoff": cutoff})
    cursor.execute("SET LOCAL enable_sort = on")
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
            "country text, with_country text, unit text",
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
    # Both statements even when empty (trivial then): a batch costs the same queries whatever
    # its pledges' rows do (tests/progress/test_delta.py counts them).
    cursor.execute(
        f"INSERT INTO {table} ({COLUMNS}) SELECT {COLUMNS} FROM ({data}) d",
        [json.dumps(created)],
    )
    cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s)", [emptied])


# --------------------------------------------------------------------------------------------
# Reading a combination
# --------------------------------------------------------------------------------------------


def cuboid(kind: str, needed: int) -> int | None:
    """The smallest stored grouping of this kind of row that holds every key in `needed`
    (None: none does)."""
    return min(
        (dims for dims in CUBOIDS[kind] if dims & needed == needed),
        key=lambda dims: (bin(dims).count("1"), dims),
        default=None,
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
