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
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from compacts.models import Compact, Objective
from core.models import Country, Region
from forums.models import Forum
from pledges.models import (
    Entity,
    EntityType,
    ImplementationStatus,
    Pledge,
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

from . import progress, snapshot_version
from .models import (
    CompactProgressSnapshot,
    Indicator,
    IndicatorValue,
    ProgressSnapshot,
    SliceKind,
)

GLOBAL = "global"
STATUSES = [*ImplementationStatus.values, ""]  # "" = no approved update yet

Group = tuple[int, str, str]  # (objective or compact id, slice kind, slice key)


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
    "progress_owned_compact",
    "progress_regions",
    "progress_countries",
)
DROP_TEMP_TABLES = "DROP TABLE IF EXISTS " + ", ".join(f"pg_temp.{t}" for t in TEMP_TABLES)


def _chosen_sql() -> str:
    """The published pledges of the run, in a table of their own: with real statistics on it
    (ANALYZE), the planner picks hash joins for a full run and index lookups for one objective,
    where a CTE's guessed size (200 rows) made it loop over 700,000 index scans."""
    return f"""
    CREATE TEMPORARY TABLE progress_chosen ON COMMIT DROP AS
    SELECT p.id FROM {_t(Pledge)} p
    WHERE p.review_state = %(published)s AND {{scope}}
    """


def _facts_sql() -> str:
    """Per published pledge of the run: its slice keys, amount, status, USD rate (latest rate on
    or before its announcement; 1 for US dollars; NULL when none), latest disbursed amount (from
    the latest approved update that reports one) and the date of its last news."""
    return f"""
    CREATE TEMPORARY TABLE progress_facts ON COMMIT DROP AS
    WITH rates AS (
        -- One probe per (currency, announcement day), not per pledge: a few thousand at most.
        SELECT k.currency_id, k.announced_on,
               {usd_rate_sql("k.currency_id", "k.announced_on")} AS rate
        FROM (SELECT DISTINCT p.currency_id, p.announced_on
              FROM progress_chosen c JOIN {_t(Pledge)} p ON p.id = c.id
              WHERE p.currency_id IS NOT NULL) k
    ), disbursed AS (
        SELECT DISTINCT ON (u.pledge_id) u.pledge_id, u.disbursed_amount
        FROM {_t(PledgeUpdate)} u
        JOIN progress_chosen c ON c.id = u.pledge_id
        WHERE u.review_state = %(approved)s AND u.disbursed_amount IS NOT NULL
        ORDER BY u.pledge_id, u.reported_on DESC, u.id DESC
    )
    SELECT p.id, p.compact_id, p.geography_scope, p.amount, p.implementation_status,
           fo.code AS forum_code, et.code AS entity_type_code,
           r.rate,
           d.disbursed_amount AS disbursed,
           {last_report_sql("p.last_update_on", "p.published_at")} AS last
    FROM progress_chosen c
    JOIN {_t(Pledge)} p ON p.id = c.id
    JOIN {_t(Forum)} fo ON fo.id = p.forum_id
    JOIN {_t(Entity)} e ON e.id = p.entity_id
    JOIN {_t(EntityType)} et ON et.id = e.entity_type_id
    LEFT JOIN rates r ON r.currency_id = p.currency_id AND r.announced_on = p.announced_on
    LEFT JOIN disbursed d ON d.pledge_id = p.id
    """


