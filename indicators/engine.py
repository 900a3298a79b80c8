# ruff: noqa: S608 — SQL is built from model table names and constants; values are parameters.
"""The progress engine: aggregate published pledges and approved updates in the database, turn
the sums into figures with `indicators.progress`, and upsert one snapshot per objective × slice ×
day (and per compact × slice × day for compact totals, where each pledge counts once).

Per-pledge values are computed once per run into temporary tables, then a few grouped queries
(GROUPING SETS) serve every objective and slice at once; no loop in Python ever walks the
pledges. Dashboards and the API read the snapshots only.
"""

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from compacts.models import Compact, Objective
from core.models import Country, Region
from forums.models import Forum
from partnerships.models import (
    MembershipState,
    MultistakeholderMembership,
    MultistakeholderPledge,
)
from pledges.models import (
    NO_FORUM,
    Entity,
    EntityType,
    ImplementationStatus,
    Pledge,
    PledgeParticipant,
    PledgeTarget,
    PledgeUpdate,
    PledgeUpdateActual,
    ReviewState,
    TargetUnit,
    UpdateReviewState,
    last_report_sql,
    overdue_cutoff,
    overdue_sql,
    usd_rate_sql,
)
from webhooks.events import emit

from . import progress, snapshot_version
from .feed import feed_msp_figures, feed_snapshots
from .models import (
    CompactProgressSnapshot,
    Indicator,
    IndicatorValue,
    MspProgressSnapshot,
    PledgeFact,
    ProgressSnapshot,
    SliceKind,
    SnapshotFields,
)

GLOBAL = "global"
STATUSES = [*ImplementationStatus.values, ""]  # "" = no approved update yet
STATUS_COUNTERS = {status: f"status_{status or 'none'}" for status in STATUSES}

Group = tuple[int, str, str]  # (objective or compact id, slice kind, slice key)
Rows = dict[Group, list[dict[str, Any]]]


# --------------------------------------------------------------------------------------------
# Set-based aggregation (SQL). Every per-pledge value — the USD rate at announcement, the latest
# disbursed amount, the date of last news — is computed ONCE per run into a temporary table,
# with joins rather than one correlated subquery per row and per slice; then one query with
# GROUPING SETS serves the overall, forum and entity-type slices, one the regions and one the
# countries. At 1,000,000 pledges the former per-objective ORM queries took minutes per
# objective; this takes seconds for every objective (docs/performance.md).
# --------------------------------------------------------------------------------------------


