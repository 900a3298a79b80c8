"""API keys in the admin: listed, searched, filtered and revoked; never added, never shown."""

from typing import Any

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import ApiKey, ApiKeyStatus, User
from core.audit import entries_for
from tests.factories import UserFactory

from .conftest import MakeKey, expire

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:accounts_apikey_changelist")


@pytest.fixture
def admin_client(client: Client, site_admin: User) -> Client:
    client.force_login(site_admin)
    return client


@pytest.fixture
def three_keys(member_a: User, member_b: User, make_key: MakeKey) -> dict[str, ApiKey]:
    active, _ = make_key(member_a, "Active key")
    expired, _ = make_key(member_a, "Expired key")
    expire(expired)
    revoked, _ = make_key(member_b, "Revoked key")
    services.revoke_api_key(key=revoked, by=member_b)
    return {"active": active, "expired": expired, "revoked": revoked}


def test_changelist_shows_every_column_but_never_the_hash_when_opened(
    admin_client: Client, three_keys: dict[str, ApiKey], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(12):
        response = admin_client.get(CHANGELIST)

    assert response.status_code == 200
    assert set(response.context["cl"].result_list) == set(three_keys.values())
    content = response.content.decode()
    for key in three_keys.values():
        assert key.prefix in content
        assert key.key_hash not in content
    for text in ("Active", "Expired", "Revoked", "member-a@example.org", "member-b@example.org"):
        assert f">{text}<" in content


@pytest.mark.parametrize("status", list(ApiKeyStatus))
def test_status_filter_keeps_only_that_status_when_chosen(
    admin_client: Client, three_keys: dict[str, ApiKey], status: ApiKeyStatus
) -> None:
    response = admin_client.get(CHANGELIST, {"status": status.value})

    assert list(response.context["cl"].result_list) == [three_keys[status.value]]


@pytest.mark.parametrize(
    ("term", "expected"),
    [("member-b@", "revoked"), ("Expired key", "expired")],
)
def test_search_finds_keys_by_owner_email_and_name(
    admin_client: Client, three_keys: dict[str, ApiKey], term: str, expected: str
) -> None:
    response = admin_client.get(CHANGELIST, {"q": term})

    assert list(response.context["cl"].result_list) == [three_keys[expected]]


def test_search_finds_a_key_by_prefix(admin_client: Client, three_keys: dict[str, ApiKey]) -> None:
    wanted = three_keys["active"]

    response = admin_client.get(CHANGELIST, {"q": wanted.prefix})

    assert list(response.context["cl"].result_list) == [wanted]


def test_add_is_refused_when_site_admin_tries(admin_client: Client) -> None:
    assert admin_client.get(reverse("admin:accounts_apikey_add")).status_code == 403


def test_change_page_is_read_only_and_hides_the_hash_when_opened(
    admin_client: Client, three_keys: dict[str, ApiKey]
) -> None:
    key = three_keys["active"]

    response = admin_client.get(reverse("admin:accounts_apikey_change", args=[key.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert key.prefix in content
    assert key.key_hash not in content
    assert 'name="_save"' not in content


def test_revoke_action_revokes_through_the_service_when_keys_are_selected(
    admin_client: Client, site_admin: User, three_keys: dict[str, ApiKey]
) -> None:
    chosen = [three_keys["active"], three_keys["expired"], three_keys["revoked"]]

    response = admin_client.post(
        CHANGELIST,
        {"action": "revoke_selected", ACTION_CHECKBOX_NAME: [k.pk for k in chosen]},
        follow=True,
    )

    assert response.status_code == 200
    for key in chosen:
        key.refresh_from_db()
        assert key.status == ApiKeyStatus.REVOKED
    entry = entries_for(three_keys["active"]).get(action="accounts.api_key.revoked")
    assert entry.actor == site_admin
    messages = [str(m) for m in response.context["messages"]]
    assert "2 API keys revoked." in messages
    assert any("already revoked" in m for m in messages)


def test_revoke_action_is_not_offered_when_staff_lacks_the_permission(
    client: Client, three_keys: dict[str, ApiKey]
) -> None:
    viewer = UserFactory(email="viewer@example.org", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_apikey"))
    client.force_login(viewer)

    response = client.get(CHANGELIST)

    assert response.status_code == 200
    assert "revoke_selected" not in response.content.decode()


def test_user_with_keys_can_be_deleted_when_site_admin_deletes_the_user(
    admin_client: Client, key_a: tuple[ApiKey, str], member_a: User
) -> None:
    url = reverse("admin:accounts_user_delete", args=[member_a.pk])

    response = admin_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not ApiKey.objects.exists()


def test_user_admin_is_unchanged_when_api_keys_are_registered(admin_client: Client) -> None:
    response = admin_client.get(reverse("admin:accounts_user_changelist"))

    assert response.status_code == 200
