"""Plausibility before submission: figures and dates that are possible but most likely a typing
error are refused with a message saying why, or accepted with an explicit confirmation; and every
error of a form shows in one round (the fields' own and the rules across fields together)."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from pledges.models import Pledge, PledgeUpdate

from .test_progress_updates import update_data, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def starting(published: Pledge) -> Pledge:
    Pledge.objects.filter(pk=published.pk).update(start_date=dt.date(2024, 1, 1))
    published.refresh_from_db()
    return published


def test_more_disbursed_than_pledged_is_refused_until_confirmed(
    logged_in: Any, starting: Pledge, member_a: Any
) -> None:
    client: Client = logged_in(member_a)

    refused = client.post(url(starting), update_data(starting, disbursed_amount="1500000"))

    page = refused.content.decode()
    assert refused.status_code == 200
    assert "is more than the 1,000,000.00 USD pledged" in page
    assert 'name="confirm_implausible"' in page
    assert not PledgeUpdate.objects.filter(pledge=starting).exists()

    data = update_data(starting, disbursed_amount="1500000", confirm_implausible="on")
    accepted = client.post(url(starting), data)

    assert accepted.status_code == 302
    assert PledgeUpdate.objects.get(pledge=starting).disbursed_amount == 1500000


def test_field_and_cross_field_errors_come_in_one_round_when_both_are_wrong(
    logged_in: Any, starting: Pledge, member_a: Any
) -> None:
    # The narrative is missing (a field's own error) and the report predates the pledge
    # (a rule across fields): both are said at once.
    data = update_data(starting, narrative="", reported_on="2023-06-30")

    page = logged_in(member_a).post(url(starting), data).content.decode()

    assert "This field is required." in page
    assert "before the pledge starts (2024-01-01)" in page
    assert not PledgeUpdate.objects.filter(pledge=starting).exists()


def test_a_target_due_before_the_pledge_starts_is_refused_until_confirmed(
    logged_in: Any, editor_data: Any, member_a: Any
) -> None:
    client: Client = logged_in(member_a)
    row = {"metric": "Teachers trained", "unit": "persons", "target_value": "50"}
    data = editor_data(
        start_date="2025-01-01", targets=[{**row, "due_date": "2024-12-31"}], title=""
    )

    page = client.post("/my/pledges/new/", data).content.decode()

    # The missing title and the implausible date, in the same answer.
    assert "This field is required." in page
    assert "Target “Teachers trained” is due on 2024-12-31, before the pledge starts" in page
    assert not Pledge.objects.exists()

    data.update(title="Train teachers", confirm_implausible="on")
    assert client.post("/my/pledges/new/", data).status_code == 302
    assert Pledge.objects.get().targets.get().due_date == dt.date(2024, 12, 31)