def _pledge_aggregates_sql() -> str:
    overdue = overdue_sql("f.implementation_status", "f.last", "%(cutoff)s")
    parts = [
        # Each (owner, slice, pledge) is one row (unique links), so count(*) counts pledges; a
        # DISTINCT would force a sort per grouping set instead of one hash pass.
        "count(f.id) AS pledges",
        f"sum(CASE WHEN {overdue} THEN 1 ELSE 0 END) AS overdue",
        "count(f.id) FILTER (WHERE f.amount IS NOT NULL) AS with_amount",
        "count(f.id) FILTER (WHERE f.amount IS NOT NULL AND f.rate IS NULL) AS unconverted",
        "sum(f.amount * f.rate) AS pledged_usd",
        # How many terms each sum has: a sum over none is NULL, not 0 (stored sums need this).
        "count(f.amount * f.rate) AS pledged_n",
        "count(f.id) FILTER (WHERE f.disbursed IS NOT NULL) AS disbursing",
        "sum(f.disbursed * f.rate) AS disbursed_usd",
        "count(f.disbursed * f.rate) AS disbursed_n",
    ]
    for status in STATUSES:
        parts.append(
            f"count(f.id) FILTER (WHERE f.implementation_status = '{status}') "
            f"AS status_{status or 'none'}"
        )
    return ", ".join(parts)


def _target_aggregates_sql() -> str:
    return (
        "count(t.id) AS targets, "
        "count(t.id) FILTER (WHERE t.latest IS NOT NULL) AS reported, "
        "sum(t.target_value) FILTER (WHERE t.latest IS NOT NULL) AS target_sum, "
        "sum(least(t.latest, t.target_value)) FILTER (WHERE t.latest IS NOT NULL) "
        "AS achieved_sum, "
        "count(t.id) FILTER (WHERE t.latest IS NOT NULL AND t.latest >= t.target_value) AS met"
    )


def _targets_sql() -> str:
    """The targets of the run's pledges with the latest approved achieved value of each."""
    return f"""
    CREATE TEMPORARY TABLE progress_targets ON COMMIT DROP AS
    SELECT t.id, t.pledge_id, t.unit, t.target_value, a.value AS latest
    FROM {_t(PledgeTarget)} t
    LEFT JOIN (
        SELECT DISTINCT ON (a.target_id) a.target_id, a.value
        FROM {_t(PledgeUpdateActual)} a
        JOIN {_t(PledgeUpdate)} u ON u.id = a.update_id
        JOIN progress_chosen c ON c.id = u.pledge_id
        WHERE u.review_state = %(approved)s
        ORDER BY a.target_id, u.reported_on DESC, u.id DESC
    ) a ON a.target_id = t.id
    JOIN progress_chosen c ON c.id = t.pledge_id
    """


def _regions_sql() -> str:
    """The regions each pledge of the run serves (several countries of one region: once)."""
    return f"""
    CREATE TEMPORARY TABLE progress_regions ON COMMIT DROP AS
    SELECT DISTINCT bc.pledge_id, c.region
    FROM {_t(Pledge.beneficiary_countries.through)} bc
    JOIN {_t(Country)} c ON c.code = bc.country_id
    JOIN progress_chosen ch ON ch.id = bc.pledge_id
    WHERE c.region = ANY(%(regions)s)
    """


