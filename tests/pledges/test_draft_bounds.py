"""A draft may be incomplete, but never beyond what a pledge can be: the bounds that are facts
(description length, number of targets, plausible dates, a currency that exists) apply to every
save, draft or not, with a field message — so nothing unsubmittable or unstorable piles up."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from core.models import Currency
from pledges.models import Pledge
from pledges.services import (
    DESCRIPTION_MAX_LENGTH,
    GCM_DESCRIPTION_LENGTH,
    MAX_TARGETS,
    PledgeInput,
    TargetInput,
    create_pledge,
    update_pledge,
)

pytestmark = pytest.mark.django_db


def targets(count: int) -> list[TargetInput]:
    return [
        TargetInput(metric=f"Metric {n}", unit="persons", target_value=Decimal(1))
        for n in range(count)
    ]


CASES: dict[str, tuple[dict[str, Any], str]] = {
    "a 1 MB description": ({"description": "x" * 1_000_000}, "description"),
    "1,000 targets": ({"targets": targets(1000)}, "targets"),
    "a start date in year 1": ({"start_date": dt.date(1, 1, 1)}, "start_date"),
    "an end date in year 9999": ({"end_date": dt.date(9999, 12, 31)}, "end_date"),
    "a target due in year 1": (
        {
            "targets": [
                TargetInput(
                    metric="Places",
                    unit="persons",
                    target_value=Decimal(5),
                    due_date=dt.date(1, 6, 1),
                )
            ]
        },
        "targets",
    ),
    "an unknown currency": (
        {"amount": Decimal(10), "currency": Currency(code="usd", name="Not a code")},
        "currency",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_draft_beyond_a_fact_is_refused_with_a_field_message_when_created(
    make_input: Callable[..., PledgeInput], member_a: Any, case: str
) -> None:
    overrides, field = CASES[case]

    with pytest.raises(ValidationError) as refused:
        create_pledge(data=make_input(**overrides), by=member_a)

    assert field in refused.value.message_dict
    assert not Pledge.objects.exists()


@pytest.mark.parametrize("case", CASES)
def test_a_draft_beyond_a_fact_is_refused_when_saved_again(
    make_input: Callable[..., PledgeInput], member_a: Any, draft: Pledge, case: str
) -> None:
    overrides, field = CASES[case]

    with pytest.raises(ValidationError) as refused:
        update_pledge(pledge=draft, data=make_input(**overrides), by=member_a)

    assert field in refused.value.message_dict
    assert Pledge.objects.get(pk=draft.pk).version == draft.version


def test_an_incomplete_draft_within_the_bounds_is_still_saved(
    make_input: Callable[..., PledgeInput], member_a: Any
) -> None:
    data = make_input(
        description="",
        objectives=[],
        beneficiary_countries=[],
        targets=targets(MAX_TARGETS),
        start_date=dt.date(2000, 1, 1),
        end_date=dt.date(2100, 12, 31),
    )

    pledge = create_pledge(data=data, by=member_a)

    assert pledge.targets.count() == MAX_TARGETS


def test_the_longest_description_each_compact_allows_is_saved_and_one_more_is_not(
    make_input: Callable[..., PledgeInput], member_a: Any
) -> None:
    gcm_max = GCM_DESCRIPTION_LENGTH[1]
    create_pledge(data=make_input(description="x" * DESCRIPTION_MAX_LENGTH), by=member_a)
    create_pledge(data=make_input(compact_code="GCM", description="x" * gcm_max), by=member_a)

    with pytest.raises(ValidationError) as gcr:
        create_pledge(data=make_input(description="x" * (DESCRIPTION_MAX_LENGTH + 1)), by=member_a)
    with pytest.raises(ValidationError) as gcm:
        create_pledge(
            data=make_input(compact_code="GCM", description="x" * (gcm_max + 1)), by=member_a
        )

    assert "at most 20,000 characters" in gcr.value.message_dict["description"][0]
    assert "at most 3,000 characters" in gcm.value.message_dict["description"][0]


def test_lower_case_currency_instance_that_is_not_a_stored_code_is_refused(
    make_input: Callable[..., PledgeInput], member_a: Any
) -> None:
    with pytest.raises(ValidationError) as refused:
        create_pledge(
            data=make_input(amount=Decimal(1), currency=Currency(code="usd", name="?")),
            by=member_a,
        )

    assert refused.value.message_dict["currency"] == [
        "“usd” is not an ISO 4217 currency code we know."
    ]
