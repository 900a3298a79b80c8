"""Fixtures of the security tests: people who can log in through allauth's real form."""

from collections.abc import Callable

import pytest
from allauth.account.models import EmailAddress

from accounts.models import User
from tests.factories import UserFactory

PASSWORD = "test-pass-2026"  # tests/factories.py gives every UserFactory user this password


@pytest.fixture
def confirmed_user(db: None) -> Callable[[str], User]:
    """`confirmed_user(email)`: a user whose address is confirmed, so the login form lets them in
    with `PASSWORD`."""

    def make(email: str) -> User:
        user = UserFactory(email=email)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user

    return make
