"""Many people behind one address (office proxy, NAT): somebody guessing passwords from it must
not shut the others out. The per-IP limit on failed log-ins spares browsers that have logged in
as the account before; it still stops a sprayer, and one account's wrong passwords still lock
that account (issue 14, item 6; docs/security.md, "Login protection")."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

OFFICE = "203.0.113.7"
ACCOUNT_LIMIT = 5  # ACCOUNT_RATE_LIMITS["login_failed"]: per account per 15 minutes
IP_LIMIT = 20  # ACCOUNT_RATE_LIMITS["login_failed_ip"]: per address per hour


def _log_in(client: Client, email: str, password: str, ip: str = OFFICE) -> str:
    response = client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=ip
    )
    if "_auth_user_id" in client.session:
        return "in"
    return "too many" if "Too many failed login attempts" in response.text else "refused"


def _log_out(client: Client) -> None:
    # allauth's log-out, not Client.logout(), which would also drop the browser's other cookies.
    client.post(reverse("account_logout"), REMOTE_ADDR=OFFICE)
    assert "_auth_user_id" not in client.session


def _spray(confirmed_user: Callable[[str], User], sprayer: Client, failures: int) -> None:
    """`failures` wrong passwords from the office address, spread so no account is locked."""
    for n in range(failures):
        email = f"target{n // (ACCOUNT_LIMIT - 1)}@example.org"
        if n % (ACCOUNT_LIMIT - 1) == 0:
            confirmed_user(email)
        _log_in(sprayer, email, f"Summer2026!-{n}")


def test_a_colleague_logs_in_from_her_browser_while_someone_at_her_office_sprays_guesses(
    confirmed_user: Callable[[str], User],
) -> None:
    confirmed_user("colleague@example.org")
    her_browser = Client()
    assert _log_in(her_browser, "colleague@example.org", PASSWORD) == "in"
    _log_out(her_browser)

    sprayer = Client()
    _spray(confirmed_user, sprayer, IP_LIMIT + 4)

    assert _log_in(her_browser, "colleague@example.org", PASSWORD) == "in"


def test_the_sprayer_is_still_stopped_at_the_address_limit(
    confirmed_user: Callable[[str], User],
) -> None:
    sprayer = Client()
    _spray(confirmed_user, sprayer, IP_LIMIT)
    confirmed_user("victim@example.org")

    # Even the right password: the sprayer must not learn which guess was right.
    assert _log_in(sprayer, "victim@example.org", PASSWORD) == "too many"
    assert _log_in(Client(), "victim@example.org", PASSWORD, ip="198.51.100.9") == "in"


def test_a_browser_is_trusted_only_for_the_accounts_it_logged_in_as(
    confirmed_user: Callable[[str], User],
) -> None:
    confirmed_user("colleague@example.org")
    confirmed_user("victim@example.org")
    browser = Client()
    assert _log_in(browser, "colleague@example.org", PASSWORD) == "in"
    _log_out(browser)
    _spray(confirmed_user, Client(), IP_LIMIT)

    assert _log_in(browser, "victim@example.org", PASSWORD) == "too many"


def test_wrong_passwords_still_lock_the_account_even_in_its_usual_browser(
    confirmed_user: Callable[[str], User],
) -> None:
    confirmed_user("colleague@example.org")
    her_browser = Client()
    assert _log_in(her_browser, "colleague@example.org", PASSWORD) == "in"
    _log_out(her_browser)

    guesser = Client()
    for attempt in range(ACCOUNT_LIMIT):
        assert _log_in(guesser, "colleague@example.org", f"guess-{attempt}") == "refused"

    assert _log_in(her_browser, "colleague@example.org", PASSWORD) == "too many"


def test_a_forged_device_cookie_earns_no_exemption(confirmed_user: Callable[[str], User]) -> None:
    confirmed_user("victim@example.org")
    sprayer = Client()
    _spray(confirmed_user, sprayer, IP_LIMIT)
    sprayer.cookies["trusted_login"] = "0123456789abcdef01234567"

    assert _log_in(sprayer, "victim@example.org", PASSWORD) == "too many"


def test_a_whole_office_logs_in_within_a_minute(confirmed_user: Callable[[str], User]) -> None:
    # allauth's default per-IP limit on every log-in (30 a minute) would refuse the 31st.
    for n in range(35):
        confirmed_user(f"staff{n}@example.org")
        assert _log_in(Client(), f"staff{n}@example.org", PASSWORD) == "in", n


def test_a_colleague_on_a_new_browser_gets_in_with_an_e_mailed_code_while_the_address_is_sprayed(
    confirmed_user: Callable[[str], User], mailoutbox: list[Any]
) -> None:
    confirmed_user("newcomer@example.org")
    _spray(confirmed_user, Client(), IP_LIMIT + 1)
    new_browser = Client()
    assert _log_in(new_browser, "newcomer@example.org", PASSWORD) == "too many"
    refused = new_browser.post(
        reverse("account_login"),
        {"login": "newcomer@example.org", "password": PASSWORD},
        REMOTE_ADDR=OFFICE,
    )
    assert reverse("account_request_login_code") in refused.text  # the way out is offered

    mailoutbox.clear()
    new_browser.post(
        reverse("account_request_login_code"),
        {"email": "newcomer@example.org"},
        REMOTE_ADDR=OFFICE,
    )
    (message,) = mailoutbox
    code = re.search(r"^\s*([A-Z0-9-]{6,})\s*$", message.body, re.MULTILINE).group(1)
    new_browser.post(reverse("account_confirm_login_code"), {"code": code}, REMOTE_ADDR=OFFICE)

    assert "_auth_user_id" in new_browser.session
