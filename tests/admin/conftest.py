import pytest
from django.db.models import Model
from django.test import Client

from accounts.models import User

from .rows import build_rows


@pytest.fixture
def admin_client(client: Client, site_admin: User) -> Client:
    """A browser signed in as the site admin (pytest-django's own one assumes a username)."""
    client.force_login(site_admin)
    return client


@pytest.fixture
def rows(db: None) -> dict[type[Model], Model]:
    return build_rows()
