"""Knowing a reference, UUID or id never grants access: entity B's member, signed in on the web
or calling the API with a session or a key, gets 404 for entity A's unpublished things."""

import pytest
from django.test import Client
from django.urls import reverse

from .conftest import World

pytestmark = pytest.mark.django_db


def _session(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def _key(world: World, role: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {world.keys[role]}")


@pytest.mark.parametrize("auth", [_session, _key], ids=["session", "api-key"])
@pytest.mark.parametrize(
    ("route", "target", "kwarg"),
    [
        ("pledge-detail", "A-draft", "reference"),
        ("pledge-detail", "A-submitted", "reference"),
        ("pledge-update-detail", "A-update-pending", "id"),
    ],
)
def test_api_hides_entity_as_unpublished_rows_when_entity_b_asks_by_identifier(
    world: World, auth, route: str, target: str, kwarg: str
) -> None:
    url = reverse(route, kwargs={kwarg: world.targets[target][kwarg]})

    response = auth(world, "member_b").get(url, HTTP_ACCEPT="application/json")
    owner = auth(world, "member_a").get(url, HTTP_ACCEPT="application/json")

    assert response.status_code == 404
    assert "confidential" not in response.text.lower()
    assert owner.status_code == 200


def test_api_lists_never_include_entity_as_draft_when_entity_b_lists(world: World) -> None:
    client = _session(world, "member_b")

    pledges = client.get("/api/v1/pledges/?page_size=500", HTTP_ACCEPT="application/json")
    updates = client.get("/api/v1/pledge-updates/?page_size=500", HTTP_ACCEPT="application/json")

    assert pledges.status_code == updates.status_code == 200
    assert "A's confidential draft" not in pledges.text
    assert "A's submitted pledge" not in pledges.text
    pending = str(world.targets["A-update-pending"]["id"])
    assert pending not in updates.text


@pytest.mark.parametrize(
    "path",
    [
        "/pledges/{A-draft}/",
        "/pledges/{A-draft}/edit/",
        "/pledges/{A-draft}/history/",
        "/pledges/{A-submitted}/",
    ],
)
def test_web_pages_answer_404_when_entity_b_opens_entity_as_drafts_by_reference(
    world: World, path: str
) -> None:
    refs = {name: world.targets[name]["reference"] for name in ("A-draft", "A-submitted")}
    url = path.replace("{A-draft}", refs["A-draft"]).replace("{A-submitted}", refs["A-submitted"])

    assert _session(world, "member_b").get(url).status_code == 404
    assert _session(world, "member_a").get(url).status_code == 200


@pytest.mark.parametrize(
    ("route", "target"),
    [
        ("pledges:participant-respond", "invitation-C-on-A-draft"),
        ("pledges:participant-remove", "invitation-C-on-A-draft"),
    ],
)
def test_invitations_on_entity_as_draft_are_404_when_entity_b_posts_by_id(
    world: World, route: str, target: str
) -> None:
    url = reverse(route, kwargs={"pk": world.targets[target]["pk"]})

    response = _session(world, "member_b").post(url, {"response": "accept"})

    assert response.status_code == 404


def test_api_key_of_member_a_cannot_be_revoked_when_member_b_posts_its_id(world: World) -> None:
    url = reverse("accounts:api-key-revoke", kwargs={"pk": world.targets["A-key"]["pk"]})

    response = _session(world, "member_b").post(url)
    still_works = _key(world, "member_a").get("/api/v1/pledges/", HTTP_ACCEPT="application/json")

    assert response.status_code == 404
    assert still_works.status_code == 200


def test_unverified_entity_page_is_404_when_a_stranger_opens_it_by_uuid(world: World) -> None:
    url = reverse(
        "pledges:entity-detail",
        kwargs={"public_id": world.targets["entity-unverified"]["public_id"]},
    )

    assert Client().get(url).status_code == 404
    assert _session(world, "member_b").get(url).status_code == 404


@pytest.mark.parametrize("auth", [_session, _key], ids=["session", "api-key"])
@pytest.mark.parametrize("target", ["A-draft-attachment", "A-update-pending-attachment"])
def test_files_of_entity_as_unpublished_things_are_404_when_entity_b_asks_by_uuid(
    world: World, auth, target: str
) -> None:
    url = reverse("attachment-download", kwargs={"public_id": world.targets[target]["public_id"]})

    response = auth(world, "member_b").get(url)
    owner = auth(world, "member_a").get(url)

    assert response.status_code == 404
    assert owner.status_code == 200
    assert owner["Content-Disposition"].startswith("attachment;")


def test_api_never_lists_files_of_entity_as_pending_update_when_entity_b_lists(
    world: World,
) -> None:
    hidden = str(world.targets["A-update-pending-attachment"]["public_id"])
    shown = str(world.targets["A-update-approved-attachment"]["public_id"])

    updates = _key(world, "member_b").get(
        "/api/v1/pledge-updates/?page_size=500", HTTP_ACCEPT="application/json"
    )
    pledges = Client().get("/api/v1/pledges/?page_size=500", HTTP_ACCEPT="application/json")

    assert hidden not in updates.text
    assert shown in updates.text
    assert str(world.targets["A-draft-attachment"]["public_id"]) not in pledges.text
    assert str(world.targets["A-published-attachment"]["public_id"]) in pledges.text
