"""What a valid pledge is, who may edit it, and that no edit is silently overwritten."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from compacts.models import GuidingPrinciple, Objective, ObjectiveAction
from core.models import Currency
from forums.models import Forum
from pledges.exceptions import StaleVersion
from pledges.models import Pledge, ReviewState, TargetUnit
from pledges.services import (
    PledgeInput,
    TargetInput,
    create_pledge,
    transition_pledge,
    update_pledge,
    validate_pledge,
)

pytestmark = pytest.mark.django_db


def errors_of(data: PledgeInput, *, complete: bool = True) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        validate_pledge(data, complete=complete)
    return error.value.message_dict


def test_complete_pledge_is_valid(make_input: Callable[..., PledgeInput]) -> None:
    validate_pledge(make_input(), complete=True)  # raises if not


def test_objective_of_the_other_compact_is_refused(make_input: Callable[..., PledgeInput]) -> None:
    gcm_objective = Objective.objects.get(compact__code="GCM", number=23)

    errors = errors_of(make_input(objectives=[gcm_objective]), complete=False)

    assert "must belong to the GCR" in errors["objectives"][0]


def test_forum_of_the_other_compact_is_refused(make_input: Callable[..., PledgeInput]) -> None:
    errors = errors_of(make_input(forum=Forum.objects.get(code="IMRF26")), complete=False)

    assert "is not a forum of the Global Compact on Refugees" in errors["forum"][0]


@pytest.mark.parametrize(("length", "ok"), [(299, False), (300, True), (3000, True), (3001, False)])
def test_gcm_description_must_be_300_to_3000_characters(
    make_input: Callable[..., PledgeInput], length: int, ok: bool
) -> None:
    data = make_input(compact_code="GCM", description="x" * length)
    if ok:
        validate_pledge(data, complete=True)
    else:
        assert "300 to 3000 characters" in errors_of(data)["description"][0]


def test_gcr_description_may_be_short(make_input: Callable[..., PledgeInput]) -> None:
    validate_pledge(make_input(description="Short but real."), complete=True)


def test_amount_needs_a_currency_and_cannot_be_negative(
    make_input: Callable[..., PledgeInput],
) -> None:
    assert "currency" in errors_of(make_input(amount=Decimal("10")), complete=False)
    usd = Currency.objects.get(code="USD")
    errors = errors_of(make_input(amount=Decimal("-1"), currency=usd), complete=False)
    assert errors["amount"] == ["The amount cannot be negative."]


def test_end_before_start_is_refused(make_input: Callable[..., PledgeInput]) -> None:
    data = make_input(start_date=dt.date(2025, 1, 1), end_date=dt.date(2024, 12, 31))

    assert errors_of(data, complete=False)["end_date"]


def test_actions_must_belong_to_chosen_objectives(make_input: Callable[..., PledgeInput]) -> None:
    action = ObjectiveAction.objects.get(objective__number=23, letter="a")
    data = make_input(
        compact_code="GCM", objectives=[Objective.objects.get(compact__code="GCM", number=1)]
    )
    data.actions = [action]

    assert "actions" in errors_of(data, complete=False)


def test_gcm_principles_are_refused_on_a_gcr_pledge(
    make_input: Callable[..., PledgeInput],
) -> None:
    data = make_input(principles=[GuidingPrinciple.objects.get(number=1)])

    assert "principles" in errors_of(data, complete=False)


def test_percentage_target_above_100_is_refused(make_input: Callable[..., PledgeInput]) -> None:
    target = TargetInput(metric="Enrolment", unit=TargetUnit.PERCENT, target_value=Decimal(120))

    assert "cannot exceed 100" in errors_of(make_input(targets=[target]))["targets"][0]


def test_draft_may_be_saved_incomplete_but_not_contradictory(
    make_input: Callable[..., PledgeInput], member_a: Any
) -> None:
    incomplete = make_input(objectives=[], beneficiary_countries=[], description="")

    pledge = create_pledge(data=incomplete, by=member_a)

    assert pledge.review_state == ReviewState.DRAFT
    assert not pledge.objectives.exists()


def test_invalid_pledge_changes_nothing(
    make_input: Callable[..., PledgeInput], member_a: Any
) -> None:
    with pytest.raises(ValidationError):
        create_pledge(data=make_input(forum=Forum.objects.get(code="IMRF26")), by=member_a)

    assert not Pledge.objects.exists()


def test_member_of_another_entity_cannot_create_for_it(
    make_input: Callable[..., PledgeInput], member_b: Any
) -> None:
    with pytest.raises(PermissionDenied):
        create_pledge(data=make_input(), by=member_b)


def test_edit_replaces_content_targets_and_bumps_the_version(
    draft: Pledge, make_input: Callable[..., PledgeInput], member_a: Any
) -> None:
    target = TargetInput(metric="Children enrolled", unit=TargetUnit.PERSONS, target_value=10000)
    data = make_input(title="Enrol refugee children", targets=[target])

    pledge = update_pledge(pledge=draft, data=data, by=member_a, expected_version=1)

    assert pledge.title == "Enrol refugee children"
    assert pledge.version == 2
    assert list(pledge.targets.values_list("metric", "target_value")) == [
        ("Children enrolled", Decimal("10000.00"))
    ]


def test_second_editor_is_refused_when_the_first_saved_in_between(
    draft: Pledge, make_input: Callable[..., PledgeInput], member_a: Any
) -> None:
    update_pledge(pledge=draft, data=make_input(title="First"), by=member_a, expected_version=1)

    with pytest.raises(StaleVersion):
        update_pledge(
            pledge=draft, data=make_input(title="Second"), by=member_a, expected_version=1
        )

    draft.refresh_from_db()
    assert draft.title == "First"


def test_member_cannot_edit_once_submitted(
    draft: Pledge, make_input: Callable[..., PledgeInput], member_a: Any
) -> None:
    transition_pledge(pledge=draft, action="submit", by=member_a)

    with pytest.raises(PermissionDenied):
        update_pledge(pledge=draft, data=make_input(title="Sneaky"), by=member_a)


def test_secretariat_may_correct_a_published_pledge_but_only_validly(
    draft: Pledge, make_input: Callable[..., PledgeInput], member_a: Any, secretariat: Any
) -> None:
    transition_pledge(pledge=draft, action="submit", by=member_a)
    transition_pledge(pledge=draft, action="publish", by=secretariat)

    with pytest.raises(ValidationError):
        update_pledge(pledge=draft, data=make_input(objectives=[]), by=secretariat)
    pledge = update_pledge(pledge=draft, data=make_input(title="Typo fixed"), by=secretariat)

    assert pledge.title == "Typo fixed"
    assert pledge.review_state == ReviewState.PUBLISHED


def test_history_records_who_changed_which_field(
    draft: Pledge, make_input: Callable[..., PledgeInput], member_a: Any
) -> None:
    other = Objective.objects.get(compact__code="GCR", number=3)
    update_pledge(pledge=draft, data=make_input(title="Renamed", objectives=[other]), by=member_a)

    newest, previous = draft.history.all()[:2]
    delta = newest.diff_against(previous)
    changed = {change.field: change for change in delta.changes}

    assert newest.history_user == member_a
    assert newest.history_change_reason == "Edited"
    assert (changed["title"].old, changed["title"].new) == (
        "Include refugee children in national schools",
        "Renamed",
    )
    assert "objectives" in changed
    assert draft.history.count() == 2  # created + edited: one version per change
