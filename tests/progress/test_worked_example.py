"""The worked example of docs/progress.md, computed by the engine on PostgreSQL.

Five pledges under the GCR (P1 under objectives 1 and 2 in euros, P2 fulfilled in dollars, P3 in
yen with no rate and no update since 2020, P4 withdrawn, P5 with a pending newer update),
computed on 30 June 2025 with 6-month reporting cycles. The table of inputs and every number
asserted below are worked out by hand in docs/progress.md, section "Worked example".
"""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from compacts.models import Compact, Objective
from core.models import Country, Currency, ExchangeRate
from forums.models import Forum
from indicators import engine
from indicators.models import (
    CompactProgressSnapshot,
    Indicator,
    IndicatorValue,
    ProgressSnapshot,
)
from pledges.models import (
    EntityType,
    Pledge,
    PledgeTarget,
    PledgeUpdate,
    PledgeUpdateActual,
    ReviewState,
)
from tests.factories import EntityFactory, PledgeFactory

pytestmark = pytest.mark.django_db

ON = dt.date(2025, 6, 30)
ANNOUNCED = dt.date(2023, 12, 13)


def objective(number: int) -> Objective:
    return Objective.objects.get(compact__code="GCR", number=number)


def pledge(
    ref: str,
    entity_type: str,
    forum: str,
    objectives: list[int],
    *,
    amount: str | None = None,
    currency: str | None = None,
    state: str = ReviewState.PUBLISHED,
    published: dt.date = dt.date(2023, 12, 20),
    scope: str = "national",
    countries: tuple[str, ...] = ("KE",),
) -> Pledge:
    p = PledgeFactory(
        reference=ref,
        forum=Forum.objects.get(code=forum),
        entity=EntityFactory(entity_type=EntityType.objects.get(code=entity_type)),
        objectives=[objective(n) for n in objectives],
        amount=Decimal(amount) if amount else None,
        currency=Currency.objects.get(code=currency) if currency else None,
        review_state=state,
        announced_on=ANNOUNCED if forum == "GRF23" else dt.date(2019, 12, 16),
        published_at=dt.datetime.combine(published, dt.time(12), tzinfo=dt.UTC),
        geography_scope=scope,
    )
    p.beneficiary_countries.set(Country.objects.filter(code__in=countries))
    return p


def update(
    p: Pledge, on: dt.date, status: str, *, approved: bool = True, disbursed: str | None = None
) -> PledgeUpdate:
    u = PledgeUpdate.objects.create(
        pledge=p,
        entity=p.entity,
        status=status,
        narrative="Report",
        reported_on=on,
        disbursed_amount=Decimal(disbursed) if disbursed else None,
        review_state="approved" if approved else "pending",
        reviewed_at=dt.datetime.combine(on, dt.time(12), tzinfo=dt.UTC) if approved else None,
    )
    if approved:
        latest = p.updates.filter(review_state="approved").order_by("-reported_on").first()
        Pledge.objects.filter(pk=p.pk).update(
            implementation_status=latest.status, last_update_on=latest.reported_on
        )
    return u


def target(p: Pledge, unit: str, value: str, *actuals: tuple[PledgeUpdate, str]) -> None:
    t = PledgeTarget.objects.create(pledge=p, metric=unit, unit=unit, target_value=Decimal(value))
    for u, achieved in actuals:
        PledgeUpdateActual.objects.create(update=u, target=t, value=Decimal(achieved))


def indicator(code: str, baseline: str, target_value: str, values: dict[int, str]) -> None:
    ind = Indicator.objects.get(compact__code="GCR", code=code)
    ind.baseline_value, ind.baseline_year = Decimal(baseline), 2019
    ind.target_value, ind.target_year = Decimal(target_value), 2030
    ind.save()
    for year, value in values.items():
        IndicatorValue.objects.create(indicator=ind, year=year, value=Decimal(value), source="t")


