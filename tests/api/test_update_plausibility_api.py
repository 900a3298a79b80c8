"""The API refuses implausible progress figures like the form does (unless `confirm_implausible`),
and says every error of a request at once: the fields' own and the rules across fields."""

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from pledges.models import PledgeUpdate

from .conftest import World

pytestmark = pytest.mark.django_db

URL = "/api/v1/pledge-updates/"


def test_field_and_cross_field_errors_come_together_and_a_confirmation_accepts_the_figure(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("member_a")
    body = {
        "pledge": world.p1.reference,
        "status": "in_progress",
        "reported_on": "2025-06-30",
        "disbursed_amount": "5000",  # of 1,000 USD pledged
    }

    refused = client.post(URL, body, format="json")  # the narrative is missing too

    assert refused.status_code == 400
    errors = refused.json()["errors"] if "errors" in refused.json() else refused.json()
    text = str(errors)
    assert "narrative" in text
    assert "disbursed_amount" in text
    assert "more than the 1,000.00 USD pledged" in text
    assert not PledgeUpdate.objects.filter(pledge=world.p1).exists()

    body.update(narrative="Disbursed with a top-up.", confirm_implausible=True)
    accepted = client.post(URL, body, format="json")

    assert accepted.status_code == 201, accepted.json()
    assert PledgeUpdate.objects.get(pledge=world.p1).disbursed_amount == 5000
