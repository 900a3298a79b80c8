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

Most of it is read from the sums the progress engine stores per grouping of forum, entity
type, regions, objectives and types of support, and per country and target unit
(`indicators.filter_sums`: the same counters, summed over a few hundred rows instead of counted
over every matching pledge): each branch of the statement from the smallest stored grouping
that holds the keys it filters and groups by (`plan`); a branch none holds (a breakdown by a
fourth key, the countries or targets of four filters or of a country and two more) is
computed from the matching facts — few pledges pass such filters — and so is everything for
a multistakeholder pledge or a day the sums do not hold for. Both give the same figures
(tests/dashboards/test_combined_filter_sums.py).

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
from pledges.models import overdue_cutoff

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
        # The facts' own types of support (as the stored sums have them): with other filters
        # this is a test on the few rows they select, where a semijoin on the links read every
        # link of the type (~400,000 for "financial" at 1,000,000 pledges) whatever else is
        # chosen. Alone it is answered from the stored sums.
        conditions.append("s.support_type_ids @> %(support_type)s::jsonb")
        params["support_type"] = json.dumps([flt.support_type_id])
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


# The branches of a combination's statement: the headline ("overall"), the breakdowns and the
# overall targets per unit ("targets"). Each is read from the stored sums when a stored grouping
# holds it (`_plan`), else computed from the matching facts.
BRANCHES = (
    "overall",
    SliceKind.FORUM,
    SliceKind.ENTITY_TYPE,
    SliceKind.REGION,
    SliceKind.COUNTRY,
    OBJECTIVE,
    "targets",
)
# The key a breakdown groups by, as a stored grouping must hold it (`filter_sums.DIMS`).
BY = {
    "overall": 0,
    SliceKind.FORUM: filter_sums.FORUM,
    SliceKind.ENTITY_TYPE: filter_sums.TYPE,
    SliceKind.REGION: filter_sums.REGION,
    OBJECTIVE: filter_sums.OBJECTIVE,
}


def _fact_branches(wanted: set[str]) -> list[str]:
    """The branches in `wanted`, each grouped from the matching facts `f`."""
    branches: dict[str, str] = {
        "overall": "SELECT 'overall'::text AS kind, ''::text AS key, ''::text AS unit, "
        f"{_counters(targets=False)} FROM f",
        SliceKind.FORUM: _branch(SliceKind.FORUM, "f.forum_code", "f"),
        SliceKind.ENTITY_TYPE: _branch(SliceKind.ENTITY_TYPE, "f.entity_type_code", "f"),
        SliceKind.REGION: _branch(
            SliceKind.REGION,
            "CASE WHEN f.geography_scope = 'global' THEN 'global' ELSE r.region END",
            # A global pledge is in the `global` region; a scoped one in its countries'.
            "f LEFT JOIN LATERAL jsonb_array_elements_text(f.regions) r(region) "
            f"ON f.geography_scope IN {SCOPED!r} "
            f"WHERE f.geography_scope = '{engine.GLOBAL}' OR r.region IS NOT NULL",
        ),
        SliceKind.COUNTRY: _branch(
            SliceKind.COUNTRY,
            "c.country",
            "f CROSS JOIN jsonb_array_elements_text(f.countries) c(country)",
        ),
        OBJECTIVE: _branch(
            OBJECTIVE,
            "o.objective",
            "f CROSS JOIN jsonb_array_elements_text(f.objective_ids) o(objective)",
            light=False,  # the objective cards show statuses and overdue pledges
        ),
        # The overall targets per unit (the headline's).
        "targets": "SELECT 'overall', '', t.unit, "
        f"{_counters(targets=True)} FROM f "
        "CROSS JOIN jsonb_array_elements(f.targets) WITH ORDINALITY x(e, n) "
        "CROSS JOIN LATERAL (SELECT x.n AS id, x.e->>0 AS unit, "
        "(x.e->>1)::numeric AS target_value, (x.e->>2)::numeric AS latest) t "
        # Pledges without targets are skipped before the function call.
        "WHERE f.targets <> '[]'::jsonb GROUP BY t.unit",
    }
    if SliceKind.FORUM in wanted and SliceKind.ENTITY_TYPE in wanted:
        # Forum and entity type in one pass over the facts (GROUPING SETS).
        branches[SliceKind.FORUM] = (
            "SELECT CASE WHEN grouping(f.forum_code) = 0 THEN 'forum' ELSE 'entity_type' END "
            "AS kind, COALESCE(f.forum_code, f.entity_type_code) AS key, ''::text AS unit, "
            f"{_counters(targets=False, light=True)} FROM f "
            "GROUP BY GROUPING SETS ((f.forum_code), (f.entity_type_code))"
        )
        wanted = wanted - {SliceKind.ENTITY_TYPE}
    return [branches[name] for name in BRANCHES if name in wanted]


