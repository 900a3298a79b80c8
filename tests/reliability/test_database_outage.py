"""A database outage answers a clear 503 — a page for people, the API's error shape for
programs, both with Retry-After — never a stack trace; /healthz tells the two backends apart."""

from typing import Any

import pytest
from django.test import Client, override_settings

from .conftest import DatabaseOutage

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def quiet_client() -> Client:
    """A client that returns the response instead of re-raising the server's exception, as a
    browser would see it."""
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("path", ["/", "/pledges/", "/pledges/GRF23-00001/", "/objectives/GCM/23/"])
def test_public_pages_answer_a_503_page_without_a_stack_trace_when_the_database_is_down(
    quiet_client: Client, database_down: DatabaseOutage, path: str
) -> None:
    response = quiet_client.get(path)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "<h1>Temporarily unavailable</h1>" in page
    assert "try again in 30 seconds" in page
    for leak in ("Traceback", "OperationalError", "psycopg", "connection", "5432"):
        assert leak not in page


@override_settings(DEBUG=True)
def test_no_debug_page_either_when_debug_is_on(
    quiet_client: Client, database_down: DatabaseOutage
) -> None:
    response = quiet_client.get("/pledges/")

    assert response.status_code == 503
    assert "Traceback" not in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/api/v1/pledges/", "/api/v1/compacts/", "/api/v1/progress/?compact=GCR"]
)
def test_api_answers_503_in_the_one_error_shape_when_the_database_is_down(
    quiet_client: Client, database_down: DatabaseOutage, path: str
) -> None:
    response = quiet_client.get(path, HTTP_ACCEPT="application/json")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.json()
    assert set(body) == {"status", "code", "detail", "errors"}
    assert (body["status"], body["code"], body["errors"]) == (503, "service_unavailable", {})
    assert "Try again" in body["detail"]


def test_writes_answer_503_and_a_signed_in_session_gets_the_page_too(
    quiet_client: Client, member_a: Any, outage: DatabaseOutage
) -> None:
    # Logged in while the database was up; the session row is then out of reach.
    quiet_client.force_login(member_a)
    outage.start()

    page = quiet_client.get("/my/")
    api = quiet_client.post("/api/v1/pledges/", {"title": "x"}, content_type="application/json")

    assert page.status_code == 503
    assert "Temporarily unavailable" in page.content.decode()
    assert api.status_code == 503
    assert api.json()["code"] == "service_unavailable"


def test_pages_work_again_once_the_database_is_back(
    quiet_client: Client, database_down: DatabaseOutage
) -> None:
    assert quiet_client.get("/").status_code == 503
    database_down.end()

    assert quiet_client.get("/").status_code == 200


def test_healthz_is_503_with_the_database_down_and_reports_redis_apart(
    client: Client, database_down: DatabaseOutage
) -> None:
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {"status": "error", "checks": {"database": "down", "redis": "ok"}}


def test_healthz_stays_200_with_redis_down_because_the_site_still_serves(
    client: Client, dead_redis_url: str
) -> None:
    with override_settings(REDIS_URL=dead_redis_url):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "checks": {"database": "ok", "redis": "down"}}
