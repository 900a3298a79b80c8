"""Only the secretariat reaches the reports: every page and download, as each of the cast."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = ["reports:report", "reports:report-xlsx", "reports:overdue-list", "reports:overdue-csv"]


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_log_in_when_opening_a_report(
    client: Client, gcr: Any, name: str
) -> None:
    url = reverse(name)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("name", PAGES)
def test_member_is_refused_when_opening_a_report(
    client: Client, member_a: Any, gcr: Any, name: str
) -> None:
    client.force_login(member_a)

    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_secretariat_gets_every_report(secretariat_client: Client, gcr: Any, name: str) -> None:
    assert secretariat_client.get(reverse(name)).status_code == 200


def test_nav_shows_reports_to_the_secretariat_only(
    client: Client, member_a: Any, secretariat: Any, gcr: Any
) -> None:
    client.force_login(member_a)
    assert reverse("reports:report") not in client.get(reverse("pledges:home")).text

    client.force_login(secretariat)
    home = client.get(reverse("pledges:home")).text
    assert f'href="{reverse("reports:report")}"' in home
    report = client.get(reverse("reports:report")).text
    assert f'<a href="{reverse("reports:report")}" aria-current="page">Reports</a>' in report


def test_report_pages_load_the_print_stylesheet(secretariat_client: Client, gcr: Any) -> None:
    for name in ("reports:report", "reports:overdue-list"):
        page = secretariat_client.get(reverse(name)).text
        assert 'href="/static/css/reports.css"' in page
