"""Property-based fuzzing of the main write paths with hypothesis: whatever text, amounts and
dates a person or a program sends, the pledge services and the progress-update submission
either refuse with a ValidationError (a form or 400 error) or save a row that reads back the
same — never an unhandled exception, which would be a 500."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from accounts.models import User
from core.models import Currency
from pledges.models import Pledge, PledgeUpdate
from pledges.services import (
    PledgeInput,
    TargetInput,
    UpdateInput,
    create_pledge,
    submit_update,
    transition_pledge,
    update_pledge,
)

pytestmark = pytest.mark.django_db

FUZZ = hypothesis_settings(
    max_examples=50,
    deadline=None,  # a shared 2-core machine; speed is not what is under test
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples every run: a failure is reproducible in CI
)

# Plausible values half of the time (so that saving is exercised too), and otherwise any
# Unicode — NUL and control characters included — short, or just around the 200- and
# 300-character columns; amounts of any size and precision; any date.
plausible_text = st.text(st.characters(categories=["L", "N", "Zs", "P"]), min_size=1, max_size=60)
junk_text = (
    st.text(max_size=40) | st.text(min_size=198, max_size=202) | st.text(min_size=298, max_size=302)
)
texts = st.one_of(plausible_text, plausible_text, plausible_text, junk_text)
money = st.decimals(min_value=0, max_value=Decimal("9999999999999999.99"), places=2)
amounts = st.one_of(
    money,
    money,
    st.none(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.decimals(min_value=Decimal("-1e25"), max_value=Decimal("1e25"), places=4),
)
dates = st.none() | st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
past_dates = st.dates(min_value=dt.date(2016, 9, 19), max_value=dt.date(2026, 1, 1))
units = st.sampled_from(["persons", "places", "usd", "count", "percent", "", "☃"])


def _saved_as_given(pledge: Pledge, data: PledgeInput) -> None:
    fresh = Pledge.objects.get(pk=pledge.pk)
    assert fresh.title == data.title.strip()
    assert fresh.description == data.description
    assert fresh.amount == data.amount
    assert (fresh.start_date, fresh.end_date) == (data.start_date, data.end_date)


@FUZZ
@given(
    title=texts,
    description=texts,
    amount=amounts,
    start=dates,
    end=dates,
    contact=texts,
    metric=texts,
    unit=units,
    target_value=st.one_of(money, amounts),
)
def test_creating_a_pledge_either_saves_it_or_refuses_with_a_validation_error(
    make_pledge_input: Callable[..., PledgeInput],
    member_a: User,
    title: str,
    description: str,
    amount: Decimal | None,
    start: dt.date | None,
    end: dt.date | None,
    contact: str,
    metric: str,
    unit: str,
    target_value: Decimal | None,
) -> None:
    data = make_pledge_input(
        title=title,
        description=description,
        amount=amount,
        currency=Currency.objects.get(code="USD") if amount is not None else None,
        start_date=start,
        end_date=end,
        contact_name=contact,
        targets=[TargetInput(metric=metric, unit=unit, target_value=target_value)],
    )
    try:
        pledge = create_pledge(data=data, by=member_a)
    except ValidationError:
        event("refused")
        return
    event("saved")
    _saved_as_given(pledge, data)


@FUZZ
@given(title=texts, description=texts, amount=amounts, end=dates)
def test_editing_a_pledge_either_saves_it_or_changes_nothing(
    make_pledge_input: Callable[..., PledgeInput],
    member_a: User,
    title: str,
    description: str,
    amount: Decimal | None,
    end: dt.date | None,
) -> None:
    pledge = create_pledge(data=make_pledge_input(), by=member_a)
    data = make_pledge_input(
        title=title,
        description=description,
        amount=amount,
        currency=Currency.objects.get(code="EUR") if amount is not None else None,
        end_date=end,
    )
    try:
        update_pledge(pledge=pledge, data=data, by=member_a, expected_version=pledge.version)
    except ValidationError:
        event("refused")
        assert Pledge.objects.get(pk=pledge.pk).version == pledge.version
        return
    event("saved")
    _saved_as_given(pledge, data)


@pytest.fixture
def published_with_target(
    make_pledge_input: Callable[..., PledgeInput], member_a: User, secretariat: User
) -> Pledge:
    pledge = create_pledge(
        data=make_pledge_input(
            amount=Decimal("1000"),
            currency=Currency.objects.get(code="USD"),
            targets=[TargetInput(metric="Places", unit="percent", target_value=Decimal("80"))],
        ),
        by=member_a,
    )
    transition_pledge(pledge=pledge, action="submit", by=member_a)
    return transition_pledge(pledge=pledge, action="publish", by=secretariat)


@FUZZ
@given(
    status=st.sampled_from(["in_progress", "fulfilled", "planning", "", "done", "\x00"]),
    narrative=texts,
    challenges=texts,
    reported_on=past_dates | st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    disbursed=amounts,
    achieved=amounts,
    links=st.lists(st.text(max_size=80) | st.just("https://example.org/report.pdf"), max_size=3),
)
def test_reporting_progress_either_saves_the_update_or_refuses_with_a_validation_error(
    published_with_target: Pledge,
    member_a: User,
    status: str,
    narrative: str,
    challenges: str,
    reported_on: dt.date,
    disbursed: Decimal | None,
    achieved: Decimal | None,
    links: list[str],
) -> None:
    target = published_with_target.targets.get()
    data = UpdateInput(
        status=status,
        narrative=narrative,
        challenges=challenges,
        reported_on=reported_on,
        evidence_links=links,
        disbursed_amount=disbursed,
        actuals={target.pk: achieved} if achieved is not None else {},
    )
    try:
        update = submit_update(pledge=published_with_target, data=data, by=member_a)
    except ValidationError:
        event("refused")
        return
    event("saved")
    fresh = PledgeUpdate.objects.get(pk=update.pk)
    assert (fresh.narrative, fresh.reported_on) == (narrative.strip(), reported_on)
    assert fresh.disbursed_amount == disbursed


@FUZZ
@given(title=texts, description=texts, amount=st.text(max_size=40) | amounts.map(str))
def test_the_api_answers_201_or_400_never_500_to_generated_pledges(
    member_a: User, reference_data: None, title: str, description: str, amount: str
) -> None:
    client = APIClient()
    client.force_authenticate(member_a)
    body: dict[str, Any] = {
        "title": title,
        "description": description,
        "compact": "GCR",
        "forum": "GRF23",
        "objectives": [2],
        "beneficiary_countries": ["KE"],
        "amount": amount,
        "currency": "USD",
    }

    response = client.post("/api/v1/pledges/", body, format="json")

    assert response.status_code in (201, 400), response.content[:500]
    event(str(response.status_code))
