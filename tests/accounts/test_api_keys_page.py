"""The "API keys" page, as each role sees it: anonymous, member A, member B, staff."""

import re
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import resolve, reverse

from accounts import services
from accounts.models import ApiKey, ApiKeyStatus, User
from accounts.views import PAGE_SIZE
from core.audit import entries_for

from .conftest import MakeKey, expire

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.accounts.urls")]

KEY_PATTERN = re.compile(r"cpt_[0-9a-f]{10}_[A-Za-z0-9_-]{43}")


def page_url() -> str:
    return reverse("accounts:api-keys")


def revoke_url(key: ApiKey) -> str:
    return reverse("accounts:api-key-revoke", args=[key.pk])


def logged_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


# --- access ------------------------------------------------------------------------------------


def test_urls_are_the_documented_ones_when_reversed() -> None:
    assert reverse("accounts:api-keys") == "/account/api-keys/"
    assert reverse("accounts:api-key-revoke", args=[7]) == "/account/api-keys/7/revoke/"


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_sent_to_login_when_opening_the_page(client: Client, method: str) -> None:
    response = getattr(client, method)(page_url())

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={page_url()}"


def test_anonymous_is_sent_to_login_when_revoking(
    client: Client, key_a: tuple[ApiKey, str]
) -> None:
    key, _ = key_a

    response = client.post(revoke_url(key))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    key.refresh_from_db()
    assert key.revoked_at is None


def test_member_sees_only_their_own_keys_when_opening_the_page(
    client: Client, member_a: User, member_b: User, make_key: MakeKey
) -> None:
    mine, _ = make_key(member_a, "Mine")
    theirs, _ = make_key(member_b, "Theirs")

    response = logged_in(client, member_a).get(page_url())

    assert response.status_code == 200
    assert list(response.context["keys"]) == [mine]
    assert mine.prefix in response.content.decode()
    assert theirs.prefix not in response.content.decode()


def test_staff_sees_only_their_own_keys_when_opening_the_page(
    client: Client, secretariat: User, key_a: tuple[ApiKey, str]
) -> None:
    response = logged_in(client, secretariat).get(page_url())

    assert list(response.context["keys"]) == []


@pytest.mark.parametrize("method", ["get", "post"])
def test_404_when_member_b_tries_to_revoke_a_key_of_member_a(
    client: Client, member_b: User, key_a: tuple[ApiKey, str], method: str
) -> None:
    key, raw = key_a

    response = getattr(logged_in(client, member_b), method)(revoke_url(key))

    assert response.status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None
    assert services.authenticate_api_key(raw) == key


def test_404_when_staff_tries_to_revoke_someone_elses_key_on_the_page(
    client: Client, secretariat: User, key_a: tuple[ApiKey, str]
) -> None:
    key, _ = key_a

    assert logged_in(client, secretariat).post(revoke_url(key)).status_code == 404


# --- list --------------------------------------------------------------------------------------


def test_empty_state_is_shown_when_member_has_no_keys(client: Client, member_a: User) -> None:
    response = logged_in(client, member_a).get(page_url())

    assert "You have no API keys yet." in response.content.decode()


def test_each_status_is_shown_when_keys_are_active_expired_and_revoked(
    client: Client, member_a: User, make_key: MakeKey
) -> None:
    active, _ = make_key(member_a, "Active one")
    expired, _ = make_key(member_a, "Expired one")
    expire(expired)
    revoked, _ = make_key(member_a, "Revoked one")
    services.revoke_api_key(key=revoked, by=member_a)

    response = logged_in(client, member_a).get(page_url())

    content = response.content.decode()
    assert 'class="status status-active">Active<' in content
    assert 'class="status status-expired">Expired<' in content
    assert 'class="status status-revoked">Revoked<' in content
    # A revoke button for the keys that are not revoked yet, none for the revoked one.
    assert revoke_url(active) in content
    assert revoke_url(expired) in content
    assert revoke_url(revoked) not in content


def test_list_is_paginated_with_flat_query_count_when_member_has_many_keys(
    client: Client, member_a: User, make_key: MakeKey, django_assert_max_num_queries: Any
) -> None:
    for number in range(PAGE_SIZE + 3):
        make_key(member_a, f"Key {number}")
    logged_in(client, member_a)

    with django_assert_max_num_queries(6):
        first = client.get(page_url())
    second = client.get(page_url(), {"page": 2})

    assert len(first.context["keys"]) == PAGE_SIZE
    assert len(second.context["keys"]) == 3
    assert 'rel="next"' in first.content.decode()
    assert 'rel="prev"' in second.content.decode()


def test_page_is_never_cached_when_opened(client: Client, member_a: User) -> None:
    response = logged_in(client, member_a).get(page_url())

    assert "no-store" in response["Cache-Control"]


# --- create ------------------------------------------------------------------------------------


