"""The API's cast and a small, hand-countable world of pledges.

Callers: anonymous; a partner (a program with an API key whose user acts for no
entity); a member of entity A; a member of entity B; the secretariat. Everyone but the anonymous
caller sends a real API key (`Authorization: Bearer …`), as partners' programs do.

ref           compact forum  entity objectives   countries  status       platform  updated
GRF23-00001   GCR     GRF23  A      GCR 1, GCR 2 KE, UG     in_progress  —         2025-01-10
GRF19-00001   GCR     GRF19  S      GCR 2        JO         (none)       —         2024-06-01
IMRF26-00001  GCM     IMRF26 C      GCM 23       MX, KE     fulfilled    —         2025-03-01
GRF23-00002   GCR     GRF23  B      GCR 3        GT         in_progress  MIRPS     2025-02-01
GRF23-00003   draft of A: GCR 1, NR (Nauru, Oceania)                               2025-04-01

A is an NGO, B a State, S a State, C a company. B co-pledges GRF23-00001 (accepted).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from pytest_django.live_server_helper import LiveServer
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import User
from accounts.services import create_api_key
from compacts.models import Objective, SupportPlatform
from indicators.models import ProgressSnapshot, SliceKind
from pledges.models import (
    Entity,
    EntityType,
    ParticipantStatus,
    Pledge,
    PledgeParticipant,
    ReviewState,
)
from tests.factories import PledgeRows, UserFactory
from tests.pledges.conftest import make_input  # noqa: F401 -- the service tests' builder

CAST = ["anonymous", "partner", "member_a", "member_b", "secretariat"]
OUTSIDERS = ["anonymous", "partner", "member_b"]
DRAFT_TITLE = "Confidential draft about Nauru resettlement"
PUBLISHED = ["GRF23-00002", "IMRF26-00001", "GRF19-00001", "GRF23-00001"]  # newest first


@pytest.fixture
def partner(db: None) -> User:
    """A partner's program: its user acts for no entity."""
    return UserFactory(email="partner@example.org")


@pytest.fixture
def entity_b(member_b: User) -> Entity:
    return member_b.memberships.get().entity


@pytest.fixture
def api_as(request: pytest.FixtureRequest) -> Callable[[str], APIClient]:
    """A client for one of the cast; the signed-in ones send a real API key."""

    keys: dict[str, str] = {}

    def client_for(who: str) -> APIClient:
        client = APIClient()
        if who != "anonymous":
            if who not in keys:
                user = request.getfixturevalue(who)
                _key, keys[who] = create_api_key(user=user, name=f"tests {who}")
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {keys[who]}")
        return client

    return client_for


@pytest.fixture
def make_pledge(reference_data: None) -> Callable[..., Pledge]:
    """Build a pledge row directly (no workflow): published unless `state` says otherwise."""
    return PledgeRows()


def utc(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC)


@dataclass
class World:
    p1: Pledge
    p2: Pledge
    p3: Pledge
    p4: Pledge
    draft: Pledge
    entity_a: Entity
    entity_b: Entity


