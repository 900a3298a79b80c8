"""The progress engine: aggregate published pledges and approved updates in the database, turn
the sums into figures with `indicators.progress`, and upsert one snapshot per objective × slice ×
day (and per compact × slice × day for compact totals, where each pledge counts once).

A handful of grouped queries serve every objective at once (one per slice kind, a few for
regions); no loop in Python ever walks the pledges. Dashboards and the API read the snapshots
only.
"""

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least, TruncDate
from django.utils import timezone

from compacts.models import Compact, Objective
from core.models import Region
from pledges.models import (
    ImplementationStatus,
    Pledge,
    PledgeTarget,
    PledgeUpdate,
    PledgeUpdateActual,
    ReviewState,
    TargetUnit,
    UpdateReviewState,
)

from . import progress, snapshot_version
from .models import (
    CompactProgressSnapshot,
    ExchangeRate,
    Indicator,
    IndicatorValue,
    ProgressSnapshot,
    SliceKind,
)

AMOUNT = DecimalField(max_digits=32, decimal_places=10)
GLOBAL = "global"
STATUSES = [*ImplementationStatus.values, ""]  # "" = no approved update yet

Group = tuple[int, str, str]  # (objective or compact id, slice kind, slice key)


# --------------------------------------------------------------------------------------------
# Per-pledge expressions, written relative to a path (`pledge__` from the objectives' through
# table, `` from the pledge table itself)
# --------------------------------------------------------------------------------------------


def _rate(p: str) -> Any:
    """USD per unit of the pledge's currency on its announcement date (latest rate on or before
    it); US dollars are worth 1 without a rate row. NULL when no rate exists: unconverted."""
    dated = ExchangeRate.objects.filter(
        currency_id=OuterRef(f"{p}currency_id"), date__lte=OuterRef(f"{p}announced_on")
    ).order_by("-date")
    return Case(
        When(**{f"{p}currency_id": "USD"}, then=Value(Decimal(1), output_field=AMOUNT)),
        default=Subquery(dated.values("usd_per_unit")[:1], output_field=AMOUNT),
        output_field=AMOUNT,
    )


def _disbursed(p: str) -> Any:
    """The cumulative amount disbursed in the latest approved update that reports one."""
    latest = PledgeUpdate.objects.filter(
        pledge_id=OuterRef(f"{p}pk" if p else "pk"),
        review_state=UpdateReviewState.APPROVED,
        disbursed_amount__isnull=False,
    ).order_by("-reported_on", "-id")
    return Subquery(latest.values("disbursed_amount")[:1], output_field=AMOUNT)


