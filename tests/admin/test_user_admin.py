"""The site admin creates sign-in accounts, which are keyed by e-mail address."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADD_USER = reverse("admin:accounts_user_add")


def new_user_data(**changes: str) -> dict[str, str]:
    data = {
        "email": "Amina.Diallo@Example.org",
        "full_name": "Amina Diallo",
        "usable_password": "true",
        "password1": "long-enough-pass-2026",
        "password2": "long-enough-pass-2026",
    }
    data.update(changes)
    return data


def test_user_can_sign_in_when_created_with_email_and_password_in_admin(
    admin_client: Client,
) -> None:
    response = admin_client.post(ADD_USER, new_user_data())

    assert response.status_code == 302
    user = User.objects.get(email="amina.diallo@example.org")
    assert user.full_name == "Amina Diallo"
    assert user.check_password("long-enough-pass-2026")
    assert response["Location"] == reverse("admin:accounts_user_change", args=[user.pk])
    assert Client().login(email="amina.diallo@example.org", password="long-enough-pass-2026")


def test_second_account_is_refused_when_email_differs_only_in_case(admin_client: Client) -> None:
    UserFactory(email="amina.diallo@example.org")

    response = admin_client.post(ADD_USER, new_user_data(email="AMINA.DIALLO@example.org"))

    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert User.objects.filter(email__iexact="amina.diallo@example.org").count() == 1


def test_add_form_asks_for_email_not_username_when_site_admin_opens_it(
    admin_client: Client,
) -> None:
    response = admin_client.get(ADD_USER)

    fields = response.context["adminform"].form.fields
    assert "email" in fields
    assert "username" not in fields


def test_user_is_found_when_searching_by_full_name(admin_client: Client) -> None:
    wanted = UserFactory(email="focal@unhcr.example", full_name="Grace Wanjiru")
    other = UserFactory(email="other@example.org", full_name="Pedro Alves")

    response = admin_client.get(reverse("admin:accounts_user_changelist"), {"q": "wanjiru"})

    found = list(response.context["cl"].result_list)
    assert wanted in found
    assert other not in found


def test_password_can_be_reset_when_site_admin_uses_the_password_form(
    admin_client: Client,
) -> None:
    user = UserFactory(email="forgot@example.org")
    url = reverse("admin:auth_user_password_change", args=[user.pk])

    response = admin_client.post(
        url,
        {
            "usable_password": "true",
            "password1": "brand-new-pass-2026",
            "password2": "brand-new-pass-2026",
        },
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand-new-pass-2026")