@pytest.fixture
def world(
    make_pledge: Callable[..., Pledge], entity_a: Entity, entity_b: Entity, db: None
) -> World:
    entity_b.entity_type = EntityType.objects.get(code="state")
    entity_b.save(update_fields=["entity_type"])
    p1 = make_pledge(
        title="Include refugee children in national schools",
        description="Enrol ten thousand refugee children in public schools by 2027.",
        entity=entity_a,
        objectives=(1, 2),
        countries=("KE", "UG"),
        thematic_areas=("education",),
        support_types=("financial",),
        status="in_progress",
        amount=Decimal("1000"),
        currency_id="USD",
        contact_name="Amina Yusuf",
        contact_email="amina@example.org",
        updated_at=utc("2025-01-10T12:00:00"),
    )
    PledgeParticipant.objects.create(pledge=p1, entity=entity_b, status=ParticipantStatus.ACCEPTED)
    p2 = make_pledge(
        forum="GRF19",
        title="Vocational training for refugee youth",
        description="Apprenticeships with local employers in Amman and Irbid.",
        entity_type="state",
        objectives=(2,),
        countries=("JO",),
        thematic_areas=("jobs-and-livelihoods",),
        support_types=("technical",),
        updated_at=utc("2024-06-01T08:00:00"),
    )
    p3 = make_pledge(
        forum="IMRF26",
        title="Regular pathways for seasonal migrant workers",
        description="A bilateral labour mobility scheme with fair recruitment.",
        entity_type="private_sector",
        objectives=(23,),
        countries=("MX", "KE"),
        support_types=("policy",),
        status="fulfilled",
        updated_at=utc("2025-03-01T08:00:00"),
    )
    p4 = make_pledge(
        title="Resettlement places from Central America",
        description="Two hundred resettlement places a year.",
        entity=entity_b,
        objectives=(3,),
        countries=("GT",),
        support_types=("places",),
        status="in_progress",
        support_platform=SupportPlatform.objects.get(code="MIRPS"),
        updated_at=utc("2025-02-01T08:00:00"),
    )
    draft = make_pledge(
        title=DRAFT_TITLE,
        description="Nauru secret wording that only entity A may read.",
        entity=entity_a,
        objectives=(1,),
        countries=("NR",),
        thematic_areas=("solutions",),
        support_types=("material",),
        state=ReviewState.DRAFT,
        status="",
        updated_at=utc("2025-04-01T08:00:00"),
    )
    return World(p1=p1, p2=p2, p3=p3, p4=p4, draft=draft, entity_a=entity_a, entity_b=entity_b)


def refs(response: Any) -> list[str]:
    """The references on a page of pledges, in order."""
    assert response.status_code == 200, response.content[:500]
    return [row["reference"] for row in response.json()["results"]]


# --------------------------------------------------------------------------------------------
# A live server with demo data, for schemathesis (test_contract.py, test_contract_full.py)
# --------------------------------------------------------------------------------------------


def _seed_snapshots() -> None:
    """A few progress snapshots (the progress engine that writes them comes later), so that the
    progress resource answers rows with figures rather than only empty pages."""
    computed = timezone.now()
    rows = []
    for objective in Objective.objects.filter(compact__code="GCR"):
        for day in (dt.date(2025, 1, 1), dt.date(2025, 6, 30)):
            rows.append(
                ProgressSnapshot(
                    objective=objective,
                    slice_kind=SliceKind.OVERALL,
                    slice_key="",
                    date=day,
                    figures={"pledges": 10 * objective.number, "usd_pledged": "1500000.00"},
                    computed_at=computed,
                )
            )
            rows.append(
                ProgressSnapshot(
                    objective=objective,
                    slice_kind=SliceKind.FORUM,
                    slice_key="GRF23",
                    date=day,
                    figures={"pledges": objective.number, "usd": {"pledged": None}},
                    computed_at=computed,
                )
            )
    ProgressSnapshot.objects.bulk_create(rows)


@pytest.fixture
def unthrottled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lift the anonymous rate limit for the run: at 500 requests an hour, schemathesis' ~1,500
    requests would mostly be answered 429 (documented, and tested in test_indicators_api), and
    the operations behind the throttle would go untested (the same for a key's or user's rate in
    the full run). DRF reads the rates into
    `SimpleRateThrottle.THROTTLE_RATES` at import, so overriding the REST_FRAMEWORK setting would
    not reach it; the live server runs in this process, so patching the class does."""
    rates = {
        **SimpleRateThrottle.THROTTLE_RATES,
        **dict.fromkeys(("anon", "api_key", "user"), "100000/hour"),
    }
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)


@pytest.fixture
def demo_api(live_server: LiveServer, unthrottled: None) -> str:
    """The app on a live server with the reference data, a small demo data set and snapshots."""
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", "--pledges", "60", "--force", verbosity=0)
    _seed_snapshots()
    return live_server.url
