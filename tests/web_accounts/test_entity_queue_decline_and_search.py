"""The secretariat's entity queue: Decline with a reason (stored, audited, e-mailed, shown to
the registrant), verification e-mailed, search by name or acronym, newest or oldest first, and
similar existing names next to each new entity (issue 14, items 2 and 17)."""

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from core.audit import entries_for
from pledges.models import Entity, MembershipRole
from tests.factories import EntityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/review/entities/"


@pytest.fixture
def reviewer(client: Client, secretariat: Any) -> Any:
    client.force_login(secretariat)
    return secretariat


def _registered(name: str, registrant: Any = None, **fields: Any) -> Entity:
    entity = EntityFactory(name=name, is_verified=False, **fields)
    MembershipFactory(
        user=registrant or UserFactory(), entity=entity, role=MembershipRole.FOCAL_POINT
    )
    return entity


def _decline(client: Client, entity: Entity, reason: str, **kwargs: Any) -> Any:
    data = {"action": "decline_entity", "entity": str(entity.public_id), "reason": reason}
    return client.post(URL, data, **kwargs)


def test_declined_entity_leaves_the_queue_and_its_registrant_reads_why_when_declined(
    client: Client, reviewer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    registrant = UserFactory(email="claimant@example.org")
    entity = _registered("Government of Ruritania", registrant)
    reason = "We could not confirm that you represent this State. " * 3

    with django_capture_on_commit_callbacks(execute=True):
        response = _decline(client, entity, reason, follow=True)

    assert "Government of Ruritania is declined." in response.text
    assert "No entity is waiting for verification." in response.text
    entity.refresh_from_db()
    assert entity.declined_at is not None
    assert not entity.is_verified
    assert entity.decline_reason == reason.strip()
    entry = entries_for(entity).get(action="pledges.entity.declined")
    assert entry.reason == reason.strip()
    assert entry.actor == reviewer
    assert [m.to for m in mail.outbox] == [["claimant@example.org"]]
    assert reason.strip() in mail.outbox[0].body
    client.force_login(registrant)
    page = client.get("/my/entities/")
    assert "Declined by the secretariat" in page.text
    assert "We could not confirm that you represent this State." in page.text


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("   ", "Give a reason: the registrant will see it."),
        ("x" * 2001, "Keep the reason under 2000 characters."),
        ("bad\x00byte", "Null characters are not allowed."),
    ],
)
def test_decline_is_refused_on_the_reason_field_when_the_reason_is_unusable(
    client: Client, reviewer: Any, reason: str, message: str
) -> None:
    entity = _registered("Open Doors")

    response = _decline(client, entity, reason)

    assert response.status_code == 200
    card = response.text.split(f'id="entity-{entity.public_id}"', 1)[1]
    assert message in card.split("</details>", 1)[0]
    assert 'aria-invalid="true"' in card
    entity.refresh_from_db()
    assert entity.declined_at is None


def test_verified_entity_cannot_be_declined_when_another_reviewer_verified_it(
    client: Client, reviewer: Any
) -> None:
    entity = EntityFactory(name="Open Doors", is_verified=True)

    response = _decline(client, entity, "Duplicate.", follow=True)

    assert "Open Doors is already verified." in response.text
    entity.refresh_from_db()
    assert entity.declined_at is None


def test_declined_entity_cannot_be_verified_when_posted_again(
    client: Client, reviewer: Any
) -> None:
    entity = _registered("Open Doors")
    _decline(client, entity, "Not a pledging actor.")

    response = client.post(URL, {"action": "verify", "entity": str(entity.public_id)}, follow=True)

    assert "Open Doors was declined." in response.text
    entity.refresh_from_db()
    assert not entity.is_verified


def test_decline_is_forbidden_when_the_user_is_not_the_secretariat(
    client: Client, member_a: Any
) -> None:
    entity = _registered("Open Doors")
    client.force_login(member_a)

    assert _decline(client, entity, "Spam.").status_code == 403
    entity.refresh_from_db()
    assert entity.declined_at is None


def test_registrant_is_mailed_when_the_entity_is_verified(
    client: Client, reviewer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    entity = _registered("Open Doors", UserFactory(email="founder@example.org"))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"action": "verify", "entity": str(entity.public_id)})

    assert [m.to for m in mail.outbox] == [["founder@example.org"]]
    assert mail.outbox[0].subject == "Open Doors is verified"
    assert "can now be submitted for review" in mail.outbox[0].body


def test_queue_lists_only_matches_when_searched_by_name_or_acronym(
    client: Client, reviewer: Any
) -> None:
    _registered("Refugee Voices", acronym="RV")
    _registered("Open Doors", acronym="OD")

    by_name = client.get(URL, {"q": "voices"})
    by_acronym = client.get(URL, {"q": "od"})

    assert 'value="decline_entity"' in by_name.text
    assert by_name.text.count('class="card" id="entity-') == 1
    assert "Refugee Voices" in by_name.text
    assert by_acronym.text.count('class="card" id="entity-') == 1
    assert "Open Doors" in by_acronym.text


@pytest.mark.parametrize(
    ("order", "first", "second"),
    [("newest", "Newer", "Older"), ("oldest", "Older", "Newer"), ("", "Older", "Newer")],
)
def test_queue_is_ordered_as_the_url_asks_when_sorted(
    client: Client, reviewer: Any, order: str, first: str, second: str
) -> None:
    for days, name in ((1, "Older Org"), (2, "Newer Org")):
        entity = _registered(name)
        Entity.objects.filter(pk=entity.pk).update(
            created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=days)
        )

    text = client.get(URL, {"order": order} if order else {}).text

    cards = text.split('class="card" id="entity-')[1:]
    assert f"{first} Org" in cards[0].split("</h3>", 1)[0]
    assert f"{second} Org" in cards[1].split("</h3>", 1)[0]


def test_similar_existing_names_are_shown_next_to_a_new_entity_when_listed(
    client: Client, reviewer: Any
) -> None:
    nrc = EntityFactory(name="Norwegian Refugee Council", acronym="NRC")
    EntityFactory(name="Danish Red Cross")
    # A look-alike kept from before the check existed (migration 0014 left it without a key).
    twin = EntityFactory(name="CARITAS", is_verified=True)
    queued = _registered("NRC Norwegian Refugee Councils", acronym="NRC")
    legacy = _registered("CARlTAS", name_skeleton=None, cased_name_skeleton=None)

    text = client.get(URL).text

    queued_card = text.split(f'id="entity-{queued.public_id}"', 1)[1].split("</details>", 1)[0]
    assert "Norwegian Refugee Council" in queued_card
    assert f'href="/entities/{nrc.public_id}/"' in queued_card
    assert "Danish Red Cross" not in queued_card
    legacy_card = text.split(f'id="entity-{legacy.public_id}"', 1)[1].split("</details>", 1)[0]
    assert f'href="/entities/{twin.public_id}/"' in legacy_card
