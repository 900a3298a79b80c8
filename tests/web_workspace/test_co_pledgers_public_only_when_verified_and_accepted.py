"""Nobody appears on a public pledge without verification and consent (issue 14, item 1).

Only co-pledgers that accepted *and* whose entity the secretariat verified are public: on the
pledge page, its history, the API's `co_pledgers` (detail, list) and the CSV/XLSX exports.
Pending and declined invitations are seen by the inviting pledge's members, the invited
entity's members and the secretariat only."""

import csv
import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from rest_framework.test import APIClient

from pledges.models import (
    Entity,
    EntityType,
    ParticipantStatus,
    Pledge,
    PledgeParticipant,
)
from pledges.services import (
    invite_participant,
    register_entity,
    respond_to_invitation,
    verify_entity,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/pledges/"
FRANCE = "Government of France"


def body(response: Any) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def public_surfaces(pledge: Pledge) -> dict[str, str]:
    """What an anonymous visitor or program gets for `pledge`, as text per surface."""
    web, api = Client(), APIClient()
    xlsx = body(api.get(API, {"format": "xlsx"}))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx), read_only=True).active
    exported = body(api.get(API, {"format": "csv"})).decode()
    return {
        "page": web.get(f"/pledges/{pledge.reference}/").content.decode(),
        "history": web.get(f"/pledges/{pledge.reference}/history/").content.decode(),
        "api detail": str(api.get(f"{API}{pledge.reference}/").json()["co_pledgers"]),
        "api list": str([row["co_pledgers"] for row in api.get(API).json()["results"]]),
        "csv": "\n".join(row["co_pledgers"] for row in csv.DictReader(io.StringIO(exported))),
        "xlsx": repr(list(sheet.iter_rows(values_only=True))),
    }


def shown_on(pledge: Pledge, text: str) -> list[str]:
    return [name for name, body in public_surfaces(pledge).items() if text in body]


@pytest.fixture
def france(member_a: Any) -> Entity:
    """An impostor's claim: member A registers a State in somebody else's name (unverified)."""
    return register_entity(
        by=member_a, name=FRANCE, entity_type=EntityType.objects.get(code="state")
    )


def test_impostor_cannot_put_an_unverified_entity_on_a_public_pledge(
    logged_in: Any, published: Pledge, member_a: Any, france: Entity
) -> None:
    client = logged_in(member_a)
    client.post(
        f"/pledges/{published.reference}/participants/",
        {"entity": france.pk, "role": "co_pledger"},
    )
    for participant in PledgeParticipant.objects.filter(pledge=published):
        client.post(f"/participants/{participant.pk}/respond/", {"response": "accept"})
    client.logout()

    assert shown_on(published, FRANCE) == []


def test_invitation_of_an_unverified_entity_is_refused_with_a_message(
    logged_in: Any, published: Pledge, member_a: Any, france: Entity
) -> None:
    response = logged_in(member_a).post(
        f"/pledges/{published.reference}/participants/",
        {"entity": france.pk, "role": "co_pledger"},
    )

    assert response.status_code == 200
    assert "has not been verified by the secretariat yet" in response.content.decode()
    assert not published.participants.exists()


def test_accepted_co_pledger_becomes_public_only_once_its_entity_is_verified(
    logged_in: Any, published: Pledge, member_a: Any, france: Entity, secretariat: Any
) -> None:
    # A row from before invitations of unverified entities were refused.
    PledgeParticipant.objects.create(
        pledge=published, entity=france, status=ParticipantStatus.ACCEPTED
    )

    assert shown_on(published, FRANCE) == []
    own_page = logged_in(member_a).get(f"/pledges/{published.reference}/").content.decode()
    assert FRANCE in own_page
    assert "not public until the secretariat verifies it" in own_page

    verify_entity(entity=france, by=secretariat)
    logged_in(member_a).logout()

    assert set(shown_on(published, FRANCE)) >= {"page", "api detail", "api list", "csv", "xlsx"}


@pytest.mark.parametrize("answer", [None, False])
def test_pending_or_declined_invitation_is_not_public(
    logged_in: Any,
    published: Pledge,
    member_a: Any,
    member_b: Any,
    entity_b: Entity,
    secretariat: Any,
    answer: bool | None,
) -> None:
    participant = invite_participant(pledge=published, entity=entity_b, by=member_a)
    if answer is not None:
        respond_to_invitation(participant=participant, accept=answer, by=member_b)
    status = "Invited" if answer is None else "Declined"

    assert shown_on(published, entity_b.name) == []
    assert shown_on(published, "Co-pledger invited") == []
    assert shown_on(published, "Co-pledging declined") == []
    for insider in (member_a, member_b, secretariat):
        page = logged_in(insider).get(f"/pledges/{published.reference}/").content.decode()
        assert entity_b.name in page
        assert f">{status}</span>" in page


def test_accepted_verified_co_pledger_and_its_acceptance_are_public(
    published: Pledge, member_a: Any, member_b: Any, entity_b: Entity
) -> None:
    participant = invite_participant(pledge=published, entity=entity_b, by=member_a)
    respond_to_invitation(participant=participant, accept=True, by=member_b)

    shown = shown_on(published, entity_b.name)

    assert {"page", "api detail", "api list", "csv", "xlsx"} <= set(shown)
    assert shown_on(published, "Co-pledging accepted") == ["history"]
