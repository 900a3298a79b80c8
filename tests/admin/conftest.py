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
def rows(no_reference_data: None) -> dict[type[Model], Model]:
    """One row of every model, on an empty database: a page of the shipped countries or
    currencies would not show the test's own."""
    return build_rows()