def _t(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


TEMP_TABLES = (
    "progress_chosen",
    "progress_facts",
    "progress_targets",
    "progress_owned_objective",
    "progress_owned_msp",
    "progress_regions",
    "progress_countries",
)
# A compact's rows are the facts themselves (one compact per pledge): a view over them, where a
# table copied every fact once more (~1 s at 1,000,000 pledges). Dropped first: it depends on
# `progress_facts` (ON COMMIT DROP takes it along with the table).
TEMP_VIEWS = ("progress_owned_compact",)
DROP_TEMP_TABLES = (
    "DROP VIEW IF EXISTS "
    + ", ".join(f"pg_temp.{v}" for v in TEMP_VIEWS)
    + ";\nDROP TABLE IF EXISTS "
    + ", ".join(f"pg_temp.{t}" for t in TEMP_TABLES)
)


def _chosen_sql() -> str:
    """The published pledges of the run, in a table of their own: with real statistics on it
    (ANALYZE), the planner picks hash joins for a full run and index lookups for one objective,
    where a CTE's guessed size (200 rows) made it loop over 700,000 index scans. With the
    columns the facts read: the pledges table (2.4 GB at 1,000,000 pledges, most of it text) is
    then scanned once per run, where the facts scanned it twice more."""
    return f"""
    SELECT p.id, p.compact_id, p.entity_id, p.forum_id, p.geography_scope, p.amount,
           p.implementation_status, p.currency_id, p.announced_on, p.last_update_on,
           p.published_at
    FROM {_t(Pledge)} p
    WHERE p.review_state = %(published)s AND {{scope}}
    """


# An approved update `u` counts only while its reporting entity is verified: the SQL form of
# `pledges.models.approved_update_q`, which the API, the feed, the reports and the pledge's
# status follow. (Un)verifying a co-pledger marks the pledges it reported on
# (`pledges.services.entities`), so incremental runs see the change too.
def _verified_reporter() -> str:
    return f"JOIN {_t(Entity)} ue ON ue.id = u.entity_id AND ue.is_verified"


def _facts_sql() -> str:
    """Per published pledge of the run: its slice keys, amount, status, USD rate (latest rate on
    or before its announcement; 1 for US dollars; NULL when none), latest disbursed amount (from
    the latest approved update that reports one) and the date of its last news."""
    return f"""
    WITH rates AS (
        -- One probe per (currency, announcement day), not per pledge: a few thousand at most.
        SELECT k.currency_id, k.announced_on,
               {usd_rate_sql("k.currency_id", "k.announced_on")} AS rate
        FROM (SELECT DISTINCT p.currency_id, p.announced_on
              FROM progress_chosen p WHERE p.currency_id IS NOT NULL) k
    ), disbursed AS (
        SELECT DISTINCT ON (u.pledge_id) u.pledge_id, u.disbursed_amount
        FROM {_t(PledgeUpdate)} u
        JOIN progress_chosen c ON c.id = u.pledge_id
        {_verified_reporter()}
        WHERE u.review_state = %(approved)s AND u.disbursed_amount IS NOT NULL
        ORDER BY u.pledge_id, u.reported_on DESC, u.id DESC
    )
    SELECT p.id, p.compact_id, p.entity_id, p.geography_scope, p.amount, p.implementation_status,
           COALESCE(fo.code, '{NO_FORUM}') AS forum_code, et.code AS entity_type_code,
           r.rate,
           d.disbursed_amount AS disbursed,
           {last_report_sql("p.last_update_on", "p.published_at")} AS last
    FROM progress_chosen p
    -- LEFT: a pledge announced outside any forum is in the forum slice NO_FORUM.
    LEFT JOIN {_t(Forum)} fo ON fo.id = p.forum_id
    JOIN {_t(Entity)} e ON e.id = p.entity_id
    JOIN {_t(EntityType)} et ON et.id = e.entity_type_id
    LEFT JOIN rates r ON r.currency_id = p.currency_id AND r.announced_on = p.announced_on
    LEFT JOIN disbursed d ON d.pledge_id = p.id
    """


class Counter(NamedTuple):
    """One additive counter of the figures: its SQL aggregate over the run's facts `f` (pledge
    counters) or targets `t` (target counters). A money sum names the counter of its terms: a
    sum over none is NULL (no figure), not 0, and stored sums must tell the two apart."""

    sql: str
    terms: str | None = None


# Every figure derives from these counters, per owner × slice (× target unit). Full runs group
# them; incremental runs (indicators/delta.py) run the same SQL over a changed pledge's stored
# and current facts and add the difference to the stored sums. A new counter is one line here.
PLEDGE_COUNTERS = {
    # Each (owner, slice, pledge) is one row (unique links), so count(*) counts pledges; a
    # DISTINCT would force a sort per grouping set instead of one hash pass.
    "pledges": Counter("count(f.id)"),
    "overdue": Counter(
        f"sum(CASE WHEN {overdue_sql('f.implementation_status', 'f.last', '%(cutoff)s')} "
        "THEN 1 ELSE 0 END)"
    ),
    "with_amount": Counter("count(f.id) FILTER (WHERE f.amount IS NOT NULL)"),
    "unconverted": Counter("count(f.id) FILTER (WHERE f.amount IS NOT NULL AND f.rate IS NULL)"),
    "pledged_usd": Counter("sum(f.amount * f.rate)", terms="pledged_n"),
    # The terms of a product: both factors known (no second numeric product per row).
    "pledged_n": Counter("count(f.id) FILTER (WHERE f.amount IS NOT NULL AND f.rate IS NOT NULL)"),
    "disbursing": Counter("count(f.id) FILTER (WHERE f.disbursed IS NOT NULL)"),
    "disbursed_usd": Counter("sum(f.disbursed * f.rate)", terms="disbursed_n"),
    "disbursed_n": Counter(
        "count(f.id) FILTER (WHERE f.disbursed IS NOT NULL AND f.rate IS NOT NULL)"
    ),
    **{
        name: Counter(f"count(f.id) FILTER (WHERE f.implementation_status = '{status}')")
        for status, name in STATUS_COUNTERS.items()
    },
}
TARGET_COUNTERS = {
    "targets": Counter("count(t.id)"),
    "reported": Counter("count(t.id) FILTER (WHERE t.latest IS NOT NULL)"),
    "target_sum": Counter("sum(t.target_value) FILTER (WHERE t.latest IS NOT NULL)", "reported"),
    "achieved_sum": Counter(
        "sum(least(t.latest, t.target_value)) FILTER (WHERE t.latest IS NOT NULL)", "reported"
    ),
    "met": Counter(
        "count(t.id) FILTER (WHERE t.latest IS NOT NULL AND t.latest >= t.target_value)"
    ),
}


def _aggregates_sql(counters: dict[str, Counter]) -> str:
    return ", ".join(f"{counter.sql} AS {name}" for name, counter in counters.items())


def _targets_sql() -> str:
    """The targets of the run's pledges with the latest approved achieved value of each."""
    return f"""
    SELECT t.id, t.pledge_id, t.unit, t.target_value, a.value AS latest
    FROM {_t(PledgeTarget)} t
    LEFT JOIN (
        SELECT DISTINCT ON (a.target_id) a.target_id, a.value
        FROM {_t(PledgeUpdateActual)} a
        JOIN {_t(PledgeUpdate)} u ON u.id = a.update_id
        JOIN progress_chosen c ON c.id = u.pledge_id
        {_verified_reporter()}
        WHERE u.review_state = %(approved)s
        ORDER BY a.target_id, u.reported_on DESC, u.id DESC
    ) a ON a.target_id = t.id
    JOIN progress_chosen c ON c.id = t.pledge_id
    """


def _regions_sql() -> str:
    """The regions each pledge of the run serves (several countries of one region: once)."""
    return f"""
    SELECT DISTINCT bc.pledge_id, c.region
    FROM {_t(Pledge.beneficiary_countries.through)} bc
    JOIN {_t(Country)} c ON c.code = bc.country_id
    JOIN progress_chosen ch ON ch.id = bc.pledge_id
    WHERE c.region = ANY(%(regions)s)
    """


Query = tuple[str, Callable[[dict[str, Any]], tuple[str, str]]]  # SQL, row → (slice kind, key)


def _grouped_queries(owner: str, *, with_targets: bool) -> list[Query]:
    """The grouped queries of one owner kind's pledge (or target) counters, over its rows `f`
    (one per owner and pledge, the owner in `f.owner`)."""
    aggregates = _aggregates_sql(TARGET_COUNTERS if with_targets else PLEDGE_COUNTERS)
    owner_col = "f.owner"
    source = f"progress_owned_{owner} f"
    if with_targets:
        source += " JOIN progress_targets t ON t.pledge_id = f.id"
    unit = ", t.unit" if with_targets else ""
    queries: list[Query] = []
    collect = queries.append

    def simple_slice(row: dict[str, Any]) -> tuple[str, str]:
        forum, entity_type = row.pop("forum_code"), row.pop("entity_type_code")
        no_forum, no_type = row.pop("no_forum"), row.pop("no_type")
        if not no_forum:
            return SliceKind.FORUM, forum
        if not no_type:
            return SliceKind.ENTITY_TYPE, entity_type
        return SliceKind.OVERALL, ""

    # Overall, forum and entity type in one pass over the rows.
    collect(
        (
            f"""SELECT {owner_col} AS owner, f.forum_code, f.entity_type_code,
                   grouping(f.forum_code) AS no_forum, grouping(f.entity_type_code) AS no_type
                   {unit}, {aggregates}
            FROM {source}
            GROUP BY GROUPING SETS (({owner_col}{unit}), ({owner_col}, f.forum_code{unit}),
                                    ({owner_col}, f.entity_type_code{unit}))""",
            simple_slice,
        )
    )
    # Regions: a pledge counts once in each region it serves (several countries of one region
    # count once); global pledges form the "global" region.
    collect(
        (
            f"""SELECT {owner_col} AS owner, rk.region{unit}, {aggregates}
            FROM {source}
            JOIN progress_regions rk ON rk.pledge_id = f.id
            WHERE f.geography_scope IN ('regional', 'national', 'local')
            GROUP BY {owner_col}, rk.region{unit}
            UNION ALL
            SELECT {owner_col} AS owner, '{GLOBAL}'{unit}, {aggregates}
            FROM {source}
            WHERE f.geography_scope = '{GLOBAL}'
            GROUP BY {owner_col}{unit}""",
            lambda row: (SliceKind.REGION, row.pop("region")),
        )
    )
    if owner == "compact":
        collect(
            (
                f"""SELECT {owner_col} AS owner, bc.country_id{unit}, {aggregates}
                FROM {source}
                JOIN progress_countries bc ON bc.pledge_id = f.id
                GROUP BY {owner_col}, bc.country_id{unit}""",
                lambda row: (SliceKind.COUNTRY, row.pop("country_id")),
            )
        )
    return queries


def _run_grouped(
    cursor: Any, owners: Iterable[str], params: dict[str, Any], tables: str = ""
) -> dict[str, tuple[Rows, Rows]]:
    """(pledge rows, target rows) of each owner kind, keyed by (owner id, slice kind, slice
    key) as the figures expect them. `tables`, a WITH clause, may stand in for the per-pledge
    tables. One round trip for every query: the result sets come back in order."""
    plan = [
        (owner, with_targets, query)
        for owner in owners
        for with_targets in (False, True)
        for query in _grouped_queries(owner, with_targets=with_targets)
    ]
    out: dict[str, tuple[Rows, Rows]] = {
        owner: (defaultdict(list), defaultdict(list)) for owner in owners
    }
    if not plan:
        return out
    cursor.execute(";\n".join(tables + sql for _, _, (sql, _) in plan), params)
    for index, (owner, with_targets, (_, kind_of)) in enumerate(plan):
        if index:
            cursor.nextset()
        names = [c.name for c in cursor.description]
        found = out[owner][1 if with_targets else 0]
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            owner_id = row.pop("owner")
            kind, key = kind_of(row)
            found[(owner_id, kind, key)].append(row)
    return out


# Distinct counts are not additive, so they are no counters (incremental runs carry them over,
# `indicators.delta.write_from_sums`): each aggregation from the pledges counts them afresh, for
# the groups the public objective and forum pages show (`pledges.views.public`).
DISTINCT_GROUPS = {"objective": SliceKind.OVERALL, "compact": SliceKind.FORUM}
DISTINCT_FIGURES = ("entities", "countries")


def _distinct_counts(cursor: Any, out: dict[str, tuple[Rows, Rows]]) -> None:
    """Add `entities` (the submitting entity and the public co-pledgers: both stand behind a
    pledge) and `countries` (beneficiary countries) to the pledge rows of each objective overall
    and each compact's forum slices, counted over the run's temporary tables."""
    participants, params = (
        # No ordering: the model's (by entity name) would sort every co-pledger for nothing.
        PledgeParticipant.objects.public()
        .order_by()
        .values("pledge_id", "entity_id")
        .query.sql_with_params()
    )
    for owner, kind in DISTINCT_GROUPS.items():
        if owner not in out:
            continue
        key = "o.forum_code" if kind == SliceKind.FORUM else "''"
        # The owner's rows carry each pledge's own entity: only the co-pledgers (a few per
        # hundred pledges) are joined to them, not every pledge's entity again.
        members = f"""
            SELECT o.owner, {key} AS slice_key, o.entity_id FROM progress_owned_{owner} o
            UNION ALL  -- the DISTINCT below drops a co-pledger that also submitted the pledge
            SELECT o.owner, {key}, pp.entity_id FROM ({participants}) pp
            JOIN progress_owned_{owner} o ON o.id = pp.pledge_id"""
        countries = f"""
            SELECT o.owner, {key} AS slice_key, m.country_id
            FROM progress_owned_{owner} o JOIN progress_countries m ON m.pledge_id = o.id"""
        for name, source in (("entities", members), ("countries", countries)):
            # DISTINCT, then count: a hash aggregate, where count(DISTINCT) sorts every group.
            cursor.execute(
                f"""SELECT owner, slice_key, count(*) FROM (SELECT DISTINCT * FROM ({source}) m) d
                GROUP BY owner, slice_key""",
                params if name == "entities" else (),
            )
            rows = out[owner][0]
            for (_owner_id, group_kind, _key), found in rows.items():
                if group_kind == kind:  # none found: no beneficiary country, say
                    for row in found:
                        row[name] = 0
            for owner_id, slice_key, n in cursor.fetchall():
                for row in rows.get((owner_id, kind, slice_key), []):
                    row[name] = n


def _countries_sql() -> str:
    """Each pledge's beneficiary countries, read once: the country slices and the stored facts
    must see the same links."""
    return f"""
    SELECT bc.pledge_id, bc.country_id
    FROM {_t(Pledge.beneficiary_countries.through)} bc
    JOIN progress_chosen ch ON ch.id = bc.pledge_id
    """


def _owned_sql(owner: str, *, stored: bool = False) -> str:
    """One row per owner and pledge of the run (an objective: each of its links)."""
    if stored:  # stored facts: every owner they were counted for
        if owner == "objective":
            return (
                "SELECT o.id::bigint AS owner, f.* FROM progress_facts f "
                "CROSS JOIN jsonb_array_elements_text(f.objective_ids) o(id)"
            )
        return "SELECT f.compact_id AS owner, f.* FROM progress_facts f"
    if owner == "msp":
        # A multistakeholder pledge owns the published pledges it accepted as members (at most
        # one accepted membership per pledge and MSP, so each counts once).
        return (
            f"SELECT m.msp_id AS owner, f.* FROM progress_facts f "
            f"JOIN {_t(MultistakeholderMembership)} m ON m.pledge_id = f.id "
            f"AND m.state = '{MembershipState.ACCEPTED}' AND m.msp_id = ANY(%(msp_ids)s)"
        )
    if owner == "objective":
        return (
            f"SELECT o.objective_id AS owner, f.* FROM progress_facts f "
            f"JOIN {_t(Pledge.objectives.through)} o "
            "ON o.pledge_id = f.id AND o.objective_id = ANY(%(objective_ids)s)"
        )
    return (
        "SELECT f.compact_id AS owner, f.* FROM progress_facts f "
        "WHERE f.compact_id = ANY(%(compact_ids)s)"
    )


# The stored facts of every pledge of the run (see indicators/delta.py), from the same temporary
# tables the grouped queries read: what is stored is exactly what was counted. Each list is
# aggregated from a subquery sorted by (pledge, element): one sort per list, where an ORDER BY
# inside the aggregate sorted every pledge's few elements apart (~40 % of this statement). The
# aggregate takes its rows in the subquery's order (a sorted subquery is never flattened, and
# these tables are temporary or tiny, so there is no parallel plan to interleave them);
# `tests/progress/test_delta.py` compares the stored lists with fresh ones.
FACTS_SELECT = """
    WITH obj AS (
        SELECT pledge_id, to_jsonb(array_agg(owner)) AS ids
        FROM (SELECT id AS pledge_id, owner FROM progress_owned_objective ORDER BY id, owner) s
        GROUP BY pledge_id
    ), reg AS (
        SELECT pledge_id, to_jsonb(array_agg(region)) AS regions
        FROM (SELECT pledge_id, region FROM progress_regions ORDER BY pledge_id, region) s
        GROUP BY pledge_id
    ), cty AS (
        SELECT pledge_id, to_jsonb(array_agg(country_id)) AS countries
        FROM (SELECT pledge_id, country_id FROM progress_countries
              ORDER BY pledge_id, country_id) s
        GROUP BY pledge_id
    ), tgt AS (
        SELECT pledge_id,
               to_jsonb(array_agg(jsonb_build_array(unit, target_value::text, latest::text)))
               AS targets
        FROM (SELECT * FROM progress_targets ORDER BY pledge_id, id) s
        GROUP BY pledge_id
    ), sup AS (
        SELECT pledge_id, to_jsonb(array_agg(supporttype_id)) AS ids
        FROM (SELECT st.pledge_id, st.supporttype_id
              FROM "%s" st JOIN progress_facts f ON f.id = st.pledge_id
              ORDER BY st.pledge_id, st.supporttype_id) s
        GROUP BY pledge_id
    )
    SELECT f.id, f.compact_id, COALESCE(obj.ids, '[]'::jsonb), f.forum_code,
           f.entity_type_code, f.geography_scope, COALESCE(reg.regions, '[]'::jsonb),
           COALESCE(cty.countries, '[]'::jsonb), f.amount, f.rate, f.disbursed, f.last,
           f.implementation_status, COALESCE(tgt.targets, '[]'::jsonb),
           COALESCE(sup.ids, '[]'::jsonb)
    FROM progress_facts f
    LEFT JOIN obj ON obj.pledge_id = f.id
    LEFT JOIN reg ON reg.pledge_id = f.id
    LEFT JOIN cty ON cty.pledge_id = f.id
    LEFT JOIN tgt ON tgt.pledge_id = f.id
    LEFT JOIN sup ON sup.pledge_id = f.id
""".replace("%s", Pledge.support_types.through._meta.db_table)
FACT_COLUMNS = (
    "pledge_id",
    "compact_id",
    "objective_ids",
    "forum_code",
    "entity_type_code",
    "geography_scope",
    "regions",
    "countries",
    "amount",
    "rate",
    "disbursed",
    "last",
    "implementation_status",
    "targets",
    "support_type_ids",
)


def _aggregate(*, owner: str, ids: Sequence[int], on: dt.date) -> tuple[Rows, Rows]:
    """(pledge rows, target rows) for these objectives (`owner="objective"`) or compacts."""
    ids = list(ids)
    if owner == "objective":
        scope = (
            f"EXISTS (SELECT 1 FROM {_t(Pledge.objectives.through)} o "
            "WHERE o.pledge_id = p.id AND o.objective_id = ANY(%(objective_ids)s))"
        )
        owners = {"objective": ids}
    else:
        scope = "p.compact_id = ANY(%(compact_ids)s)"
        owners = {"compact": ids}
    return aggregate_many(scope, owners, on=on)[owner]


def _live_selects(scope: str, owners: Iterable[str]) -> dict[str, str]:
    """The per-pledge tables of the published pledges in `scope` (SQL over `p`) and one row per
    owner and pledge, read by every grouped query: each table's name and its SELECT."""
    return {
        "progress_chosen": _chosen_sql().replace("{scope}", scope),
        "progress_facts": _facts_sql(),
        "progress_targets": _targets_sql(),
        "progress_regions": _regions_sql(),
        "progress_countries": _countries_sql(),
        **{f"progress_owned_{owner}": _owned_sql(owner) for owner in owners},
    }


def _live_tables(scope: str, owners: Iterable[str]) -> list[str]:
    """For a run over many pledges: the tables as temporary tables, each with statistics
    (ANALYZE, taken before the next table is built) so that the planner picks hash joins.
    Sampled at a tenth of the default (3,000 rows): enough to size these joins and groups
    (their plans are the same but for the order of hash joins), where the default sample cost
    ~1.5 s of a run at 100,000 pledges."""
    return [
        "SET LOCAL default_statistics_target = 10",
        *(
            statement
            for table, sql in _live_selects(scope, owners).items()
            for statement in (
                (f"CREATE TEMPORARY VIEW {table} AS {sql}",)
                if table in TEMP_VIEWS
                else (
                    f"CREATE TEMPORARY TABLE {table} ON COMMIT DROP AS {sql}",
                    f"ANALYZE {table}",
                )
            )
        ),
        "SET LOCAL default_statistics_target TO DEFAULT",
    ]


def _live_ctes(scope: str, owners: Iterable[str]) -> str:
    """For a few pledges (an incremental run): the tables as a WITH clause. Creating and
    dropping seven temporary tables cost ~50 ms of catalog writes, more than everything else an
    incremental run does."""
    selects = _live_selects(scope, owners)
    return "WITH " + ", ".join(f"{name} AS ({sql})" for name, sql in selects.items()) + " "


def _stored_tables() -> str:
    """The same tables for the pledges `pledge_ids`, from their facts as the last run stored them
    (`FACTS_SELECT`), as a WITH clause whose names stand in for the tables': the grouped
    queries then give back what the facts counted when they were stored."""
    ctes = {
        "stored": f"SELECT * FROM {_t(PledgeFact)} WHERE pledge_id = ANY(%(pledge_ids)s)",
        "progress_facts": (
            "SELECT s.pledge_id AS id, s.compact_id, s.geography_scope, s.amount, "
            "s.implementation_status, s.forum_code, s.entity_type_code, s.rate, s.disbursed, "
            "s.last, s.objective_ids FROM stored s"
        ),
        "progress_targets": (
            "SELECT t.n AS id, s.pledge_id, t.e->>0 AS unit, (t.e->>1)::numeric AS target_value, "
            "(t.e->>2)::numeric AS latest FROM stored s "
            "CROSS JOIN jsonb_array_elements(s.targets) WITH ORDINALITY t(e, n)"
        ),
        "progress_regions": (
            "SELECT s.pledge_id, r.region FROM stored s "
            "CROSS JOIN jsonb_array_elements_text(s.regions) r(region)"
        ),
        "progress_countries": (
            "SELECT s.pledge_id, c.country_id FROM stored s "
            "CROSS JOIN jsonb_array_elements_text(s.countries) c(country_id)"
        ),
        "progress_owned_objective": _owned_sql("objective", stored=True),
        "progress_owned_compact": _owned_sql("compact", stored=True),
    }
    return "WITH " + ", ".join(f"{name} AS ({sql})" for name, sql in ctes.items()) + " "


def _params(owners: dict[str, list[int]], on: dt.date, pledge_ids: Sequence[int]) -> dict:
    return {
        "objective_ids": owners.get("objective", []),
        "compact_ids": owners.get("compact", []),
        "msp_ids": owners.get("msp", []),
        "pledge_ids": list(pledge_ids),
        "approved": UpdateReviewState.APPROVED,
        "published": ReviewState.PUBLISHED,
        "cutoff": overdue_cutoff(on),
        "regions": list(Region.values),
    }


def aggregate_many(
    scope: str,
    owners: dict[str, list[int]],
    *,
    on: dt.date,
    read: Callable[[Any, str, dict[str, Any]], None] | None = None,
) -> dict[str, tuple[Rows, Rows]]:
    """Build the per-pledge tables once for the published pledges in `scope` (SQL over `p`),
    then aggregate them for each owner kind. `read(cursor, "", params)`, if given, runs while
    the tables exist (to store the facts)."""
    params = _params(owners, on, ())
    statements = [
        # JIT compilation costs more than it saves on one-off aggregates (docs/performance.md).
        "SET LOCAL jit = off",
        # Enough for the sorts of a full run at 1,000,000 pledges to stay in memory.
        "SET LOCAL work_mem = '256MB'",
        # ON COMMIT DROP does not fire inside an outer transaction (a caller's atomic block,
        # a test): drop leftovers of an earlier call in it, and ours at the end.
        DROP_TEMP_TABLES,
        *_live_tables(scope, owners),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        # One round trip: psycopg's client-side binding, Django's default, takes several
        # statements at once (not with the `server_side_binding` option).
        cursor.execute(";\n".join(statements), params)
        out = _run_grouped(cursor, owners, params)
        _distinct_counts(cursor, out)
        if read is not None:
            read(cursor, "", params)
        cursor.execute(DROP_TEMP_TABLES)
    return out


def live_tables(
    pledge_ids: Sequence[int], owners: dict[str, list[int]], *, on: dt.date
) -> tuple[str, dict[str, Any]]:
    """The per-pledge tables of these pledges (those published) as a WITH clause, and its
    parameters: what an incremental run stores as their facts (`FACTS_SELECT` after it)."""
    return _live_ctes("p.id = ANY(%(pledge_ids)s)", owners), _params(owners, on, pledge_ids)


def aggregate_stored(
    pledge_ids: Sequence[int], owners: dict[str, list[int]], *, on: dt.date
) -> dict[str, tuple[Rows, Rows]]:
    """What these pledges' stored facts counted when they were stored, grouped as
    `aggregate_many` groups the live ones."""
    with connection.cursor() as cursor:
        return _run_grouped(cursor, owners, _params(owners, on, pledge_ids), _stored_tables())


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------


def _figures(
    pledge_row: dict[str, Any] | None,
    target_rows: list[dict[str, Any]],
    indicators: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    weights = {k: Decimal(v) for k, v in settings.PROGRESS_STATUS_WEIGHTS.items()}
    component_weights = {k: Decimal(v) for k, v in settings.PROGRESS_COMPONENT_WEIGHTS.items()}
    row = pledge_row or {}
    pledges = row.get("pledges", 0)
    status = {s or "no_update": row.get(name, 0) for s, name in STATUS_COUNTERS.items()}
    score = progress.implementation_score(status, pledges, weights)
    pledged, disbursed = row.get("pledged_usd"), row.get("disbursed_usd")
    delivery = progress.ratio(disbursed, pledged) if row.get("disbursing") else None

    targets: dict[str, Any] = {}
    unit_progress: list[Decimal | None] = []
    for t in sorted(target_rows, key=lambda r: r["unit"]):
        figures = {"targets": t["targets"], "reported": t["reported"], "met": t["met"]}
        if t["unit"] == TargetUnit.PERCENT:
            # Percentages cannot be added up: count the percentage targets reached instead.
            share = progress.ratio(Decimal(t["met"]), Decimal(t["reported"]))
        else:
            share = progress.ratio(t["achieved_sum"], t["target_sum"])
            figures["target_sum"] = progress.money(t["target_sum"])
            figures["achieved_sum"] = progress.money(t["achieved_sum"])
        unit_progress.append(share)
        targets[t["unit"]] = {**figures, "progress": progress.fmt(share)}
    target_progress = progress.mean(unit_progress)
    indicator_share = (
        progress.mean([i["progress_value"] for i in indicators]) if indicators else None
    )
    mix = progress.composite(
        {
            "implementation": score,
            "money": delivery,
            "targets": target_progress,
            "indicators": indicator_share,
        },
        component_weights,
    )
    return {
        "pledges": pledges,
        **{name: row[name] for name in DISTINCT_FIGURES if name in row},
        "status": status,
        "overdue": row.get("overdue") or 0,
        "implementation_score": progress.fmt(score),
        "money": {
            "pledges_with_amount": row.get("with_amount", 0),
            "unconverted_pledges": row.get("unconverted", 0),
            "pledged_usd": progress.money(pledged) if pledges else None,
            "pledges_reporting_disbursement": row.get("disbursing", 0),
            "disbursed_usd": progress.money(disbursed),
            "delivery_ratio": progress.fmt(delivery),
        },
        "targets": targets,
        "target_progress": progress.fmt(target_progress),
        "indicators": [
            {k: v for k, v in i.items() if k != "progress_value"} for i in indicators or []
        ],
        "indicator_progress": progress.fmt(indicator_share),
        "composite": {
            "score": progress.fmt(mix.score),
            "components": {k: progress.fmt(v) for k, v in mix.components.items()},
            "weights": {k: str(v) for k, v in mix.weights.items()},
            "weights_used": str(mix.weights_used),
        },
    }


def indicators_by(owner: str, ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    # The newest year's global value; of a year that several reports published, the latest
    # report's (an earlier report's value is kept as history, never used).
    latest = IndicatorValue.objects.filter(
        indicator_id=OuterRef("pk"), country__isnull=True
    ).latest_first()
    rows = (
        Indicator.objects.counting()
        .filter(**{f"{owner}__in": ids})
        .annotate(
            latest=Subquery(latest.values("value")[:1]),
            latest_year=Subquery(latest.values("year")[:1]),
        )
        .values(
            owner,
            "code",
            "unit",
            "direction",
            "baseline_value",
            "target_value",
            "latest",
            "latest_year",
        )
        .order_by("code")
    )
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        share = progress.indicator_progress(
            baseline=row["baseline_value"], target=row["target_value"], latest=row["latest"]
        )
        out[row[owner]].append(
            {
                "code": row["code"],
                "unit": row["unit"],
                "direction": row["direction"],
                "baseline": progress.fmt(row["baseline_value"]),
                "target": progress.fmt(row["target_value"]),
                "latest": progress.fmt(row["latest"]),
                "latest_year": row["latest_year"],
                "progress": progress.fmt(share),
                "progress_value": share,
            }
        )
    return out


def _fingerprint(figures: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(figures, sort_keys=True).encode()).hexdigest()


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def _first(rows: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    return rows[0] if rows else None


def results_for(
    pledges: dict[Group, list[dict[str, Any]]],
    targets: dict[Group, list[dict[str, Any]]],
    indicators: dict[int, list[dict[str, Any]]],
    ids: Sequence[int],
) -> dict[Group, dict]:
    groups = set(pledges) | set(targets) | {(i, SliceKind.OVERALL, "") for i in ids}
    return {
        group: _figures(
            _first(pledges.get(group)),
            targets.get(group, []),
            indicators.get(group[0], []) if group[1] == SliceKind.OVERALL else None,
        )
        for group in groups
    }


def compute_objectives(objective_ids: Sequence[int], *, on: dt.date) -> dict[Group, dict]:
    """Figures for every slice of these objectives, without writing anything."""
    ids = list(objective_ids)
    pledges, targets = _aggregate(owner="objective", ids=ids, on=on)
    return results_for(pledges, targets, indicators_by("objective_id", ids), ids)


def compute_compacts(compact_ids: Sequence[int], *, on: dt.date) -> dict[Group, dict]:
    """Compact totals: each published pledge once, whatever number of objectives it serves."""
    ids = list(compact_ids)
    pledges, targets = _aggregate(owner="compact", ids=ids, on=on)
    return results_for(pledges, targets, indicators_by("compact_id", ids), ids)


# A snapshot model: ProgressSnapshot or CompactProgressSnapshot (delta.OWNER_MODELS).
Snapshot = TypeVar("Snapshot", bound=SnapshotFields)


def write_snapshots(
    model: type[Snapshot],
    owner: str,
    results: dict[Group, dict],
    *,
    on: dt.date,
    changed_only: bool = False,
) -> dict[int, int]:
    """Upsert the day's snapshots of `results` and delete the day's snapshots of their owners'
    groups that are no longer in `results` (the last pledge of a slice withdrawn). With
    `changed_only`, rows whose figures did not change are left alone. Returns the rows written
    per owner."""
    now = timezone.now()
    owners = {owner_id for owner_id, _, _ in results}
    fingerprints = {group: _fingerprint(figures) for group, figures in results.items()}
    with transaction.atomic():
        existing = {}
        # The model's one manager, `objects` (the abstract SnapshotFields declares none).
        for snapshot in model._default_manager.filter(
            **{f"{owner}_id__in": owners}, date=on
        ).values("pk", f"{owner}_id", "slice_kind", "slice_key", "inputs_fingerprint"):
            group = (snapshot[f"{owner}_id"], snapshot["slice_kind"], snapshot["slice_key"])
            existing[group] = (snapshot["pk"], snapshot["inputs_fingerprint"])
        gone = [pk for group, (pk, _) in existing.items() if group not in results]
        if gone:
            model._default_manager.filter(pk__in=gone).delete()
        rows = [
            {
                "owner_id": owner_id,
                "slice_kind": kind,
                "slice_key": key,
                "figures": figures,
                "fingerprint": fingerprints[(owner_id, kind, key)],
            }
            for (owner_id, kind, key), figures in results.items()
            if not changed_only
            or existing.get((owner_id, kind, key), (None, ""))[1]
            != fingerprints[(owner_id, kind, key)]
        ]
        upserted = _upsert_snapshots(model, owner, rows, on=on, now=now)
        if rows or gone:
            snapshot_version.bump_on_commit()
            if model is ProgressSnapshot:  # partners hear of objectives only (public figures)
                emit("progress.updated", owners)
        if model is ProgressSnapshot:  # the one snapshot model the API lists (`/progress/`)
            feed_snapshots(written=[pk for pk, _ in upserted], deleted=gone)
        elif model is MspProgressSnapshot and (rows or gone):
            feed_msp_figures(owners)
    written = dict.fromkeys(owners, 0)
    for _, owner_id in upserted:
        written[owner_id] += 1
    return written


def _upsert_snapshots(
    model: type[SnapshotFields],
    owner: str,
    rows: list[dict[str, Any]],
    *,
    on: dt.date,
    now: dt.datetime,
) -> list[tuple[int, int]]:
    """Insert or update these snapshot rows of the day; returns (pk, owner id) of each. The rows
    go as one JSON document, not through `bulk_create`, whose arrays (UNNEST) psycopg quotes
    element by element in Python under client-side binding: 0.6 s for 900 snapshots' figures,
    most of the write."""
    if not rows:
        return []
    table, owner_column = _t(model), f"{owner}_id"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {table} ({owner_column}, slice_kind, slice_key, date, figures,
                                     computed_at, inputs_fingerprint)
            SELECT r.owner_id, r.slice_kind, r.slice_key, %(on)s, r.figures, %(now)s,
                   r.fingerprint
            FROM ROWS FROM (jsonb_to_recordset(%(rows)s::jsonb) AS (owner_id bigint,
                            slice_kind text, slice_key text, figures jsonb, fingerprint text))
                 WITH ORDINALITY AS r
            ORDER BY r.ordinality  -- in the order given, as bulk_create wrote them
            ON CONFLICT ({owner_column}, slice_kind, slice_key, date) DO UPDATE
            SET figures = EXCLUDED.figures, computed_at = EXCLUDED.computed_at,
                inputs_fingerprint = EXCLUDED.inputs_fingerprint
            RETURNING id, {owner_column}""",
            {"on": on, "now": now, "rows": json.dumps(rows)},
        )
        return [(pk, owner_id) for pk, owner_id in cursor.fetchall()]


def recompute_objectives_each(
    objective_ids: Sequence[int], *, on: dt.date | None = None
) -> dict[int, int]:
    """Compute and upsert today's (or `on`'s) snapshots of these objectives, all in one pass;
    returns how many snapshot rows were written per objective."""
    on = on or timezone.localdate()
    ids = list(Objective.objects.filter(pk__in=objective_ids).values_list("pk", flat=True))
    if not ids:
        return {}
    results = compute_objectives(ids, on=on)
    write_snapshots(ProgressSnapshot, "objective", results, on=on)
    counts = dict.fromkeys(ids, 0)
    for owner_id, _, _ in results:
        counts[owner_id] += 1
    return counts


def recompute_objectives(objective_ids: Sequence[int], *, on: dt.date | None = None) -> int:
    """Compute and upsert today's (or `on`'s) snapshots of these objectives; returns how many
    snapshot rows were written."""
    return sum(recompute_objectives_each(objective_ids, on=on).values())


def recompute_compacts(compact_ids: Sequence[int], *, on: dt.date | None = None) -> int:
    """Compute and upsert the compact totals; returns how many snapshot rows were written."""
    on = on or timezone.localdate()
    ids = list(Compact.objects.filter(pk__in=compact_ids).values_list("pk", flat=True))
    if not ids:
        return 0
    results = compute_compacts(ids, on=on)
    return sum(write_snapshots(CompactProgressSnapshot, "compact", results, on=on).values())


# --------------------------------------------------------------------------------------------
# Multistakeholder pledges: the same figures over the published pledges that joined each one
# (docs/progress.md, "Multistakeholder pledges"). No indicators: they belong to objectives.
# --------------------------------------------------------------------------------------------


def _msp_entities(ids: Sequence[int]) -> dict[int, int]:
    """Distinct submitting entities of each MSP's counted member pledges."""
    rows = (
        MultistakeholderMembership.objects.filter(
            msp_id__in=ids,
            state=MembershipState.ACCEPTED,
            pledge__review_state=ReviewState.PUBLISHED,
        )
        .values("msp_id")
        .annotate(n=Count("pledge__entity_id", distinct=True))
    )
    return {row["msp_id"]: row["n"] for row in rows}


def compute_msps(msp_ids: Sequence[int], *, on: dt.date) -> dict[Group, dict]:
    """Figures for every slice of these multistakeholder pledges, without writing anything."""
    ids = list(msp_ids)
    scope = (
        f"EXISTS (SELECT 1 FROM {_t(MultistakeholderMembership)} m WHERE m.pledge_id = p.id "
        f"AND m.state = '{MembershipState.ACCEPTED}' AND m.msp_id = ANY(%(msp_ids)s))"
    )
    pledges, targets = aggregate_many(scope, {"msp": ids}, on=on)["msp"]
    results = results_for(pledges, targets, {}, ids)
    entities = _msp_entities(ids)
    for (owner_id, kind, _key), figures in results.items():
        if kind == SliceKind.OVERALL:
            figures["entities"] = entities.get(owner_id, 0)
    return results


def recompute_msps(msp_ids: Sequence[int], *, on: dt.date | None = None) -> int:
    """Compute and upsert today's (or `on`'s) snapshots of these MSPs; returns the rows written."""
    on = on or timezone.localdate()
    ids = list(MultistakeholderPledge.objects.filter(pk__in=msp_ids).values_list("pk", flat=True))
    if not ids:
        return 0
    results = compute_msps(ids, on=on)
    return sum(write_snapshots(MspProgressSnapshot, "msp", results, on=on).values())