def test_new_key_is_shown_exactly_once_when_created(client: Client, member_a: User) -> None:
    logged_in(client, member_a)

    response = client.post(page_url(), {"name": "Reporting system"})

    assert response.status_code == 200
    content = response.content.decode()
    shown = KEY_PATTERN.findall(content)
    assert shown
    raw = shown[0]
    key = ApiKey.objects.get(user=member_a)
    assert services.authenticate_api_key(raw) == key
    assert "it will not be shown again" in content
    assert f'curl -H "Authorization: Bearer {raw}" http://testserver/api/v1/pledges/' in content
    assert raw not in str(dict(client.session))  # stored nowhere, not even in the session

    again = client.get(page_url())

    assert raw not in again.content.decode()
    assert not KEY_PATTERN.search(again.content.decode())
    assert key.prefix in again.content.decode()


def test_key_gets_its_expiry_when_created_with_a_date(client: Client, member_a: User) -> None:
    logged_in(client, member_a).post(page_url(), {"name": "Short", "expires_at": "2099-01-31"})

    key = ApiKey.objects.get(user=member_a)
    assert key.expires_at.isoformat() == "2099-01-31T00:00:00+00:00"
    assert key.status == ApiKeyStatus.ACTIVE


def test_creation_is_audited_with_the_user_as_actor_when_made_on_the_page(
    client: Client, member_a: User
) -> None:
    logged_in(client, member_a).post(page_url(), {"name": "Reporting"})

    entry = entries_for(ApiKey.objects.get()).get()
    assert entry.actor == member_a


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "Ok", "expires_at": "2000-01-01"}, "expires_at", "must be in the future"),
        ({"name": "Ok", "expires_at": "not a date"}, "expires_at", "Enter a valid date."),
    ],
)
def test_errors_are_summarised_and_shown_on_the_field_when_input_is_invalid(
    client: Client, member_a: User, data: dict[str, str], field: str, message: str
) -> None:
    response = logged_in(client, member_a).post(page_url(), data)

    assert response.status_code == 200
    assert not ApiKey.objects.exists()
    assert any(message in error for error in response.context["form"].errors[field])
    content = response.content.decode()
    assert 'role="alert"' in content
    assert f'href="#id_{field}"' in content
    assert 'aria-invalid="true"' in content


def test_duplicate_name_is_refused_on_the_name_field_when_key_exists(
    client: Client, member_a: User, make_key: MakeKey
) -> None:
    make_key(member_a, "Reporting")

    response = logged_in(client, member_a).post(page_url(), {"name": "Reporting"})

    assert response.status_code == 200
    assert "already have a key named" in response.context["form"].errors["name"][0]
    assert ApiKey.objects.filter(user=member_a).count() == 1


def test_form_is_labelled_and_protected_when_page_is_shown(client: Client, member_a: User) -> None:
    content = logged_in(client, member_a).get(page_url()).content.decode()

    assert 'for="id_name"' in content
    assert 'for="id_expires_at"' in content
    assert 'type="date"' in content
    assert "csrfmiddlewaretoken" in content
    # Only the site's own script files (the menu toggle): no inline or third-party script.
    assert re.findall(r"<script[^>]*>", content) == ['<script src="/static/js/site.js" defer>']


# --- revoke ------------------------------------------------------------------------------------


def test_confirmation_is_asked_without_revoking_when_revoke_is_opened(
    client: Client, member_a: User, key_a: tuple[ApiKey, str]
) -> None:
    key, _ = key_a

    response = logged_in(client, member_a).get(revoke_url(key))

    assert response.status_code == 200
    content = response.content.decode()
    assert f'action="{revoke_url(key)}"' in content
    assert 'method="post"' in content
    assert "csrfmiddlewaretoken" in content
    key.refresh_from_db()
    assert key.revoked_at is None


def test_key_is_revoked_and_refused_at_once_when_owner_confirms(
    client: Client, member_a: User, key_a: tuple[ApiKey, str]
) -> None:
    key, raw = key_a

    response = logged_in(client, member_a).post(revoke_url(key), follow=True)

    assert response.redirect_chain == [(page_url(), 302)]
    assert "is revoked" in response.content.decode()
    key.refresh_from_db()
    assert key.status == ApiKeyStatus.REVOKED
    assert services.authenticate_api_key(raw) is None


def test_message_says_already_revoked_when_revoked_twice(
    client: Client, member_a: User, key_a: tuple[ApiKey, str]
) -> None:
    key, _ = key_a
    logged_in(client, member_a).post(revoke_url(key))

    response = client.post(revoke_url(key), follow=True)

    assert "already revoked" in response.content.decode()
    confirm = client.get(revoke_url(key), follow=True)
    assert confirm.redirect_chain == [(page_url(), 302)]


# --- navigation --------------------------------------------------------------------------------


def test_nav_link_is_current_when_on_the_page(member_a: User) -> None:
    request = RequestFactory().get(page_url())
    request.user = member_a
    request.resolver_match = resolve(page_url())

    html = render_to_string("includes/nav_accounts.html", {"user": member_a}, request=request)

    assert f'href="{page_url()}" aria-current="page"' in html
    assert "API keys" in html


def test_nav_link_is_hidden_when_anonymous(anonymous: Any) -> None:
    request = RequestFactory().get("/")
    request.user = anonymous

    html = render_to_string("includes/nav_accounts.html", {"user": anonymous}, request=request)

    assert "API keys" not in html
