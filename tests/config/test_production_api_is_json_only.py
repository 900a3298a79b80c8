"""In production the API answers JSON, even to a browser: no browsable API (people read
/api/docs/). Run under the real production settings in a child process (issue 14, item 8)."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

PROBE = """
import json, sys, django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings
# Only the static files' manifest (made by collectstatic at deploy time) is swapped out.
static = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
c = Client(HTTP_HOST="pledges.example.org")
answers = {}
with override_settings(STORAGES=static):
    for path, accept in json.loads(sys.argv[1]):
        r = c.get(path, HTTP_ACCEPT=accept)
        answers[path + " " + accept] = [r.status_code, r["Content-Type"], r.content.decode()]
print(json.dumps(answers))
"""


def _production_get(*requests: tuple[str, str]) -> dict[str, tuple[int, str, str]]:
    db = connection.settings_dict  # the test database: migrated, readable from another process
    dropped = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        ALLOWED_HOSTS="pledges.example.org",
        SECRET_KEY=secrets.token_urlsafe(64),
        SECURE_SSL_REDIRECT="false",
        # With the password: make test's embedded PostgreSQL asks for one over TCP.
        DATABASE_URL=f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(requests)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    return {key: (status, ctype, body) for key, (status, ctype, body) in answers.items()}


def test_a_browser_gets_json_from_the_api_in_production() -> None:
    answers = _production_get(
        ("/api/v1/pledges/", BROWSER_ACCEPT),
        ("/api/v1/pledges/?format=api", BROWSER_ACCEPT),
        ("/api/v1/pledges/", "text/html"),
        ("/api/docs/", BROWSER_ACCEPT),
    )

    status, ctype, body = answers[f"/api/v1/pledges/ {BROWSER_ACCEPT}"]
    assert (status, ctype) == (200, "application/json")
    assert json.loads(body)["results"] == []
    # The browsable API is not there to ask for, by name or by Accept.
    status, ctype, body = answers[f"/api/v1/pledges/?format=api {BROWSER_ACCEPT}"]
    assert (status, ctype) == (404, "application/json")
    assert "<html" not in body
    status, ctype, body = answers["/api/v1/pledges/ text/html"]
    assert (status, ctype) == (406, "application/json")
    assert "<html" not in body
    # People read the API documentation instead.
    status, ctype, body = answers[f"/api/docs/ {BROWSER_ACCEPT}"]
    assert status == 200
    assert ctype.startswith("text/html")
