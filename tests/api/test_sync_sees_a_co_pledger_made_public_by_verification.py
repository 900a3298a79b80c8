"""Verifying an entity makes its accepted co-pledgings public (only verified co-pledgers are
shown), so each pledge it co-pledges changes for partners: `updated_since` must return it
(issues 14, items 1 and 20)."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from pledges.models import ParticipantStatus, PledgeParticipant
from tests.factories import EntityFactory

from .conftest import World, refs

pytestmark = pytest.mark.django_db

URL = "/api/v1/pledges/"
LATER = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
SINCE = "2025-05-01T00:00:00Z"


def test_verifying_an_accepted_co_pledger_reaches_incremental_sync(
    world: World, api_as: Callable[[str], APIClient], site_admin: Any
) -> None:
    # Accepted before invitations required a verified entity: hidden while unverified.
    entity_c = EntityFactory(name="Entity C", is_verified=False, verified_at=None)
    PledgeParticipant.objects.create(
        pledge=world.p1, entity=entity_c, status=ParticipantStatus.ACCEPTED
    )
    invited_only = EntityFactory(name="Entity D", is_verified=False, verified_at=None)
    PledgeParticipant.objects.create(pledge=world.p4, entity=invited_only)
    api = api_as("partner")
    before = api.get(f"{URL}{world.p1.reference}/").json()
    assert "Entity C" not in str(before["co_pledgers"])
    assert refs(api.get(URL, {"updated_since": SINCE})) == []
    admin = Client()
    admin.force_login(site_admin)

    with time_machine.travel(LATER, tick=False):
        response = admin.post(
            reverse("admin:pledges_entity_changelist"),
            {
                "action": "verify_selected",
                "_selected_action": [entity_c.pk, invited_only.pk],
            },
        )

    assert response.status_code == 302
    assert refs(api.get(URL, {"updated_since": SINCE})) == [world.p1.reference]
    after = api.get(f"{URL}{world.p1.reference}/").json()
    assert "Entity C" in str(after["co_pledgers"])
    assert after["version"] == before["version"] + 1
