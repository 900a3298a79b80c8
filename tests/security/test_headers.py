"""Security headers: the Content-Security-Policy on every HTML page, and in production HSTS,
secure cookies and the HTTPS redirect behind a reverse proxy (docs/security.md, "Headers")."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def _policy(header: str) -> dict[str, list[str]]:
    directives = (part.strip().split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


@pytest.mark.parametrize("path", ["/", "/pledges/", "/accounts/login/", "/accounts/signup/"])
def test_html_pages_carry_a_strict_content_security_policy_when_served(
    client: Client, reference_data: None, path: str
) -> None:
    response = client.get(path)

    assert response.status_code == 200
    policy = _policy(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_api_answers_carry_the_policy_too_when_read(client: Client, reference_data: None) -> None:
    response = client.get("/api/v1/compacts/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


# Run in a child process: production settings are a different settings module.
PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings
# Only the static files' manifest (made by collectstatic at deploy time) is swapped out.
static = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
c = Client()
with override_settings(STORAGES=static):
    plain = c.get("/accounts/login/", HTTP_HOST="pledges.example.org")
    proxied = c.get("/accounts/login/", HTTP_HOST="pledges.example.org",
                    HTTP_X_FORWARDED_PROTO="https")
cookie = proxied.cookies["csrftoken"]
print(json.dumps({
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location", ""),
    "status": proxied.status_code,
    "hsts": proxied.get("Strict-Transport-Security", ""),
    "coop": proxied.get("Cross-Origin-Opener-Policy", ""),
    "csp": proxied.get("Content-Security-Policy", ""),
    "csrf_secure": bool(cookie["secure"]),
    "csrf_samesite": cookie["samesite"],
}))
print(json.dumps({"session_secure": settings.SESSION_COOKIE_SECURE,
                  "session_httponly": settings.SESSION_COOKIE_HTTPONLY,
                  "allauth_proxies": settings.ALLAUTH_TRUSTED_PROXY_COUNT,
                  "drf_proxies": settings.REST_FRAMEWORK["NUM_PROXIES"]}))
"""


def test_production_redirects_to_https_and_sends_hsts_and_secure_cookies_behind_a_proxy() -> None:
    dropped = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        ALLOWED_HOSTS="pledges.example.org",
        SECRET_KEY=secrets.token_urlsafe(64),
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answers, config = (json.loads(line) for line in result.stdout.strip().splitlines()[-2:])

    assert answers["plain_status"] == 301
    assert answers["plain_location"] == "https://pledges.example.org/accounts/login/"
    assert answers["status"] == 200
    assert answers["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert answers["coop"] == "same-origin"
    assert "frame-ancestors 'none'" in answers["csp"]
    assert answers["csrf_secure"]
    assert answers["csrf_samesite"] == "Lax"
    assert config == {
        "session_secure": True,
        "session_httponly": True,
        "allauth_proxies": 1,
        "drf_proxies": 1,
    }