def _facts_cte(conditions: list[str]) -> str:
    """The facts that pass every filter, read once (`f`)."""
    where = " AND ".join(conditions)
    return (
        "f AS MATERIALIZED ("
        "SELECT s.pledge_id AS id, s.forum_code, s.entity_type_code, s.geography_scope, "
        "s.regions, s.countries, s.objective_ids, s.targets, s.amount, s.rate, s.disbursed, "
        f"s.last, s.implementation_status FROM {engine._t(PledgeFact)} s WHERE {where})"
    )


def _sql(conditions: list[str]) -> str:
    """Every branch from the matching facts."""
    return f"WITH {_facts_cte(conditions)} " + " UNION ALL ".join(_fact_branches(set(BRANCHES)))


def _stored_where(flt: FactFilter) -> tuple[list[str], dict[str, Any], int]:
    """The filters as conditions over the stored sums `f` (filter_sums), their parameters, and
    the keys they filter by (`filter_sums.DIMS` bits). A country is not among them: it selects
    the country rows (`_stored_branches`)."""
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
    if flt.country:
        params["country_code"] = flt.country
    return conditions, params, dims


def _stored_branches(conditions: list[str], dims: int, *, country: bool) -> dict[str, str | None]:
    """Each branch's SQL from the stored sums of the rows that pass every filter — the same
    counters summed over rows instead of counted over pledges — from the smallest stored
    grouping that holds the keys it filters and groups by; None for a branch none holds.

    With a country among the filters, every branch reads that country's rows: its pledges'
    counters (each row holds the pledges that benefit the country), the other countries of
    those pledges (`pair`) and their targets (`country_unit`)."""
    where = " AND ".join(conditions)
    table = engine._t(FilterSum)
    # The rows of each kind (filter_sums.EXPAND); a country filter takes its country's.
    chosen = "f.country = %(country_code)s" if country else "f.country <> ''"
    kinds = {
        "pledge": "f.country = '' AND f.unit = ''",
        "country": f"{chosen} AND f.with_country = '' AND f.unit = ''",
        "unit": "f.country = '' AND f.unit <> ''",
        "pair": f"{chosen} AND f.with_country <> ''",
        "country_unit": f"{chosen} AND f.unit <> ''",
    }

    def rows(kind: str, needed: int = 0, expand: str = "", group: str = "2") -> str | None:
        """The rows of one kind that pass the filters, from the grouping that holds `needed`;
        `expand`: a list key expanded into one row per value."""
        grouping = filter_sums.cuboid(kind, dims | needed)
        if grouping is None:
            return None
        return (
            f"{table} f {expand} WHERE {where} AND f.dims = {grouping} AND {kinds[kind]} "
            f"GROUP BY {group}"
        )

    def branch(select: str, source: str | None) -> str | None:
        return None if source is None else f"{select} FROM {source}"

    counters = filter_sums.counters
    light = counters(targets=False, light=LIGHT)
    pledge = "country" if country else "pledge"  # the rows holding each pledge once
    bit = filter_sums.DIMS
    return {
        "overall": branch(
            "SELECT 'overall'::text AS kind, ''::text AS key, ''::text AS unit, "
            f"{counters(targets=False)}",
            rows(pledge, group="f.compact_id"),
        ),
        SliceKind.FORUM: branch(
            f"SELECT '{SliceKind.FORUM}', f.forum_code, '', {light}",
            rows(pledge, bit["forum_code"]),
        ),
        SliceKind.ENTITY_TYPE: branch(
            f"SELECT '{SliceKind.ENTITY_TYPE}', f.entity_type_code, '', {light}",
            rows(pledge, bit["entity_type_code"]),
        ),
        SliceKind.REGION: branch(
            f"SELECT '{SliceKind.REGION}', r.region, '', {light}",
            rows(
                pledge,
                bit["regions"],
                "CROSS JOIN jsonb_array_elements_text(f.regions) r(region)",
            ),
        ),
        SliceKind.COUNTRY: branch(
            f"SELECT '{SliceKind.COUNTRY}', f.with_country, '', {light}",
            rows("pair", group="f.with_country"),
        )
        if country
        else branch(f"SELECT '{SliceKind.COUNTRY}', f.country, '', {light}", rows("country")),
        OBJECTIVE: branch(
            f"SELECT '{OBJECTIVE}', o.objective, '', {counters(targets=False)}",
            rows(
                pledge,
                bit["objective_ids"],
                "CROSS JOIN jsonb_array_elements_text(f.objective_ids) o(objective)",
            ),
        ),
        "targets": branch(
            f"SELECT 'overall', '', f.unit, {counters(targets=True)}",
            rows("country_unit" if country else "unit", group="f.unit"),
        ),
    }


