"""A person's preferred language: taken from the page they sign up on, changed on the
"Preferences" page, and used for the mails allauth sends them."""

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from tests.factories import UserFactory

from .conftest import PASSWORD, confirm_email

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Any:
    """A request to a /fr/ page leaves French active in this thread; `reverse` would follow it."""
    yield
    translation.deactivate()


def _sign_up(client: Client, url: str, email: str) -> Any:
    return client.post(
        url,
        {"full_name": "New Person", "email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


def test_existing_and_new_accounts_prefer_english_when_nothing_was_chosen() -> None:
    assert UserFactory().language == "en"


def test_signup_on_a_french_page_stores_french_and_confirms_in_french(client: Client) -> None:
    with translation.override("fr"):
        url = reverse("account_signup")
    assert url.startswith("/fr/")

    response = _sign_up(client, url, "nouvelle@example.org")

    assert response.status_code == 302
    assert User.objects.get(email="nouvelle@example.org").language == "fr"
    with translation.override("fr"):
        french_subject = _("Please Confirm Your Email Address")
    assert french_subject != "Please Confirm Your Email Address"
    assert french_subject in mail.outbox[0].subject


def test_signup_on_an_unprefixed_page_stores_english(client: Client) -> None:
    url = reverse("account_signup")
    assert url == "/accounts/signup/"

    _sign_up(client, url, "new@example.org")

    assert User.objects.get(email="new@example.org").language == "en"


def test_password_reset_mail_follows_the_preference_not_the_page(client: Client) -> None:
    user = UserFactory(email="lectrice@example.org", language="fr")
    confirm_email(user)

    client.post(reverse("account_reset_password"), {"email": user.email})  # an English page

    with translation.override("fr"):
        french_subject = _("Password Reset Email")
    assert french_subject != "Password Reset Email"
    assert [m.subject.endswith(french_subject) for m in mail.outbox] == [True]
    # The link opens the French pages, and still lets the person set a new password.
    link = re.search(r"https?://[^/\s]+(/\S*password/reset/key/\S*)", mail.outbox[0].body)
    assert link
    assert link.group(1).startswith("/fr/accounts/password/reset/key/")
    form_page = client.get(link.group(1), follow=True)
    assert 'name="password1"' in form_page.text
    assert '<html lang="fr"' in form_page.text


def test_preferences_page_needs_a_login(client: Client) -> None:
    response = client.get(reverse("accounts:preferences"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_preferences_page_shows_the_current_choice_in_every_language(client: Client) -> None:
    client.force_login(UserFactory(language="es"))

    response = client.get(reverse("accounts:preferences"))

    assert response.status_code == 200
    assert '<option value="es" selected>' in response.text
    for code in ("ar", "zh-hans", "en", "fr", "ru", "es"):
        assert f'<option value="{code}"' in response.text


def test_changing_the_language_saves_it_and_says_so(client: Client) -> None:
    user = UserFactory(language="en")
    client.force_login(user)

    response = client.post(reverse("accounts:preferences"), {"language": "ru"}, follow=True)

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.language == "ru"
    assert '<option value="ru" selected>' in response.text
    assert 'class="message success"' in response.text


@pytest.mark.parametrize("value", ["xx", "", "de", "fr-ca" * 10])
def test_an_unknown_language_is_refused_on_the_field(client: Client, value: str) -> None:
    user = UserFactory(language="fr")
    client.force_login(user)

    response = client.post(reverse("accounts:preferences"), {"language": value})

    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.text
    assert "field-invalid" in response.text
    user.refresh_from_db()
    assert user.language == "fr"


def test_the_preferences_page_is_reached_from_the_menu(client: Client) -> None:
    client.force_login(UserFactory())

    response = client.get(reverse("pledges:home"))

    assert f'href="{reverse("accounts:preferences")}"' in response.text


def test_signup_mail_subject_names_the_site_in_the_page_language(client: Client) -> None:
    with translation.override("ar"):
        url = reverse("account_signup")
        site = _("Compact Pledge Tracker")
    assert site != "Compact Pledge Tracker"

    _sign_up(client, url, "jadida@example.org")

    assert mail.outbox[0].subject.startswith(f"[{site}] ")
    assert "Compact Pledge Tracker" not in mail.outbox[0].subject