def _run_grouped(
    cursor: Any,
    *,
    owner_from: str,
    owner_col: str,
    with_targets: bool,
    by_country: bool,
    params: dict[str, Any],
) -> dict[Group, list[dict[str, Any]]]:
    """Rows keyed by (owner id, slice kind, slice key), as the figures expect them. `owner_from`
    names the facts `f`, one row per owner and pledge, the owner in `owner_col`."""
    aggregates = _target_aggregates_sql() if with_targets else _pledge_aggregates_sql()
    source = (
        f"{owner_from} JOIN progress_targets t ON t.pledge_id = f.id"
        if with_targets
        else (owner_from)
    )
    unit = ", t.unit" if with_targets else ""
    out: dict[Group, list[dict[str, Any]]] = defaultdict(list)

    def collect(sql: str, kind_of: Any) -> None:
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            owner = row.pop("owner")
            kind, key = kind_of(row)
            out[(owner, kind, key)].append(row)

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
        f"""SELECT {owner_col} AS owner, f.forum_code, f.entity_type_code,
                   grouping(f.forum_code) AS no_forum, grouping(f.entity_type_code) AS no_type
                   {unit}, {aggregates}
            FROM {source}
            GROUP BY GROUPING SETS (({owner_col}{unit}), ({owner_col}, f.forum_code{unit}),
                                    ({owner_col}, f.entity_type_code{unit}))""",
        simple_slice,
    )
    # Regions: a pledge counts once in each region it serves (several countries of one region
    # count once); global pledges form the "global" region.
    collect(
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
    if by_country:
        collect(
            f"""SELECT {owner_col} AS owner, bc.country_id{unit}, {aggregates}
                FROM {source}
                JOIN progress_countries bc ON bc.pledge_id = f.id
                GROUP BY {owner_col}, bc.country_id{unit}""",
            lambda row: (SliceKind.COUNTRY, row.pop("country_id")),
        )
    return out


def _countries_sql() -> str:
    """Each pledge's beneficiary countries, read once: the country slices and the stored facts
    must see the same links."""
    return f"""
    CREATE TEMPORARY TABLE progress_countries ON COMMIT DROP AS
    SELECT bc.pledge_id, bc.country_id
    FROM {_t(Pledge.beneficiary_countries.through)} bc
    JOIN progress_chosen ch ON ch.id = bc.pledge_id
    """


def _owned_sql(owner: str) -> str:
    """One row per owner and pledge of the run (an objective: each of its links)."""
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
# tables the grouped queries read: what is stored is exactly what was counted.
FACTS_SELECT = """
    WITH obj AS (
        SELECT id AS pledge_id, jsonb_agg(owner ORDER BY owner) AS ids
        FROM progress_owned_objective GROUP BY id
    ), reg AS (
        SELECT pledge_id, jsonb_agg(region ORDER BY region) AS regions
        FROM progress_regions GROUP BY pledge_id
    ), cty AS (
        SELECT pledge_id, jsonb_agg(country_id ORDER BY country_id) AS countries
        FROM progress_countries GROUP BY pledge_id
    ), tgt AS (
        SELECT pledge_id,
               jsonb_agg(jsonb_build_array(unit, target_value::text, latest::text) ORDER BY id)
               AS targets
        FROM progress_targets GROUP BY pledge_id
    )
    SELECT f.id, f.compact_id, COALESCE(obj.ids, '[]'::jsonb), f.forum_code,
           f.entity_type_code, f.geography_scope, COALESCE(reg.regions, '[]'::jsonb),
           COALESCE(cty.countries, '[]'::jsonb), f.amount, f.rate, f.disbursed, f.last,
           f.implementation_status, COALESCE(tgt.targets, '[]'::jsonb)
    FROM progress_facts f
    LEFT JOIN obj ON obj.pledge_id = f.id
    LEFT JOIN reg ON reg.pledge_id = f.id
    LEFT JOIN cty ON cty.pledge_id = f.id
    LEFT JOIN tgt ON tgt.pledge_id = f.id
"""
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
)

Rows = dict[Group, list[dict[str, Any]]]


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


