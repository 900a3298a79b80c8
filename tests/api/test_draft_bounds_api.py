"""Drafts sent through the API respect the bounds that are facts about any pledge: each one is
refused with a 400 naming the field, and nothing is created or changed."""

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from pledges.models import Entity, Pledge
from pledges.services import PledgeInput, create_pledge

from .test_pledge_writes_api import URL, VALID

pytestmark = pytest.mark.django_db

CASES: dict[str, tuple[dict[str, Any], str]] = {
    "a 1 MB description": ({"description": "x" * 1_000_000}, "description"),
    "1,000 targets": (
        {
            "targets": [
                {"metric": f"Metric {n}", "unit": "persons", "target_value": "1"}
                for n in range(1000)
            ]
        },
        "targets",
    ),
    "dates in year 1": ({"start_date": "0001-01-01", "end_date": "0001-12-31"}, "start_date"),
    "a target due in year 1": (
        {
            "targets": [
                {
                    "metric": "Places",
                    "unit": "persons",
                    "target_value": "5",
                    "due_date": "0001-06-01",
                }
            ]
        },
        "targets",
    ),
    "an unknown currency": ({"currency": "usx"}, "currency"),
}


@pytest.mark.parametrize("case", CASES)
def test_a_draft_beyond_a_fact_is_refused_with_a_field_message_when_created(
    reference_data: None, entity_a: Entity, api_as: Callable[[str], APIClient], case: str
) -> None:
    changes, field = CASES[case]

    response = api_as("member_a").post(URL, {**VALID, **changes}, format="json")

    assert response.status_code == 400, response.content[:300]
    assert field in response.json()["errors"]
    assert not Pledge.objects.exists()


@pytest.mark.parametrize("case", CASES)
def test_a_draft_beyond_a_fact_is_refused_when_patched(
    make_input: Callable[..., PledgeInput],
    member_a: User,
    api_as: Callable[[str], APIClient],
    case: str,
) -> None:
    draft = create_pledge(data=make_input(), by=member_a)
    changes, field = CASES[case]
    if field == "currency":
        changes = {**changes, "amount": "10.00"}

    response = api_as("member_a").patch(
        f"{URL}{draft.reference}/", changes, format="json", HTTP_IF_MATCH="*"
    )

    assert response.status_code == 400, response.content[:300]
    assert field in response.json()["errors"]
    assert Pledge.objects.get(pk=draft.pk).version == draft.version


def test_an_incomplete_draft_is_still_accepted(
    reference_data: None, entity_a: Entity, api_as: Callable[[str], APIClient]
) -> None:
    body = {**VALID, "description": "", "objectives": [], "beneficiary_countries": []}

    response = api_as("member_a").post(URL, body, format="json")

    assert response.status_code == 201, response.content[:300]
