import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_when_database_and_redis_answer(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}
    assert "no-cache" in response["Cache-Control"]


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_healthz_stays_up_but_says_degraded_when_redis_is_down(client: Client) -> None:
    # Pages, the API and writes keep working without Redis: a load balancer must not take
    # the site out of rotation, but monitoring should see it.
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["redis"] == "down"


@override_settings(REDIS_URL="")
def test_healthz_reports_redis_not_configured_in_the_zero_setup_demo(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["checks"]["redis"] == "not configured"


def test_healthz_refuses_writes(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
