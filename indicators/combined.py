# ruff: noqa: S608 — SQL is built from model table names and constants; values are parameters.
"""Figures for any combination of dashboard filters, computed on the fly from the per-pledge
facts the progress engine stores (`PledgeFact`, indicators/delta.py) — never from the pledges.

Snapshots exist for one slice at a time (overall, forum, region, entity type, country); a
combination such as "forum GRF23 × region Africa × objective 2 × support type financial" has no
row. It is one statement: the facts of the compact that pass every filter (index scans and
semijoins, `FILTERED`), materialised once, then every group the dashboard shows — overall,
forum, entity type, region, country, objective and the overall targets per unit — in one
`UNION ALL` whose aggregates are the engine's own counters (`engine.PLEDGE_COUNTERS`,
`TARGET_COUNTERS`). The figures are the engine's `_figures` of those counters: for a single
slice they equal the snapshot's (tests/dashboards/test_combined_filters.py compares them).

A combination of forum, entity type, region, objective and type of support (any one of them,
most pairs: `filter_sums.covers`) is read from the sums the progress engine stores per
grouping of those keys (`indicators.filter_sums`: the same counters, summed over a few hundred
rows instead of counted over every matching pledge); a country, a multistakeholder pledge,
three filters or more, or a day the sums do not hold for, from the facts. Both give the same
figures (tests/dashboards/test_combined_filter_sums.py).

docs/performance.md ("Combined dashboard filters") gives the plans; `make bench` measures a
list of combinations (measurement 9).
"""

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from partnerships.models import MembershipState, MultistakeholderMembership
from pledges.models import Pledge, overdue_cutoff

from . import engine, filter_sums
from .models import FilterSum, PledgeFact, ProgressBase, SliceKind

# The matching facts are read once into memory (a CTE) and grouped by every branch: enough
# memory that the CTE and the hash aggregates do not spill to disk at 1,000,000 pledges.
WORK_MEM = "128MB"
OBJECTIVE = "objective"  # group kind of the per-objective rows (not a snapshot slice kind)
SCOPED = ("regional", "national", "local")  # scopes whose countries' regions count


@dataclass(frozen=True)
class FactFilter:
    """One combination: the compact and any of the other filters (empty: not filtered)."""

    compact_id: int
    forum: str = ""
    region: str = ""  # an M49 region code, or engine.GLOBAL for pledges of global scope
    entity_type: str = ""
    country: str = ""
    objective_id: int | None = None
    msp_id: int | None = None
    support_type_id: int | None = None


@dataclass
class Combined:
    """What the dashboard shows for a combination: figures per group kind and key."""

    headline: dict[str, Any] | None = None
    groups: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)


def _where(flt: FactFilter) -> tuple[list[str], dict[str, Any]]:
    """The filters as conditions over the stored facts `s`, and their parameters."""
    conditions = ["s.compact_id = %(compact_id)s"]
    params: dict[str, Any] = {"compact_id": flt.compact_id}
    if flt.forum:
        conditions.append("s.forum_code = %(forum)s")
        params["forum"] = flt.forum
    if flt.entity_type:
        conditions.append("s.entity_type_code = %(entity_type)s")
        params["entity_type"] = flt.entity_type
    if flt.region == engine.GLOBAL:
        conditions.append(f"s.geography_scope = '{engine.GLOBAL}'")
    elif flt.region:
        # As the engine's region slices: the regions of its countries, for scoped pledges only.
        conditions.append(f"s.geography_scope IN {SCOPED!r} AND s.regions @> %(region)s::jsonb")
        params["region"] = json.dumps([flt.region])
    if flt.country:
        conditions.append("s.countries @> %(country)s::jsonb")
        params["country"] = json.dumps([flt.country])
    if flt.objective_id is not None:
        conditions.append("s.objective_ids @> %(objective)s::jsonb")
        params["objective"] = json.dumps([flt.objective_id])
    if flt.msp_id is not None:
        # As the MSP's own figures: pledges it accepted as members (live links: the facts do
        # not carry memberships).
        conditions.append(
            f"s.pledge_id IN (SELECT m.pledge_id FROM {engine._t(MultistakeholderMembership)} m "
            f"WHERE m.msp_id = %(msp)s AND m.state = '{MembershipState.ACCEPTED}')"
        )
        params["msp"] = flt.msp_id
    if flt.support_type_id is not None:
        through = engine._t(Pledge.support_types.through)
        conditions.append(
            f"s.pledge_id IN (SELECT st.pledge_id FROM {through} st "
            "WHERE st.supporttype_id = %(support_type)s)"
        )
        params["support_type"] = flt.support_type_id
    return conditions, params


PLEDGE_NAMES = tuple(engine.PLEDGE_COUNTERS)
DECIMALS = frozenset(
    name
    for name, counter in {**engine.PLEDGE_COUNTERS, **engine.TARGET_COUNTERS}.items()
    if counter.terms
)
TARGET_NAMES = tuple(engine.TARGET_COUNTERS)


