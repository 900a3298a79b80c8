"""The shipped docker-compose stack: a client cannot dodge the per-IP limits by sending its own
X-Forwarded-For. nginx (deploy/nginx.conf) is the only published service and replaces the header
with the address that connected to it; the app trusts exactly that one proxy. The shipped nginx
configuration is run for real in front of the test server (issue 14, item 5)."""

import re
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import User
from tests.security.conftest import confirmed_user  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
NGINX_CONF = (ROOT / "deploy" / "nginx.conf").read_text()
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def _proxies() -> list[str]:
    return [n for n, s in COMPOSE["services"].items() if "nginx" in s.get("image", "")]


def _shipped_proxy_count() -> int:
    counts = {
        s["environment"].get("TRUSTED_PROXY_COUNT")
        for n, s in COMPOSE["services"].items()
        if s.get("environment", {}).get("DJANGO_SETTINGS_MODULE")
    }
    assert len(counts) == 1, counts  # web, worker and beat share one environment
    return int(counts.pop())


def test_only_the_proxy_is_published_and_the_app_trusts_exactly_it() -> None:
    services = COMPOSE["services"]

    assert {name for name, s in services.items() if s.get("ports")} == set(_proxies())
    assert _proxies() == ["proxy"]
    assert _shipped_proxy_count() == len(_proxies())
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in services["proxy"]["volumes"]
    # nginx forwards to gunicorn's address inside the stack.
    assert re.search(r"server\s+web:8000\b", NGINX_CONF)
    assert "--bind 0.0.0.0:8000" in services["web"]["command"]


def test_nginx_replaces_the_forwarded_headers_instead_of_passing_them_on() -> None:
    headers = dict(re.findall(r"^\s*proxy_set_header\s+(\S+)\s+(.+?);", NGINX_CONF, re.M))

    assert headers["X-Forwarded-For"] == "$remote_addr"
    assert headers["X-Forwarded-Proto"] == "$scheme"
    assert "$proxy_add_x_forwarded_for" not in NGINX_CONF  # would append to a forged header


def test_the_image_on_its_own_trusts_no_forwarded_header() -> None:
    assert re.search(r"^ENV TRUSTED_PROXY_COUNT=0$", (ROOT / "Dockerfile").read_text(), re.M)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def nginx_in_front(live_server: Any, tmp_path: Path) -> Iterator[str]:
    """The shipped deploy/nginx.conf, with gunicorn's address swapped for the test server's and
    a loopback port to listen on; the base URL to send requests to."""
    if NGINX is None:
        pytest.skip("nginx not installed (scripts/ensure_system_packages.sh installs it)")
    port = _free_port()
    upstream = live_server.url.removeprefix("http://")
    # The upstream's instances (web, web-2) become the one test server.
    server = re.sub(r"(\s*server web[\w-]*:8000[^;]*;)+", f"\n    server {upstream};", NGINX_CONF)
    server = server.replace("listen 80;", f"listen 127.0.0.1:{port};")
    temp = "\n".join(
        f"  {kind}_temp_path {tmp_path}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"daemon off;\nworker_processes 1;\npid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\nevents {{ worker_connections 64; }}\n"
        f"http {{\n  access_log off;\n{temp}\n{server}\n}}\n"
    )
    proc = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-c", str(conf), "-e", f"{tmp_path}/error.log"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start: {proc.stderr.read()!r}") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def shipped_proxy_count(settings: Any) -> int:
    """The app's settings as the stack sets them (config/settings/production.py reads
    TRUSTED_PROXY_COUNT into both allauth's and DRF's setting)."""
    count = _shipped_proxy_count()
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = count
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": count}
    return count


def _log_in(session: requests.Session, base: str, email: str, forged_ip: str) -> str:
    session.get(f"{base}/accounts/login/", timeout=10)
    response = session.post(
        f"{base}/accounts/login/",
        data={
            "login": email,
            "password": "not-the-password",
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"X-Forwarded-For": forged_ip, "Referer": f"{base}/accounts/login/"},
        timeout=10,
    )
    assert response.status_code == 200, response.status_code
    return "too many" if "Too many failed login attempts" in response.text else "refused"


@pytest.mark.django_db(transaction=True)
def test_forged_addresses_count_against_the_real_one_for_failed_log_ins(
    nginx_in_front: str,
    shipped_proxy_count: int,
    settings: Any,
    confirmed_user: Callable[[str], User],  # noqa: F811
) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed_ip": "3/h/ip"}
    for n in range(4):
        confirmed_user(f"target{n}@example.org")
    sprayer = requests.Session()

    # One wrong password per account (no account nears its own limit), each "from" a new address.
    answers = [
        _log_in(sprayer, nginx_in_front, f"target{n}@example.org", f"198.51.100.{n + 1}")
        for n in range(4)
    ]

    assert answers == ["refused", "refused", "refused", "too many"]


@pytest.mark.django_db(transaction=True)
def test_forged_addresses_count_against_the_real_one_for_the_anonymous_api_rate(
    nginx_in_front: str, shipped_proxy_count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DRF copies the rates onto the class at import: patch them there.
    rates = {**SimpleRateThrottle.THROTTLE_RATES, "anon": "3/hour"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)

    statuses = [
        requests.get(
            f"{nginx_in_front}/api/v1/compacts/",
            headers={"X-Forwarded-For": f"198.51.100.{n + 1}", "Accept": "application/json"},
            timeout=10,
        ).status_code
        for n in range(4)
    ]

    assert statuses == [200, 200, 200, 429]