@pytest.fixture
def example(reference_data: None) -> dict[str, Any]:
    eur = Currency.objects.get(code="EUR")
    ExchangeRate.objects.create(currency=eur, date=dt.date(2023, 12, 1), usd_per_unit="1.10")
    ExchangeRate.objects.create(currency=eur, date=dt.date(2024, 6, 1), usd_per_unit="1.05")

    p1 = pledge("GRF23-00001", "state", "GRF23", [1, 2], amount="1000000", currency="EUR")
    u11 = update(p1, dt.date(2024, 3, 31), "planning", disbursed="200000")
    u12 = update(p1, dt.date(2025, 3, 31), "in_progress", disbursed="500000")
    target(p1, "places", "100", (u11, "30"), (u12, "60"))

    p2 = pledge(
        "GRF23-00002",
        "ngo",
        "GRF23",
        [1],
        amount="200000",
        currency="USD",
        scope="global",
        countries=(),
    )
    u21 = update(p2, dt.date(2024, 1, 31), "fulfilled", disbursed="250000")
    target(p2, "persons", "1000", (u21, "1500"))

    p3 = pledge(
        "GRF19-00001",
        "private_sector",
        "GRF19",
        [1],
        amount="5000000",
        currency="JPY",
        published=dt.date(2020, 1, 15),
        countries=("JO",),
    )
    target(p3, "percent", "80")

    pledge("GRF23-00004", "ngo", "GRF23", [1], state=ReviewState.WITHDRAWN)

    p5 = pledge("GRF23-00005", "state", "GRF23", [1], countries=("KE", "UG"))
    u51 = update(p5, dt.date(2024, 2, 29), "planning")
    update(p5, dt.date(2025, 1, 31), "in_progress", approved=False)
    target(p5, "percent", "50", (u51, "50"))

    indicator("1.1.1", "1000", "3000", {2023: "1500", 2024: "2000"})
    indicator("1.2.1", "20", "25", {2024: "30"})
    indicator("2.2.2", "60", "40", {2024: "45"})

    engine.recompute_objectives([objective(1).pk, objective(2).pk], on=ON)
    engine.recompute_compacts([Compact.objects.get(code="GCR").pk], on=ON)
    return {}


def figures(number: int, kind: str = "overall", key: str = "") -> dict[str, Any]:
    return ProgressSnapshot.objects.get(
        objective=objective(number), slice_kind=kind, slice_key=key, date=ON
    ).figures


def test_objective_1_counts_published_pledges_by_status(example: Any) -> None:
    f = figures(1)

    assert f["pledges"] == 4  # P4 is withdrawn
    assert f["status"] == {
        "not_started": 0,
        "planning": 1,  # P5: its newer update is still pending
        "in_progress": 1,
        "fulfilled": 1,
        "discontinued": 0,
        "no_update": 1,
    }
    assert f["overdue"] == 2  # P3 (nothing since 2020) and P5 (last approved Feb 2024)
    assert f["implementation_score"] == "0.4000"  # (0.5 + 1 + 0 + 0.1) / 4


def test_objective_1_money_converts_at_announcement_rates_and_never_treats_missing_as_zero(
    example: Any,
) -> None:
    assert figures(1)["money"] == {
        "pledges_with_amount": 3,
        "unconverted_pledges": 1,  # JPY has no rate: counted, not added as 0
        "pledged_usd": "1300000.00",  # 1,000,000 EUR × 1.10 + 200,000 USD
        "pledges_reporting_disbursement": 2,
        "disbursed_usd": "800000.00",  # latest cumulative 500,000 EUR × 1.10 + 250,000
        "delivery_ratio": "0.6154",  # 800,000 / 1,300,000
    }


def test_objective_1_targets_use_latest_values_capped_and_count_percentages_met(
    example: Any,
) -> None:
    f = figures(1)

    assert f["targets"] == {
        "percent": {"targets": 2, "reported": 1, "met": 1, "progress": "1.0000"},
        "persons": {
            "targets": 1,
            "reported": 1,
            "met": 1,
            "target_sum": "1000.00",
            "achieved_sum": "1000.00",  # 1,500 capped at its 1,000 target
            "progress": "1.0000",
        },
        "places": {
            "targets": 1,
            "reported": 1,
            "met": 0,
            "target_sum": "100.00",
            "achieved_sum": "60.00",  # the latest value, not 30 + 60
            "progress": "0.6000",
        },
    }
    assert f["target_progress"] == "0.8667"  # (1 + 1 + 0.6) / 3


