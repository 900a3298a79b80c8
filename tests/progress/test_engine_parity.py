"""The engine has two ways to aggregate: set-based SQL on PostgreSQL (fast at a million pledges)
and portable ORM queries for SQLite (the zero-setup `make run`). Both must give the same
figures, or the demo would show numbers production never would. The ORM path runs on
PostgreSQL too, so the two are compared here on the same demo data."""

import datetime as dt

import pytest

from bootstrap.demo import seed_demo
from compacts.models import Compact, Objective
from indicators import engine

ON = dt.date(2026, 11, 23)


@pytest.fixture
def demo(reference_data: None) -> None:
    seed_demo(pledges=400, as_of=ON)


def _figures(pledges: dict, targets: dict, owner: str, ids: list[int]) -> dict:
    return engine.results_for(pledges, targets, engine.indicators_by(f"{owner}_id", ids), ids)


@pytest.mark.django_db
def test_sql_and_orm_paths_give_the_same_figures_for_every_objective_and_slice(
    demo: None,
) -> None:
    ids = list(Objective.objects.values_list("pk", flat=True))

    sql = _figures(*engine._aggregate(owner="objective", ids=ids, on=ON), "objective", ids)
    orm = _figures(*engine._orm_aggregate_objectives(ids, ON), "objective", ids)

    assert len(sql) > 27 * 3  # every objective, sliced: the comparison is not vacuous
    assert sql == orm


@pytest.mark.django_db
def test_sql_and_orm_paths_give_the_same_compact_totals_including_countries(demo: None) -> None:
    ids = list(Compact.objects.values_list("pk", flat=True))

    sql = _figures(*engine._aggregate(owner="compact", ids=ids, on=ON), "compact", ids)
    orm = _figures(*engine._orm_aggregate_compacts(ids, ON), "compact", ids)

    assert any(kind == "country" for _, kind, _ in sql)
    assert sql == orm
