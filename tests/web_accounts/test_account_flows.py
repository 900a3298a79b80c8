"""Sign-up, e-mail confirmation, log in, log out and password reset, driven through allauth's
own URLs with the test client (no shortcut such as force_login)."""

import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

from .conftest import PASSWORD, confirm_email

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-pass-2027"


def _link(message: Any, marker: str) -> str:
    """The path of the first link in an e-mail whose URL contains `marker`."""
    match = re.search(rf"https?://[^/\s]+(/\S*{marker}\S*)", message.body)
    assert match, message.body
    return match.group(1)


def _logged_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def _sign_up(client: Client, email: str = "new@example.org") -> Any:
    return client.post(
        reverse("account_signup"),
        {"full_name": "New Person", "email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


def test_signup_sends_a_confirmation_mail_when_the_form_is_valid(client: Client) -> None:
    response = _sign_up(client, "New@Example.org")

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = User.objects.get(email="new@example.org")
    assert not EmailAddress.objects.get(user=user).verified
    assert _logged_in_user_id(client) is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.org"]
    assert mail.outbox[0].subject.startswith("[Compact Pledge Tracker] ")
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_confirmation_link_confirms_the_address_and_logs_in_when_posted(
    client: Client, frozen_now: Any
) -> None:
    # (The clock is frozen: the confirmation key carries a timestamp to the second, and the
    # page once read it as invalid when the e-mail and the page fell in different seconds.)
    _sign_up(client)
    confirm_path = _link(mail.outbox[0], "confirm-email/")

    shown = client.get(confirm_path)
    assert shown.status_code == 200
    # (On failure, show the page's message: the link may read as invalid or already confirmed.)
    assert f'action="{confirm_path}"' in shown.text, shown.text[shown.text.find("<main") :][:1500]
    assert not EmailAddress.objects.get(email="new@example.org").verified  # GET changes nothing

    confirmed = client.post(confirm_path)

    assert confirmed.status_code == 302
    assert confirmed.url == resolve_url(settings.LOGIN_REDIRECT_URL)
    address = EmailAddress.objects.get(email="new@example.org")
    assert address.verified
    assert address.primary
    assert _logged_in_user_id(client) == str(address.user_id)


def test_invalid_confirmation_link_says_so_when_the_key_is_unknown(client: Client) -> None:
    response = client.get(reverse("account_confirm_email", args=["not-a-key"]))

    assert response.status_code == 200
    assert "expired or is invalid" in response.text


def test_signup_shows_errors_in_a_summary_when_passwords_differ(client: Client) -> None:
    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "password1": PASSWORD, "password2": "something-else-2026"},
    )

    assert response.status_code == 200
    assert 'role="alert"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert not User.objects.filter(email="new@example.org").exists()
    assert mail.outbox == []


