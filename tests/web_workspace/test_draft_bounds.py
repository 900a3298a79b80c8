"""Saving a draft in the pledge editor respects the bounds that are facts about any pledge:
each is refused with a message beside its field, and nothing is saved."""

from typing import Any

import pytest

from pledges.models import Pledge
from pledges.services import MAX_TARGETS

from .test_pledge_editor import CREATE, EditorData

pytestmark = pytest.mark.django_db


def rows(count: int) -> list[dict[str, str]]:
    return [{"metric": f"Metric {n}", "unit": "persons", "target_value": "1"} for n in range(count)]


CASES: dict[str, tuple[dict[str, Any], str]] = {
    "a 1 MB description": ({"description": "x" * 1_000_000}, 'id="id_description_error"'),
    "more targets than the editor offers": (
        {"targets": rows(MAX_TARGETS + 1)},
        "A pledge can have at most 50 targets (this one has 51).",
    ),
    "a start date in year 1": ({"start_date": "0001-01-01"}, 'id="id_start_date_error"'),
    "a currency in lower case": (
        {"amount": "10", "currency": "usd"},
        'id="id_currency_error"',
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_saving_a_draft_beyond_a_fact_shows_the_field_message_and_saves_nothing(
    logged_in: Any, member_a: Any, editor_data: EditorData, case: str
) -> None:
    changes, expected = CASES[case]

    response = logged_in(member_a).post(CREATE, editor_data(intent="draft", **changes))

    assert response.status_code == 200
    assert expected in response.content.decode()
    assert not Pledge.objects.exists()


def test_an_incomplete_draft_within_the_bounds_is_saved(
    logged_in: Any, member_a: Any, editor_data: EditorData
) -> None:
    data = editor_data(intent="draft", description="", objectives=[], targets=rows(MAX_TARGETS))

    logged_in(member_a).post(CREATE, data)

    assert Pledge.objects.get().targets.count() == MAX_TARGETS
