"""`make bench` compares the full progress run with hand-written SQL
(scripts/bench/progress_baseline.sql). The ratio means something only if both compute the same
thing: every counter the engine turns into figures, for every objective, compact and slice."""

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from bootstrap.demo import seed_demo
from compacts.models import Compact, Objective
from indicators import engine
from pledges.models import Entity, PledgeUpdate, ReviewState, UpdateReviewState

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 11, 23)
BASELINE = Path(__file__).resolve().parents[2] / "scripts" / "bench" / "progress_baseline.sql"

Key = tuple[str, int, str, str, str]  # owner kind, owner id, slice kind, slice key, target unit


def _values(row: dict[str, Any], names: Any) -> dict[str, Any]:
    # A sum is compared by value: numeric scales differ between the two (1.50 and 1.5).
    return {name: Decimal(row[name]) if row[name] is not None else None for name in names}


def engine_counters() -> dict[Key, dict[str, Any]]:
    owners = {
        "objective": list(Objective.objects.values_list("pk", flat=True)),
        "compact": list(Compact.objects.values_list("pk", flat=True)),
    }
    out: dict[Key, dict[str, Any]] = {}
    for owner_kind, (pledge_rows, target_rows) in engine.aggregate_many(
        "TRUE", owners, on=ON
    ).items():
        for (owner, kind, key), rows in pledge_rows.items():
            (row,) = rows
            names = [*engine.PLEDGE_COUNTERS, *(n for n in engine.DISTINCT_FIGURES if n in row)]
            out[(owner_kind, owner, kind, key, "")] = _values(row, names)
        for (owner, kind, key), rows in target_rows.items():
            for row in rows:
                out[(owner_kind, owner, kind, key, row["unit"])] = _values(
                    row, engine.TARGET_COUNTERS
                )
    return out


def baseline_counters() -> dict[Key, dict[str, Any]]:
    sql = BASELINE.read_text()
    # Only the statement (the file's session settings would outlive the test), on the day the
    # engine computes for.
    sql = sql[sql.index("WITH rates") :].replace("current_date", f"DATE '{ON}'")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        names = [c.name for c in cursor.description]
        rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    out: dict[Key, dict[str, Any]] = {}
    distinct = []
    for row in rows:
        key = (row["owner_kind"], row["owner"], row["slice_kind"], row["slice_key"], row["unit"])
        if row["distinct_figure"]:
            distinct.append((key, row["distinct_figure"], row["distinct_count"]))
        elif row["unit"]:
            out[key] = _values(row, engine.TARGET_COUNTERS)
        else:
            out[key] = _values(row, engine.PLEDGE_COUNTERS)
    # The groups the engine counts distinct entities and countries for, 0 where none.
    for key, counters in out.items():
        owner_kind, _, kind, _, unit = key
        if not unit and engine.DISTINCT_GROUPS[owner_kind] == kind:
            counters.update(dict.fromkeys(engine.DISTINCT_FIGURES, Decimal(0)))
    for key, figure, n in distinct:
        out[key][figure] = Decimal(n)
    return out


def test_the_hand_written_baseline_computes_the_engines_counters(reference_data: None) -> None:
    seed_demo(pledges=300, as_of=ON)
    # A reporter the secretariat no longer vouches for: its approved updates stop counting.
    reporter = (
        PledgeUpdate.objects.filter(
            review_state=UpdateReviewState.APPROVED,
            disbursed_amount__isnull=False,
            pledge__review_state=ReviewState.PUBLISHED,
        )
        .order_by("id")
        .values_list("entity_id", flat=True)
        .first()
    )
    assert reporter is not None
    Entity.objects.filter(pk=reporter).update(is_verified=False)

    expected = engine_counters()

    assert baseline_counters() == expected
    # Every kind of slice and figure took part.
    kinds = {(owner_kind, kind, bool(unit)) for owner_kind, _, kind, _, unit in expected}
    assert ("compact", "country", True) in kinds
    assert ("objective", "region", True) in kinds
    assert any(c.get("entities") and c.get("disbursed_usd") for c in expected.values())