LIGHT = filter_sums.LIGHT


def _counters(*, targets: bool, light: bool = False) -> str:
    """Every pledge counter and every target counter, those not computed NULL; one type for all
    (numeric), so that the branches of the UNION ALL match."""
    pledge_sql = ", ".join(
        (
            "NULL::numeric"
            if targets or (light and name not in LIGHT)
            else f"({counter.sql})::numeric"
        )
        + f" AS {name}"
        for name, counter in engine.PLEDGE_COUNTERS.items()
    )
    target_sql = ", ".join(
        (f"({counter.sql})::numeric" if targets else "NULL::numeric") + f" AS {name}"
        for name, counter in engine.TARGET_COUNTERS.items()
    )
    return f"{pledge_sql}, {target_sql}"


def _branch(kind: str, key: str, source: str, *, light: bool = True) -> str:
    """One grouped branch of the UNION ALL: (kind, key, unit '', counters)."""
    return (
        f"SELECT '{kind}'::text AS kind, {key}::text AS key, ''::text AS unit, "
        f"{_counters(targets=False, light=light)} FROM {source} GROUP BY 2"
    )


def _sql(conditions: list[str]) -> str:
    where = " AND ".join(conditions)
    fact = engine._t(PledgeFact)
    # Forum and entity type in one pass over the facts (GROUPING SETS).
    simple = (
        "SELECT CASE WHEN grouping(f.forum_code) = 0 THEN 'forum' ELSE 'entity_type' END "
        "AS kind, COALESCE(f.forum_code, f.entity_type_code) AS key, ''::text AS unit, "
        f"{_counters(targets=False, light=True)} FROM f "
        "GROUP BY GROUPING SETS ((f.forum_code), (f.entity_type_code))"
    )
    branches = [
        "SELECT 'overall'::text AS kind, ''::text AS key, ''::text AS unit, "
        f"{_counters(targets=False)} FROM f",
        simple,
        _branch(
            SliceKind.REGION,
            "CASE WHEN f.geography_scope = 'global' THEN 'global' ELSE r.region END",
            # A global pledge is in the `global` region; a scoped one in its countries'.
            "f LEFT JOIN LATERAL jsonb_array_elements_text(f.regions) r(region) "
            f"ON f.geography_scope IN {SCOPED!r} "
            f"WHERE f.geography_scope = '{engine.GLOBAL}' OR r.region IS NOT NULL",
        ),
        _branch(
            SliceKind.COUNTRY,
            "c.country",
            "f CROSS JOIN jsonb_array_elements_text(f.countries) c(country)",
        ),
        _branch(
            OBJECTIVE,
            "o.objective",
            "f CROSS JOIN jsonb_array_elements_text(f.objective_ids) o(objective)",
            light=False,  # the objective cards show statuses and overdue pledges
        ),
        # The overall targets per unit (the headline's).
        "SELECT 'overall', '', t.unit, "
        f"{_counters(targets=True)} FROM f "
        "CROSS JOIN jsonb_array_elements(f.targets) WITH ORDINALITY x(e, n) "
        "CROSS JOIN LATERAL (SELECT x.n AS id, x.e->>0 AS unit, "
        "(x.e->>1)::numeric AS target_value, (x.e->>2)::numeric AS latest) t "
        # Pledges without targets are skipped before the function call.
        "WHERE f.targets <> '[]'::jsonb GROUP BY t.unit",
    ]
    return (
        "WITH f AS MATERIALIZED ("
        "SELECT s.pledge_id AS id, s.forum_code, s.entity_type_code, s.geography_scope, "
        "s.regions, s.countries, s.objective_ids, s.targets, s.amount, s.rate, s.disbursed, "
        f"s.last, s.implementation_status FROM {fact} s WHERE {where}) "
        + " UNION ALL ".join(branches)
    )


def _stored_where(flt: FactFilter) -> tuple[list[str], dict[str, Any], int]:
    """The filters as conditions over the stored sums `f` (filter_sums), their parameters, and
    the keys they filter by (`filter_sums.DIMS` bits)."""
    conditions = ["f.compact_id = %(compact_id)s"]
    params: dict[str, Any] = {"compact_id": flt.compact_id}
    chosen = {
        "forum_code": flt.forum or None,
        "entity_type_code": flt.entity_type or None,
        "regions": flt.region or None,  # the rows' regions hold "global" for global pledges
        "objective_ids": flt.objective_id,
        "support_type_ids": flt.support_type_id,
    }
    dims = 0
    for column, value in chosen.items():
        if value is None:
            continue
        dims |= filter_sums.DIMS[column]
        if column in filter_sums.LISTS:
            conditions.append(f"f.{column} @> %({column})s::jsonb")
            params[column] = json.dumps([value])
        else:
            conditions.append(f"f.{column} = %({column})s")
            params[column] = value
    return conditions, params, dims


