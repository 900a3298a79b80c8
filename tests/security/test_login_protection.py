"""Password guessing is throttled per account and per IP address, and weak passwords are refused
at sign-up (docs/security.md, "Login protection")."""

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

ACCOUNT_LIMIT = 5  # ACCOUNT_RATE_LIMITS["login_failed"]: 5 per account per 15 minutes
IP_LIMIT = 20  # … and 20 per IP address per hour


def _log_in(client: Client, email: str, password: str, ip: str = "203.0.113.7") -> bool:
    client.post(reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=ip)
    return "_auth_user_id" in client.session


def test_right_password_is_refused_when_the_account_had_too_many_wrong_ones(
    client: Client, confirmed_user: Callable[[str], User]
) -> None:
    confirmed_user("reviewer@example.org")
    for attempt in range(ACCOUNT_LIMIT):
        assert not _log_in(client, "reviewer@example.org", f"guess-number-{attempt}")

    response = client.post(
        reverse("account_login"),
        {"login": "reviewer@example.org", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.9",  # even from another address
    )

    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.text


def test_right_password_works_when_wrong_ones_stay_under_the_account_limit(
    client: Client, confirmed_user: Callable[[str], User]
) -> None:
    confirmed_user("reviewer@example.org")
    for attempt in range(ACCOUNT_LIMIT - 1):
        _log_in(client, "reviewer@example.org", f"guess-number-{attempt}")

    assert _log_in(client, "reviewer@example.org", PASSWORD)


def test_other_accounts_can_log_in_when_one_account_is_being_guessed(
    client: Client, confirmed_user: Callable[[str], User]
) -> None:
    confirmed_user("reviewer@example.org")
    confirmed_user("colleague@example.org")
    for attempt in range(ACCOUNT_LIMIT + 2):
        _log_in(client, "reviewer@example.org", f"guess-number-{attempt}")

    assert _log_in(client, "colleague@example.org", PASSWORD)


def test_address_is_refused_when_it_sprays_guesses_over_many_accounts(
    confirmed_user: Callable[[str], User],
) -> None:
    # 5 accounts × 4 wrong passwords: no single account reaches its limit, the address does.
    sprayer = Client()
    for n in range(IP_LIMIT // (ACCOUNT_LIMIT - 1)):
        email = f"target{n}@example.org"
        confirmed_user(email)
        for attempt in range(ACCOUNT_LIMIT - 1):
            assert not _log_in(sprayer, email, f"Summer2026!-{attempt}")
    confirmed_user("victim@example.org")

    refused = _log_in(sprayer, "victim@example.org", PASSWORD)
    elsewhere = _log_in(Client(), "victim@example.org", PASSWORD, ip="198.51.100.9")

    assert not refused
    assert elsewhere


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short-pw-26", "at least 12 characters"),
        ("password1234", "too common"),
        ("839201746592", "entirely numeric"),
        ("amina.yusuf.example", "too similar"),
    ],
)
def test_signup_refuses_a_weak_password_when_one_is_chosen(
    client: Client, password: str, reason: str
) -> None:
    response = client.post(
        reverse("account_signup"),
        {
            "full_name": "Amina Yusuf",
            "email": "amina.yusuf@example.org",
            "password1": password,
            "password2": password,
        },
    )

    assert response.status_code == 200
    assert reason in response.text
    assert not User.objects.filter(email="amina.yusuf@example.org").exists()


def test_signup_accepts_a_long_uncommon_password_when_one_is_chosen(client: Client) -> None:
    client.post(
        reverse("account_signup"),
        {
            "full_name": "Amina Yusuf",
            "email": "amina.yusuf@example.org",
            "password1": "lantern-harbour-quietly",
            "password2": "lantern-harbour-quietly",
        },
    )

    assert User.objects.filter(email="amina.yusuf@example.org").exists()