def test_signup_records_the_full_name(client: Client) -> None:
    page = client.get(reverse("account_signup"))
    response = client.post(
        reverse("account_signup"),
        {
            "full_name": "  Amina   Yusuf ",
            "email": "amina@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert '<label for="id_full_name">' in page.text
    assert response.status_code == 302
    assert User.objects.get(email="amina@example.org").full_name == "Amina Yusuf"


def test_login_is_held_back_and_a_new_mail_sent_when_the_address_is_unconfirmed(
    client: Client,
) -> None:
    user = UserFactory(email="pending@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)

    response = client.post(
        reverse("account_login"), {"login": "pending@example.org", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert _logged_in_user_id(client) is None
    assert len(mail.outbox) == 1
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_login_is_held_back_when_the_user_has_no_address_row(client: Client) -> None:
    # A user made outside allauth (shell, fixtures, seed) without an EmailAddress row.
    UserFactory(email="bare@example.org")

    client.post(reverse("account_login"), {"login": "bare@example.org", "password": PASSWORD})

    assert _logged_in_user_id(client) is None
    assert not EmailAddress.objects.get(email="bare@example.org").verified


def test_login_lands_on_the_redirect_url_when_the_password_is_right(client: Client) -> None:
    user = UserFactory(email="member@example.org")
    confirm_email(user)

    response = client.post(
        reverse("account_login"), {"login": "Member@Example.org", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == resolve_url(settings.LOGIN_REDIRECT_URL)
    assert _logged_in_user_id(client) == str(user.pk)


def test_login_follows_next_when_a_page_asked_for_login(client: Client) -> None:
    confirm_email(UserFactory(email="member@example.org"))
    target = reverse("pledges:my-entities")

    response = client.post(
        f"{reverse('account_login')}?next={target}",
        {"login": "member@example.org", "password": PASSWORD},
    )

    assert response.url == target


def test_login_shows_an_error_when_the_password_is_wrong(client: Client) -> None:
    confirm_email(UserFactory(email="member@example.org"))

    response = client.post(
        reverse("account_login"), {"login": "member@example.org", "password": "wrong-password"}
    )

    assert response.status_code == 200
    assert 'role="alert"' in response.text
    assert "not correct" in response.text
    assert _logged_in_user_id(client) is None


def test_password_reset_mail_lets_the_user_set_a_new_password_and_log_in(
    client: Client,
) -> None:
    user = UserFactory(email="forgetful@example.org")
    confirm_email(user)

    sent = client.post(reverse("account_reset_password"), {"email": "forgetful@example.org"})
    assert sent.status_code == 302
    assert len(mail.outbox) == 1
    key_path = _link(mail.outbox[0], "password/reset/key/")

    # allauth moves the key from the URL into the session, then shows the form.
    form_page = client.get(key_path, follow=True)
    assert form_page.status_code == 200
    assert 'name="password1"' in form_page.text
    form_path = form_page.redirect_chain[-1][0]
    changed = client.post(form_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert changed.status_code == 302
    assert changed.url == reverse("account_reset_password_from_key_done")

    client.logout()
    login_url = f"{reverse('account_login')}?next={reverse('pledges:my-entities')}"
    old = client.post(login_url, {"login": user.email, "password": PASSWORD})
    assert old.status_code == 200  # the old password no longer works
    new = client.post(login_url, {"login": user.email, "password": NEW_PASSWORD})
    assert new.status_code == 302
    assert _logged_in_user_id(client) == str(user.pk)


def test_password_reset_link_is_refused_when_the_key_is_wrong(client: Client) -> None:
    user = UserFactory(email="forgetful@example.org")
    confirm_email(user)

    response = client.get(
        reverse("account_reset_password_from_key", kwargs={"uidb36": "1", "key": "bad-key"}),
        follow=True,
    )

    assert response.status_code == 200
    assert "Bad Token" in response.text


def test_logout_needs_a_post_when_the_user_is_logged_in(client: Client) -> None:
    user = UserFactory()
    client.force_login(user)

    shown = client.get(reverse("account_logout"))
    assert shown.status_code == 200
    assert _logged_in_user_id(client) == str(user.pk)  # a GET (a link, a prefetch) keeps you in

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert response.url == settings.ACCOUNT_LOGOUT_REDIRECT_URL
    assert _logged_in_user_id(client) is None


@pytest.mark.parametrize(
    "url_name",
    ["account_login", "account_signup", "account_reset_password", "account_logout"],
)
def test_account_page_uses_the_site_layout_when_shown(client: Client, url_name: str) -> None:
    if url_name == "account_logout":
        client.force_login(UserFactory())

    response = client.get(reverse(url_name))

    assert response.status_code == 200
    text = response.text
    assert 'class="skip-link"' in text
    assert "· Compact Pledge Tracker</title>" in text
    # Only the site's own script files (the menu toggle): no inline or third-party script.
    assert re.findall(r"<script[^>]*>", text) == ['<script src="/static/js/site.js" defer>']
    # Every visible input has a label pointing at it.
    ids = re.findall(r'<input(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', text)
    for input_id in ids:
        assert f'for="{input_id}"' in text, input_id


def test_account_page_is_translated_when_the_browser_asks_for_french(client: Client) -> None:
    response = client.get(reverse("account_login"), headers={"accept-language": "fr"}, follow=True)

    assert response.redirect_chain == [("/fr/accounts/login/", 302)]
    assert '<html lang="fr"' in response.text
    assert "Connexion" in response.text