def test_objective_1_indicators_are_direction_aware_and_missing_stays_missing(
    example: Any,
) -> None:
    f = figures(1)
    progress_by_code = {i["code"]: i["progress"] for i in f["indicators"]}

    assert progress_by_code == {"1.1.1": "0.5000", "1.1.2": None, "1.2.1": "1.0000"}
    assert f["indicator_progress"] == "0.7500"  # mean of 0.5 and 1 (1.1.2 has no data)
    assert figures(2)["indicators"][-1]["progress"] == "0.7500"  # 2.2.2: 60 → 45, target 40


def test_composite_is_the_weighted_mean_of_the_components(example: Any) -> None:
    assert figures(1)["composite"] == {
        "score": "0.6064",  # 0.4×0.4 + 0.2×0.6154 + 0.2×0.8667 + 0.2×0.75
        "components": {
            "implementation": "0.4000",
            "money": "0.6154",
            "targets": "0.8667",
            "indicators": "0.7500",
        },
        "weights": {"implementation": "0.4", "money": "0.2", "targets": "0.2", "indicators": "0.2"},
        "weights_used": "1.0",
    }
    assert figures(2)["composite"]["score"] == "0.5700"  # P1 alone under objective 2


def test_slices_split_pledges_by_forum_entity_type_and_region(example: Any) -> None:
    assert figures(1, "forum", "GRF23")["pledges"] == 3
    assert figures(1, "forum", "GRF19")["pledges"] == 1
    assert figures(1, "entity_type", "state")["pledges"] == 2
    assert figures(1, "region", "002")["pledges"] == 2  # P1 and P5 (Kenya and Uganda: once)
    assert figures(1, "region", "142")["pledges"] == 1  # P3 in Jordan
    assert figures(1, "region", "global")["pledges"] == 1  # P2
    assert figures(1, "region", "002")["indicators"] == []  # indicators: overall slice only


def test_compact_total_counts_a_pledge_under_two_objectives_once(example: Any) -> None:
    total = CompactProgressSnapshot.objects.get(
        compact__code="GCR", slice_kind="overall", date=ON
    ).figures

    assert total["pledges"] == 4
    assert total["money"]["pledged_usd"] == "1300000.00"  # P1's money once, not twice


def test_compact_totals_rank_beneficiary_countries_counting_each_pledge_once_per_country(
    example: Any,
) -> None:
    countries = {
        s.slice_key: s.figures
        for s in CompactProgressSnapshot.objects.filter(
            compact__code="GCR", slice_kind="country", date=ON
        )
    }

    # P1 and P5 in Kenya, P5 also in Uganda, P3 in Jordan; P2 (global) has no country.
    assert {code: f["pledges"] for code, f in countries.items()} == {"KE": 2, "UG": 1, "JO": 1}
    assert countries["KE"]["money"]["pledged_usd"] == "1100000.00"  # P1 only: P5 has no amount
    assert not ProgressSnapshot.objects.filter(slice_kind="country").exists()  # compacts only


def test_recomputing_is_idempotent_and_drops_slices_that_emptied(example: Any) -> None:
    before = ProgressSnapshot.objects.filter(date=ON).count()
    Pledge.objects.filter(reference="GRF19-00001").update(review_state=ReviewState.WITHDRAWN)

    engine.recompute_objectives([objective(1).pk, objective(2).pk], on=ON)

    assert not ProgressSnapshot.objects.filter(
        objective=objective(1), slice_kind="forum", slice_key="GRF19", date=ON
    ).exists()
    assert ProgressSnapshot.objects.filter(date=ON).count() == before - 3  # forum, type, region
    assert figures(1)["pledges"] == 3


def test_an_objective_without_pledges_still_gets_an_overall_snapshot(
    reference_data: None,
) -> None:
    engine.recompute_objectives([objective(3).pk], on=ON)

    f = figures(3)
    assert f["pledges"] == 0
    assert f["implementation_score"] is None
    assert f["money"]["pledged_usd"] is None
    assert f["composite"]["score"] is None
