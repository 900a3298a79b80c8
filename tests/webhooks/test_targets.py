"""The SSRF guard: private, loopback and link-local targets are refused when a subscription is
saved and again when a delivery is sent, unless WEBHOOKS_ALLOW_PRIVATE_TARGETS is on."""

import ipaddress
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tests.factories import PledgeRows, UserFactory
from webhooks import services
from webhooks.services import SubscriptionInput
from webhooks.targets import is_public

from .conftest import Receiver

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("::1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped loopback
        ("0.0.0.0", False),  # noqa: S104  # an address under test, not a bind
        ("224.0.0.1", False),
        ("93.184.215.14", True),
        ("2606:4700:4700::1111", True),
    ],
)
def test_only_global_addresses_are_public(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://2130706433/hook",  # 127.0.0.1 as a number
        "ftp://example.org/hook",
        "http://user:pass@example.org/hook",
    ],
)
def test_subscription_is_refused_when_the_target_is_not_public(url: str, settings: Any) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    owner = UserFactory()
    with pytest.raises(ValidationError) as error:
        services.create_subscription(
            owner=owner, data=SubscriptionInput(url=url, event_types=["pledge.published"])
        )
    assert "url" in error.value.message_dict


def test_delivery_is_refused_when_the_target_turned_private_after_saving(
    reference_data: None, receiver: Receiver, settings: Any
) -> None:
    subscription, _secret = services.create_subscription(
        owner=UserFactory(),
        data=SubscriptionInput(url=receiver.url, event_types=["pledge.updated"]),
    )
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False  # as if its DNS now said 127.0.0.1
    services.record_event("pledge.updated", [PledgeRows(first=70801)().pk])
    services.deliver_due()

    attempt = subscription.deliveries.get().attempts.get()
    assert attempt.status_code is None
    assert "private" in attempt.error
    assert receiver.received == []
