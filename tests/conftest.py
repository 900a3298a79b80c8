"""Shared fixtures: a fixed cast of users (STYLE.md §8) and the shipped reference data."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.management import call_command

from accounts.models import User
from pledges.roles import ensure_secretariat_group

from .factories import MembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def _isolated_cache() -> None:
    """Every test starts with an empty cache (allauth keeps its rate limits there)."""
    cache.clear()


@pytest.fixture
def reference_data(db: None) -> None:
    """The reference data that ships with the app (compacts, objectives, forums, …)."""
    call_command("load_reference_data", verbosity=0)


@pytest.fixture
def anonymous() -> AnonymousUser:
    return AnonymousUser()


@pytest.fixture
def member_a(db: None) -> User:
    """An active member of verified entity A."""
    return MembershipFactory(user=UserFactory(email="member-a@example.org")).user


@pytest.fixture
def member_b(db: None) -> User:
    """An active member of another verified entity B."""
    return MembershipFactory(user=UserFactory(email="member-b@example.org")).user


@pytest.fixture
def entity_a(member_a: User):
    return member_a.memberships.get().entity


@pytest.fixture
def secretariat(db: None) -> User:
    """A secretariat reviewer: staff, in the Secretariat group (review permission)."""
    user = UserFactory(email="secretariat@example.org", is_staff=True)
    group, _ = ensure_secretariat_group()
    user.groups.add(group)
    return user


@pytest.fixture
def site_admin(db: None) -> User:
    return UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