def _overdue(p: str, cutoff: dt.date) -> Any:
    """1 for a pledge still open whose last approved update (or publication, if none) is older
    than two reporting cycles (`last` is an alias set by the caller)."""
    closed = [ImplementationStatus.FULFILLED, ImplementationStatus.DISCONTINUED]
    return Case(
        When(**{f"{p}implementation_status__in": closed}, then=Value(0)),
        When(Q(last__lt=cutoff), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


def _pledge_aggregates(
    queryset: QuerySet, p: str, pledge_id: str, cutoff: dt.date
) -> tuple[QuerySet, dict[str, Any]]:
    """The per-pledge aliases, and the aggregates over them (applied after grouping)."""
    queryset = queryset.alias(
        rate=_rate(p),
        disbursed=_disbursed(p),
        last=Coalesce(F(f"{p}last_update_on"), TruncDate(f"{p}published_at")),
    )
    amount = F(f"{p}amount")
    aggregates: dict[str, Any] = {
        "pledges": Count(pledge_id, distinct=True),
        "overdue": Sum(_overdue(p, cutoff)),
        "with_amount": Count(pledge_id, filter=Q(**{f"{p}amount__isnull": False})),
        "unconverted": Count(
            pledge_id, filter=Q(**{f"{p}amount__isnull": False}) & Q(rate__isnull=True)
        ),
        "pledged_usd": Sum(ExpressionWrapper(amount * F("rate"), output_field=AMOUNT)),
        "disbursing": Count(pledge_id, filter=Q(disbursed__isnull=False)),
        "disbursed_usd": Sum(ExpressionWrapper(F("disbursed") * F("rate"), output_field=AMOUNT)),
    }
    for status in STATUSES:
        aggregates[f"status_{status or 'none'}"] = Count(
            pledge_id, filter=Q(**{f"{p}implementation_status": status})
        )
    return queryset, aggregates


def _latest_actual() -> Any:
    actual = PledgeUpdateActual.objects.filter(
        target_id=OuterRef("pk"), update__review_state=UpdateReviewState.APPROVED
    ).order_by("-update__reported_on", "-update_id")
    return Subquery(actual.values("value")[:1], output_field=AMOUNT)


def _target_aggregates(queryset: QuerySet) -> tuple[QuerySet, dict[str, Any]]:
    """Per unit: how many targets, and over those with a reported value, the sum of targets and
    the sum of the latest achieved values, each capped at its target (cumulative targets use the
    latest value, never a sum of updates)."""
    reported = Q(latest__isnull=False)
    return queryset.alias(latest=_latest_actual()), {
        "targets": Count("id"),
        "reported": Count("id", filter=reported),
        "target_sum": Sum("target_value", filter=reported),
        "achieved_sum": Sum(Least(F("latest"), F("target_value")), filter=reported),
        "met": Count("id", filter=reported & Q(latest__gte=F("target_value"))),
    }


# --------------------------------------------------------------------------------------------
# Slices
# --------------------------------------------------------------------------------------------


def _slices(
    queryset: QuerySet, *, owner: str, pledge_path: str, by_country: bool
) -> Iterable[tuple[str, QuerySet, Any]]:
    """(slice kind, queryset, slice key expression or None) for every slice; regions are
    filtered one by one so that a pledge with several countries of one region counts once.
    A pledge counts under each of its beneficiary countries (once per country)."""
    p = pledge_path
    yield SliceKind.OVERALL, queryset, None
    yield SliceKind.FORUM, queryset, F(f"{p}forum__code")
    yield SliceKind.ENTITY_TYPE, queryset, F(f"{p}entity__entity_type__code")
    if by_country:
        yield SliceKind.COUNTRY, queryset, F(f"{p}beneficiary_countries__code")
    pledge_ref = f"{p}pk" if p else "pk"
    for region in Region.values:
        in_region = Pledge.beneficiary_countries.through.objects.filter(
            pledge_id=OuterRef(pledge_ref), country__region=region
        )
        yield (
            f"{SliceKind.REGION}:{region}",
            queryset.filter(
                Exists(in_region), **{f"{p}geography_scope__in": ["regional", "national", "local"]}
            ),
            None,
        )
    yield f"{SliceKind.REGION}:{GLOBAL}", queryset.filter(**{f"{p}geography_scope": GLOBAL}), None


def _grouped(
    source: tuple[QuerySet, dict[str, Any]],
    *,
    owner: str,
    pledge_path: str,
    extra: Sequence[str] = (),
    by_country: bool = False,
) -> dict[Group, list[dict[str, Any]]]:
    """Run each slice's grouped query (GROUP BY owner, slice key and `extra`); rows keyed by
    (owner id, slice kind, slice key)."""
    queryset, aggregates = source
    out: dict[Group, list[dict[str, Any]]] = defaultdict(list)
    slices = _slices(queryset, owner=owner, pledge_path=pledge_path, by_country=by_country)
    for kind, sliced, key_expr in slices:
        slice_kind, _, fixed_key = kind.partition(":")
        if slice_kind == SliceKind.COUNTRY:
            # Pledges without beneficiary countries (global scope) have no country slice.
            grouped = (
                sliced.annotate(slice_key=key_expr)
                .filter(slice_key__isnull=False)
                .values(owner, "slice_key", *extra)
            )
        elif key_expr is not None:
            grouped = sliced.annotate(slice_key=key_expr).values(owner, "slice_key", *extra)
        else:
            grouped = sliced.values(owner, *extra)
        yield_rows = list(grouped.annotate(**aggregates).order_by())
        for row in yield_rows:
            key = fixed_key or row.pop("slice_key", "") or ""
            out[(row.pop(owner), slice_kind, key)].append(row)
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


def _indicators_by(owner: str, ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
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


def _cutoff(on: dt.date) -> dt.date:
    return on - relativedelta(months=2 * settings.REPORTING_CYCLE_MONTHS)


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def compute_objectives(objective_ids: Sequence[int], *, on: dt.date) -> dict[Group, dict]:
    """Figures for every slice of these objectives, without writing anything."""
    ids = list(objective_ids)
    through = Pledge.objectives.through.objects.filter(
        objective_id__in=ids, pledge__review_state=ReviewState.PUBLISHED
    )
    pledges = _grouped(
        _pledge_aggregates(through, "pledge__", "pledge_id", _cutoff(on)),
        owner="objective_id",
        pledge_path="pledge__",
    )
    targets = _grouped(
        _target_aggregates(
            PledgeTarget.objects.filter(pledge__review_state=ReviewState.PUBLISHED)
            .annotate(objective_id=F("pledge__objectives__id"))
            .filter(objective_id__in=ids)
        ),
        owner="objective_id",
        pledge_path="pledge__",
        extra=("unit",),
    )
    indicators = _indicators_by("objective_id", ids)
    groups = set(pledges) | set(targets) | {(i, SliceKind.OVERALL, "") for i in ids}
    return {
        group: _figures(
            (pledges.get(group) or [None])[0],
            targets.get(group, []),
            indicators.get(group[0], []) if group[1] == SliceKind.OVERALL else None,
        )
        for group in groups
    }


def compute_compacts(compact_ids: Sequence[int], *, on: dt.date) -> dict[Group, dict]:
    """Compact totals: each published pledge once, whatever number of objectives it serves."""
    ids = list(compact_ids)
    pledges = _grouped(
        _pledge_aggregates(
            Pledge.objects.filter(compact_id__in=ids, review_state=ReviewState.PUBLISHED),
            "",
            "id",
            _cutoff(on),
        ),
        owner="compact_id",
        pledge_path="",
        by_country=True,
    )
    targets = _grouped(
        _target_aggregates(
            PledgeTarget.objects.filter(
                pledge__review_state=ReviewState.PUBLISHED, pledge__compact_id__in=ids
            ).annotate(compact_id=F("pledge__compact_id"))
        ),
        owner="compact_id",
        pledge_path="pledge__",
        extra=("unit",),
        by_country=True,
    )
    indicators = _indicators_by("compact_id", ids)
    groups = set(pledges) | set(targets) | {(i, SliceKind.OVERALL, "") for i in ids}
    return {
        group: _figures(
            (pledges.get(group) or [None])[0],
            targets.get(group, []),
            indicators.get(group[0], []) if group[1] == SliceKind.OVERALL else None,
        )
        for group in groups
    }


def _write(model: type, owner: str, results: dict[Group, dict], *, on: dt.date) -> int:
    now = timezone.now()
    rows = [
        model(
            **{f"{owner}_id": owner_id},
            slice_kind=kind,
            slice_key=key,
            date=on,
            figures=figures,
            computed_at=now,
            inputs_fingerprint=_fingerprint(figures),
        )
        for (owner_id, kind, key), figures in results.items()
    ]
    owners = {owner_id for owner_id, _, _ in results}
    with transaction.atomic():
        # A slice that no longer has pledges (the last one withdrawn) must not keep today's
        # old figures.
        keep = {(o, k, s) for o, k, s in results}
        for snapshot in model.objects.filter(**{f"{owner}_id__in": owners}, date=on).values(
            "pk", f"{owner}_id", "slice_kind", "slice_key"
        ):
            group = (snapshot[f"{owner}_id"], snapshot["slice_kind"], snapshot["slice_key"])
            if group not in keep:
                model.objects.filter(pk=snapshot["pk"]).delete()
        model.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=[owner, "slice_kind", "slice_key", "date"],
            update_fields=["figures", "computed_at", "inputs_fingerprint"],
            batch_size=500,
        )
        snapshot_version.bump_on_commit()
    return len(rows)


def recompute_objectives(objective_ids: Sequence[int], *, on: dt.date | None = None) -> int:
    """Compute and upsert today's (or `on`'s) snapshots of these objectives; returns how many
    snapshot rows were written."""
    on = on or timezone.localdate()
    ids = list(Objective.objects.filter(pk__in=objective_ids).values_list("pk", flat=True))
    if not ids:
        return 0
    return _write(ProgressSnapshot, "objective", compute_objectives(ids, on=on), on=on)


def recompute_compacts(compact_ids: Sequence[int], *, on: dt.date | None = None) -> int:
    """Compute and upsert the compact totals; returns how many snapshot rows were written."""
    on = on or timezone.localdate()
    ids = list(Compact.objects.filter(pk__in=compact_ids).values_list("pk", flat=True))
    if not ids:
        return 0
    return _write(CompactProgressSnapshot, "compact", compute_compacts(ids, on=on), on=on)
