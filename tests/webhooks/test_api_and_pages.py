"""The partner manages webhooks through the API (with an API key) and on the Webhooks page; a
subscription and its deliveries are visible to their owner only."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import create_api_key
from tests.factories import PledgeRows, UserFactory
from webhooks import services
from webhooks.models import WebhookSubscription

from .conftest import Receiver

pytestmark = pytest.mark.django_db


def api(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {create_api_key(user=user, name='sync')[1]}")
    return client


@pytest.fixture
def owner(db: None) -> User:
    return UserFactory(email="owner@partner.example")


def test_partner_subscribes_and_replays_when_using_the_api(
    reference_data: None, owner: User, receiver: Receiver
) -> None:
    client, other = api(owner), api(UserFactory())
    answer = client.post(
        "/api/v1/webhooks/",
        {
            "url": receiver.url,
            "event_types": ["pledge.updated"],
            "compact": "GCR",
            "objective": 1,
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    created = answer.json()
    assert created["secret"].startswith("whsec_")
    assert (created["compact"], created["objective"]) == ("GCR", 1)
    detail = f"/api/v1/webhooks/{created['id']}/"
    assert "secret" not in client.get(detail).json()

    services.record_event("pledge.updated", [PledgeRows(first=71001)().pk])
    services.deliver_due()
    deliveries = client.get("/api/v1/webhooks/deliveries/", {"subscription": created["id"]})
    [delivery] = deliveries.json()["results"]
    assert delivery["state"] == "succeeded"
    assert delivery["attempts"][0]["status_code"] == 204
    replay = client.post(f"/api/v1/webhooks/deliveries/{delivery['id']}/replay/")
    assert (replay.status_code, replay.json()["state"]) == (202, "pending")

    # Another partner sees none of it.
    assert other.get("/api/v1/webhooks/").json()["results"] == []
    assert other.get("/api/v1/webhooks/deliveries/").json()["results"] == []
    assert other.get(detail).status_code == 404
    assert other.post(f"/api/v1/webhooks/deliveries/{delivery['id']}/replay/").status_code == 404
    assert other.delete(detail).status_code == 404

    patched = client.patch(detail, {"event_types": ["pledge.removed"]}, format="json").json()
    assert (patched["event_types"], patched["objective"]) == (["pledge.removed"], 1)
    rotated = client.post(f"{detail}rotate-secret/").json()
    assert rotated["secret"] != created["secret"]
    assert rotated["secret_overlap_until"]
    assert client.post(f"{detail}pause/").json()["paused"] is True
    assert client.delete(detail).status_code == 204
    assert not WebhookSubscription.objects.exists()


URL = "https://example.org/h"
EVENTS = ["pledge.updated"]


def fake_dns(host: str, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
    """example.org at a public documentation address, whatever DNS this machine has."""
    return [(2, 1, 6, "", ("10.0.0.5" if host == "10.0.0.5" else "93.184.215.14", 0))]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "http://10.0.0.5/hook", "event_types": EVENTS}, "url"),
        ({"url": URL, "event_types": []}, "event_types"),
        ({"url": URL, "event_types": ["pledge.eaten"]}, "event_types"),
        ({"url": URL, "event_types": EVENTS, "objective": 2}, "objective"),
        ({"url": URL, "event_types": EVENTS, "secret": "x"}, "secret"),
    ],
)
def test_api_answers_400_with_the_field_when_the_subscription_is_invalid(
    reference_data: None, owner: User, body: dict[str, Any], field: str, monkeypatch: Any
) -> None:
    monkeypatch.setattr("webhooks.targets.socket.getaddrinfo", fake_dns)
    answer = api(owner).post("/api/v1/webhooks/", body, format="json")
    assert answer.status_code == 400
    assert field in answer.json()["errors"]


def test_partner_manages_a_subscription_when_using_the_page(
    reference_data: None, owner: User, receiver: Receiver
) -> None:
    client = Client()
    client.force_login(owner)
    page = client.post(
        reverse("webhooks:create"),
        {"url": receiver.url, "event_types": ["pledge.published", "pledge.removed"]},
    )
    subscription = WebhookSubscription.objects.get()
    assert subscription.secret in page.content.decode()  # shown once, here
    detail = reverse("webhooks:detail", args=[subscription.public_id])
    assert subscription.secret not in client.get(detail).content.decode()
    assert receiver.url in client.get(reverse("webhooks:list")).content.decode()

    client.post(reverse("webhooks:pause", args=[subscription.public_id]))
    subscription.refresh_from_db()
    assert subscription.is_paused
    client.post(reverse("webhooks:resume", args=[subscription.public_id]))
    rotated = client.post(reverse("webhooks:rotate", args=[subscription.public_id]))
    subscription.refresh_from_db()
    assert subscription.secret in rotated.content.decode()

    stranger = Client()
    stranger.force_login(UserFactory())
    assert stranger.get(detail).status_code == 404
    assert (
        stranger.post(reverse("webhooks:delete", args=[subscription.public_id])).status_code == 404
    )

    assert client.get(reverse("webhooks:delete", args=[subscription.public_id])).status_code == 200
    client.post(reverse("webhooks:delete", args=[subscription.public_id]))
    assert not WebhookSubscription.objects.exists()


def test_form_shows_the_refusal_beside_the_url_when_the_target_is_private(
    reference_data: None, owner: User, settings: Any
) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    client = Client()
    client.force_login(owner)
    page = client.post(
        reverse("webhooks:create"),
        {"url": "http://127.0.0.1:9/hook", "event_types": ["pledge.published"]},
    )
    assert page.status_code == 200
    assert "private, loopback or link-local" in page.context["form"].errors["url"][0]
    assert not WebhookSubscription.objects.exists()