def aggregate_many(
    scope: str,
    owners: dict[str, list[int]],
    *,
    on: dt.date,
    pledge_ids: Sequence[int] = (),
    grouped: bool = True,
    read: Callable[[Any], None] | None = None,
) -> dict[str, tuple[Rows, Rows]]:
    """Build the per-pledge tables once for the published pledges in `scope` (SQL over `p`),
    then aggregate them for each owner kind (unless not `grouped`). `read(cursor)`, if given,
    runs while the tables exist (to read or store the facts)."""
    params = {
        "objective_ids": owners.get("objective", []),
        "compact_ids": owners.get("compact", []),
        "pledge_ids": list(pledge_ids),
        "approved": UpdateReviewState.APPROVED,
        "published": ReviewState.PUBLISHED,
        "cutoff": overdue_cutoff(on),
        "regions": list(Region.values),
    }
    out: dict[str, tuple[Rows, Rows]] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        # JIT compilation costs more than it saves on these one-off aggregates (PERFORMANCE.md).
        cursor.execute("SET LOCAL jit = off")
        # Enough for the sorts of a full run at 1,000,000 pledges to stay in memory.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        # ON COMMIT DROP does not fire inside an outer transaction (a caller's atomic block,
        # a test): drop leftovers of an earlier call in it, and ours at the end.
        cursor.execute(DROP_TEMP_TABLES)
        cursor.execute(_chosen_sql().replace("{scope}", scope), params)
        cursor.execute("ANALYZE progress_chosen")
        cursor.execute(_facts_sql(), params)
        cursor.execute("ANALYZE progress_facts")
        cursor.execute(_targets_sql(), params)
        cursor.execute("ANALYZE progress_targets")
        # The (pledge, region) and (pledge, country) pairs and one row per owner and pledge,
        # built once and read by every grouped query below.
        cursor.execute(_regions_sql(), params)
        cursor.execute("ANALYZE progress_regions")
        cursor.execute(_countries_sql(), params)
        cursor.execute("ANALYZE progress_countries")
        for owner in owners:
            table = f"progress_owned_{owner}"
            cursor.execute(
                f"CREATE TEMPORARY TABLE {table} ON COMMIT DROP AS {_owned_sql(owner)}", params
            )
            cursor.execute(f"ANALYZE {table}")
        for owner in owners if grouped else ():
            common = {
                "owner_from": f"progress_owned_{owner} f",
                "owner_col": "f.owner",
                "params": params,
            }
            by_country = owner == "compact"
            out[owner] = (
                _run_grouped(cursor, with_targets=False, by_country=by_country, **common),
                _run_grouped(cursor, with_targets=True, by_country=by_country, **common),
            )
        if read is not None:
            read(cursor)
        cursor.execute(DROP_TEMP_TABLES)
    return out


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
    status = {s or "no_update": row.get(f"status_{s or 'none'}", 0) for s in STATUSES}
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
    latest = IndicatorValue.objects.filter(
        indicator_id=OuterRef("pk"), country__isnull=True
    ).order_by("-year")
    rows = (
        Indicator.objects.filter(**{f"{owner}__in": ids})
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


def results_for(
    pledges: dict[Group, list[dict[str, Any]]],
    targets: dict[Group, list[dict[str, Any]]],
    indicators: dict[int, list[dict[str, Any]]],
    ids: Sequence[int],
) -> dict[Group, dict]:
    groups = set(pledges) | set(targets) | {(i, SliceKind.OVERALL, "") for i in ids}
    return {
        group: _figures(
            (pledges.get(group) or [None])[0],
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


def write_snapshots(
    model: type,
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
        for snapshot in model.objects.filter(**{f"{owner}_id__in": owners}, date=on).values(
            "pk", f"{owner}_id", "slice_kind", "slice_key", "inputs_fingerprint"
        ):
            group = (snapshot[f"{owner}_id"], snapshot["slice_kind"], snapshot["slice_key"])
            existing[group] = (snapshot["pk"], snapshot["inputs_fingerprint"])
        gone = [pk for group, (pk, _) in existing.items() if group not in results]
        if gone:
            model.objects.filter(pk__in=gone).delete()
        rows = [
            model(
                **{f"{owner}_id": owner_id},
                slice_kind=kind,
                slice_key=key,
                date=on,
                figures=figures,
                computed_at=now,
                inputs_fingerprint=fingerprints[(owner_id, kind, key)],
            )
            for (owner_id, kind, key), figures in results.items()
            if not changed_only
            or existing.get((owner_id, kind, key), (None, ""))[1]
            != fingerprints[(owner_id, kind, key)]
        ]
        model.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=[owner, "slice_kind", "slice_key", "date"],
            update_fields=["figures", "computed_at", "inputs_fingerprint"],
            batch_size=500,
        )
        if rows or gone:
            snapshot_version.bump_on_commit()
    written = dict.fromkeys(owners, 0)
    for row in rows:
        written[getattr(row, f"{owner}_id")] += 1
    return written


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