def _stored_sql(conditions: list[str], dims: int) -> str:
    """`_sql`'s groups from the stored sums of the rows that pass every filter — the same
    counters summed over rows instead of counted over pledges — each group from the smallest
    stored grouping that holds the keys it filters and groups by."""
    where = " AND ".join(conditions)
    table = engine._t(FilterSum)
    bit = filter_sums.DIMS

    def rows(kind: str, needed: int = 0, expand: str = "", group: str = "2") -> str:
        """The rows of one kind that pass the filters, from the grouping that holds `needed`;
        `expand`: a list key expanded into one row per value."""
        kinds = {
            "pledge": "f.country = '' AND f.unit = ''",
            "country": "f.country <> ''",
            "unit": "f.unit <> ''",
        }
        grouping = filter_sums.cuboid(kind, dims | needed)
        return (
            f"{table} f {expand} WHERE {where} AND f.dims = {grouping} AND {kinds[kind]} "
            f"GROUP BY {group}"
        )

    counters = filter_sums.counters
    light = counters(targets=False, light=LIGHT)
    branches = [
        "SELECT 'overall'::text AS kind, ''::text AS key, ''::text AS unit, "
        f"{counters(targets=False)} FROM {rows('pledge')}",
        f"SELECT '{SliceKind.FORUM}', f.forum_code, '', {light} "
        f"FROM {rows('pledge', bit['forum_code'])}",
        f"SELECT '{SliceKind.ENTITY_TYPE}', f.entity_type_code, '', {light} "
        f"FROM {rows('pledge', bit['entity_type_code'])}",
        f"SELECT '{SliceKind.REGION}', r.region, '', {light} FROM "
        + rows(
            "pledge", bit["regions"], "CROSS JOIN jsonb_array_elements_text(f.regions) r(region)"
        ),
        f"SELECT '{SliceKind.COUNTRY}', f.country, '', {light} FROM {rows('country')}",
        f"SELECT '{OBJECTIVE}', o.objective, '', {counters(targets=False)} FROM "
        + rows(
            "pledge",
            bit["objective_ids"],
            "CROSS JOIN jsonb_array_elements_text(f.objective_ids) o(objective)",
        ),
        f"SELECT 'overall', '', f.unit, {counters(targets=True)} "
        f"FROM {rows('unit', group='f.unit')}",
    ]
    return " UNION ALL ".join(branches)


def stored(flt: FactFilter, on: dt.date) -> bool:
    """True if the stored sums answer this combination: no country or multistakeholder pledge
    among the filters (too many keys, or none in the facts: few pledges match them), a
    grouping that holds the others (`filter_sums.covers`), and sums that hold for the day asked
    (its overdue cut-off)."""
    if flt.country or flt.msp_id is not None:
        return False
    if not filter_sums.covers(_stored_where(flt)[2]):
        return False
    return ProgressBase.objects.filter(pk=1, built_on=on).exists()


def _typed(row: dict[str, Any], names: tuple[str, ...], *, nulls: bool = False) -> dict[str, Any]:
    """Counts back to integers (the query returns every counter as numeric); sums stay Decimal.
    NULL counters were not computed and are left out, except with `nulls` (target rows: a sum
    over no reported target is NULL, and the figures read it)."""
    return {
        name: row[name] if name in DECIMALS or row[name] is None else int(row[name])
        for name in names
        if nulls or row[name] is not None
    }


def combined(flt: FactFilter, *, on: dt.date, use_sums: bool = True) -> Combined:
    """The figures of this combination as of `on` (the overdue cut-off's day), in one query:
    from the stored sums when they answer it (`stored`), else from the facts."""
    if use_sums and stored(flt, on):
        conditions, params, dims = _stored_where(flt)
        sql = _stored_sql(conditions, dims)
    else:
        conditions, params = _where(flt)
        params["cutoff"] = overdue_cutoff(on)
        sql = _sql(conditions)
    pledge_rows: engine.Rows = defaultdict(list)
    target_rows: engine.Rows = defaultdict(list)
    with transaction.atomic(), connection.cursor() as cursor:
        # JIT compilation costs more than it saves on one-off aggregates (docs/performance.md).
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            group = (0, row.pop("kind"), row.pop("key") or "")
            unit = row.pop("unit")
            if unit:
                target_rows[group].append({"unit": unit, **_typed(row, TARGET_NAMES, nulls=True)})
            elif row["pledges"]:
                pledge_rows[group].append(_typed(row, PLEDGE_NAMES))
    results = engine.results_for(pledge_rows, target_rows, {}, [0])
    out = Combined()
    for (_owner, kind, key), figures in results.items():
        if kind == SliceKind.OVERALL:
            out.headline = figures if figures["pledges"] else None
        else:
            out.groups.setdefault(kind, {})[key] = figures
    return out
