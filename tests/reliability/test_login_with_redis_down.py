"""Redis down: people can still log in, sign up and reset their password. allauth's rate limits
count in the cache; with the cache unreachable they let the request through (and log a warning)
instead of answering 500 (issue 14, item 10)."""

import logging
from collections.abc import Callable

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.security.conftest import PASSWORD, confirmed_user  # noqa: F401

from .conftest import RedisOutage

pytestmark = pytest.mark.django_db


def test_log_in_works_with_redis_down(
    confirmed_user: Callable[[str], User],  # noqa: F811
    redis_down: RedisOutage,
    client: Client,
    caplog: pytest.LogCaptureFixture,
) -> None:
    confirmed_user("reviewer@example.org")

    with caplog.at_level(logging.WARNING, logger="accounts.ratelimit"):
        response = client.post(
            reverse("account_login"), {"login": "reviewer@example.org", "password": PASSWORD}
        )

    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    assert "rate limit not applied" in caplog.text


def test_a_wrong_password_is_refused_with_redis_down(
    confirmed_user: Callable[[str], User],  # noqa: F811
    redis_down: RedisOutage,
    client: Client,
) -> None:
    confirmed_user("reviewer@example.org")

    response = client.post(
        reverse("account_login"), {"login": "reviewer@example.org", "password": "not-it-at-all"}
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "not correct" in response.text


def test_sign_up_works_with_redis_down(redis_down: RedisOutage, client: Client) -> None:
    response = client.post(
        reverse("account_signup"),
        {
            "full_name": "Amina Yusuf",
            "email": "amina.yusuf@example.org",
            "password1": "lantern-harbour-quietly",
            "password2": "lantern-harbour-quietly",
        },
    )

    assert response.status_code == 302
    assert User.objects.filter(email="amina.yusuf@example.org").exists()
    assert [m.to for m in mail.outbox] == [["amina.yusuf@example.org"]]


def test_password_reset_works_with_redis_down(
    confirmed_user: Callable[[str], User],  # noqa: F811
    redis_down: RedisOutage,
    client: Client,
) -> None:
    confirmed_user("reviewer@example.org")

    response = client.post(reverse("account_reset_password"), {"email": "reviewer@example.org"})

    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["reviewer@example.org"]]
