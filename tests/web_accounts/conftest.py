"""Fixtures for the account and entity pages.

allauth keeps its rate limits (login attempts, the cooldown between confirmation mails) in the
cache. The test settings share one Redis database between test runs, so each test here gets a
private in-process cache: a rerun or a neighbouring test cannot hold a mail back.
"""

import uuid
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from accounts.models import User

PASSWORD = "test-pass-2026"  # tests/factories.py gives every UserFactory user this password


@pytest.fixture(autouse=True)
def _private_cache(settings: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"web-accounts-{uuid.uuid4()}",
        }
    }


def confirm_email(user: User) -> EmailAddress:
    """What allauth needs before a user may log in under mandatory verification: the user's
    address as a verified, primary EmailAddress row."""
    address, _ = EmailAddress.objects.update_or_create(
        user=user, email=user.email.lower(), defaults={"verified": True, "primary": True}
    )
    return address


@pytest.fixture
def role_client(request: pytest.FixtureRequest, client: Client) -> Any:
    """A factory: `role_client("member_a")` returns the test client logged in as that fixture's
    user (or anonymous for "anonymous"), so that one test can run as each role."""

    def make(role: str) -> Client:
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return make