def _stored_sql(conditions: list[str], dims: int) -> str:
    """Every branch from the stored sums (the caller checked that each is stored)."""
    branches = _stored_branches(conditions, dims, country=False)
    return " UNION ALL ".join(sql for sql in branches.values() if sql is not None)


@dataclass(frozen=True)
class Plan:
    """Where a combination's branches are read: the stored sums or the matching facts."""

    stored: tuple[str, ...]
    facts: tuple[str, ...]


def plan(flt: FactFilter, on: dt.date, *, use_sums: bool = True) -> Plan:
    """Each branch from the stored sums when a stored grouping holds it, the others from the
    facts. Every branch from the facts with a multistakeholder pledge among the filters (the
    sums hold no memberships; an MSP has a few thousand member pledges at most), or when the
    sums do not hold for the day asked (its overdue cut-off) or were not built yet."""
    if not use_sums or flt.msp_id is not None or not _sums_ready(on):
        return Plan((), BRANCHES)
    conditions, _params, dims = _stored_where(flt)
    branches = _stored_branches(conditions, dims, country=bool(flt.country))
    return Plan(
        tuple(name for name in BRANCHES if branches[name] is not None),
        tuple(name for name in BRANCHES if branches[name] is None),
    )


def _sums_ready(on: dt.date) -> bool:
    return ProgressBase.objects.filter(pk=1, built_on=on, filter_sums_on=on).exists()


def stored(flt: FactFilter, on: dt.date) -> bool:
    """True if the stored sums answer every branch of this combination (no fact is read)."""
    return not plan(flt, on).facts


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
    each branch from the stored sums when they hold it, the others from the matching facts
    (`plan`)."""
    chosen = plan(flt, on, use_sums=use_sums)
    params: dict[str, Any] = {}
    parts: list[str] = []
    if chosen.stored:
        conditions, params, dims = _stored_where(flt)
        branches = _stored_branches(conditions, dims, country=bool(flt.country))
        parts.extend(str(branches[name]) for name in chosen.stored)
    cte = ""
    if chosen.facts:
        conditions, fact_params = _where(flt)
        params.update(fact_params, cutoff=overdue_cutoff(on))
        cte = f"WITH {_facts_cte(conditions)} "
        parts[:0] = _fact_branches(set(chosen.facts))
    sql = cte + " UNION ALL ".join(parts)
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
