"""Indicator data feeds progress too: changing it marks the objectives it affects."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from compacts.models import Objective
from core.models import Currency, ExchangeRate
from indicators.models import Indicator, IndicatorValue
from indicators.services import (
    delete_indicator_value,
    save_exchange_rate,
    save_indicator,
    save_indicator_value,
)

pytestmark = pytest.mark.django_db


def stale() -> set[tuple[str, int]]:
    return set(
        Objective.objects.filter(progress_stale_since__isnull=False).values_list(
            "compact__code", "number"
        )
    )


def test_new_indicator_value_marks_its_objective(reference_data: None) -> None:
    indicator = Indicator.objects.get(compact__code="GCR", code="3.1.1")

    value = save_indicator_value(
        value=IndicatorValue(indicator=indicator, year=2025, value=Decimal(1), source="UNHCR")
    )
    assert stale() == {("GCR", 3)}

    Objective.objects.update(progress_stale_since=None)
    delete_indicator_value(value=value)
    assert stale() == {("GCR", 3)}


def test_moving_an_indicator_marks_both_objectives(reference_data: None) -> None:
    indicator = Indicator.objects.get(compact__code="GCR", code="3.1.1")
    previous = indicator.objective_id
    indicator.objective = Objective.objects.get(compact__code="GCR", number=4)

    save_indicator(indicator=indicator, previous_objective_id=previous)

    assert stale() == {("GCR", 3), ("GCR", 4)}


def test_exchange_rate_marks_every_objective(reference_data: None) -> None:
    rate = ExchangeRate(
        currency=Currency.objects.get(code="EUR"), date=dt.date(2025, 1, 1), usd_per_unit="1.1"
    )

    save_exchange_rate(rate=rate)

    assert len(stale()) == 27


def test_invalid_value_is_refused_and_marks_nothing(reference_data: None) -> None:
    indicator = Indicator.objects.get(compact__code="GCR", code="3.1.1")

    with pytest.raises(Exception, match="year"):
        save_indicator_value(
            value=IndicatorValue(indicator=indicator, year=1800, value=Decimal(1), source="x")
        )

    assert stale() == set()


def test_value_added_in_the_admin_marks_its_objective(
    reference_data: None, client: Client, site_admin: object
) -> None:
    indicator = Indicator.objects.get(compact__code="GCR", code="3.1.1")
    client.force_login(site_admin)

    response = client.post(
        "/admin/indicators/indicatorvalue/add/",
        {"indicator": indicator.pk, "year": 2025, "value": "1200", "source": "UNHCR"},
    )

    assert response.status_code == 302
    assert IndicatorValue.objects.filter(indicator=indicator, year=2025).exists()
    assert stale() == {("GCR", 3)}
