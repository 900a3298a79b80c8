"""Fixtures for API keys: keys made through the service, as the page and the command make them."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import ApiKey, User
from accounts.services import create_api_key

MakeKey = Callable[..., tuple[ApiKey, str]]


@pytest.fixture
def make_key(db: None) -> MakeKey:
    """`make_key(user, name="…", expires_at=…)` → (key, plaintext)."""

    def make(user: User, name: str = "Reporting system", **kwargs: Any) -> tuple[ApiKey, str]:
        return create_api_key(user=user, name=name, **kwargs)

    return make


@pytest.fixture
def key_a(member_a: User, make_key: MakeKey) -> tuple[ApiKey, str]:
    """An active key of member A, with its plaintext."""
    return make_key(member_a, "A's reporting system")


def expire(key: ApiKey, *, ago: dt.timedelta = dt.timedelta(minutes=5)) -> None:
    """Make `key` expired without travelling in time (the expiry must follow creation)."""
    ApiKey.objects.filter(pk=key.pk).update(
        created_at=timezone.now() - ago - dt.timedelta(days=1), expires_at=timezone.now() - ago
    )
    key.refresh_from_db()
