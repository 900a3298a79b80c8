"""Several web instances (issue 23, scale-out item 2): two gunicorn instances behind a real nginx
running the shipped deploy/nginx.conf (its upstream's two servers pointed at them), and a
journey — log in, open a workspace page, submit a form — whose requests the round-robin upstream
spreads over both. It works because nothing a request needs lives in one instance: the session
is in PostgreSQL, the cache (log-in limits) in Redis."""

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from django.conf import settings

from accounts.models import User
from pledges.models import PledgeLink, ReviewState
from tests.factories import MembershipFactory, PledgeFactory
from tests.security.conftest import confirmed_user  # noqa: F401
from tests.workers import database_url

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
READY_SECONDS = 60
PASSWORD = "test-pass-2026"

pytestmark = pytest.mark.xdist_group("two-instances")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while True:
        try:
            if requests.get(url, timeout=10).status_code < 500:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{url} did not answer:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)


def _nginx_conf(tmp: Path, port: int, upstreams: list[int]) -> Path:
    shipped = (ROOT / "deploy" / "nginx.conf").read_text()
    servers = ["server web:8000 ", "server web-2:8000 "]
    assert all(s in shipped for s in servers), "deploy/nginx.conf names web and web-2"
    for server, upstream in zip(servers, upstreams, strict=True):
        shipped = shipped.replace(server, f"server 127.0.0.1:{upstream} ")
    shipped = shipped.replace("listen 80;", f"listen 127.0.0.1:{port};")
    temp = "\n".join(
        f"  {kind}_temp_path {tmp}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = tmp / "nginx.conf"
    conf.write_text(
        f"daemon off;\nworker_processes 1;\npid {tmp}/nginx.pid;\n"
        f"error_log {tmp}/error.log;\nevents {{ worker_connections 64; }}\n"
        f"http {{\n  access_log {tmp}/access.log;\n{temp}\n{shipped}\n}}\n"
    )
    return conf


def _served(logs: list[Path], *, expected: int) -> list[list[str]]:
    """Each instance's logged page requests, once `expected` are logged in all or after 5 s:
    gunicorn writes a request's access line after sending its response, so the client can read
    the logs before the last line is there."""
    deadline = time.monotonic() + 5
    while True:
        served = [
            [
                line
                for line in log.read_text().splitlines()
                if re.search(r'"(GET|POST) /(?!healthz)', line)
            ]
            for log in logs
        ]
        if sum(map(len, served)) >= expected or time.monotonic() > deadline:
            return served
        time.sleep(0.05)


@pytest.fixture
def stack(transactional_db: None, tmp_path: Path) -> Iterator[tuple[str, list[Path]]]:
    """nginx's base URL, and each instance's access log."""
    if NGINX is None:
        pytest.skip("nginx not installed (scripts/ensure_system_packages.sh installs it)")
    environ = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}
    env = {
        **environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CACHE_URL": settings.CACHES["default"]["LOCATION"],
    }
    started: list[subprocess.Popen[bytes]] = []
    ports = [_free_port(), _free_port()]
    logs = [tmp_path / f"web-{n}.access.log" for n in (1, 2)]
    try:
        for port, access in zip(ports, logs, strict=True):
            output = (tmp_path / f"{access.stem}.out").open("wb")
            command = [
                str(GUNICORN),
                *("config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"),
                *("--access-logfile", str(access)),
            ]
            started.append(
                subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
            )
        for port, process, access in zip(ports, started, logs, strict=True):
            _wait_for(f"http://127.0.0.1:{port}/healthz", process, tmp_path / f"{access.stem}.out")
        nginx_port = _free_port()
        conf = _nginx_conf(tmp_path, nginx_port, ports)
        nginx_log = tmp_path / "nginx.out"
        with nginx_log.open("wb") as out:
            started.append(
                subprocess.Popen(
                    [NGINX, "-p", str(tmp_path), "-c", str(conf), "-e", f"{tmp_path}/error.log"],
                    stdout=out,
                    stderr=out,
                )
            )
        _wait_for(f"http://127.0.0.1:{nginx_port}/healthz", started[-1], nginx_log)
        yield f"http://127.0.0.1:{nginx_port}", logs
    finally:
        for process in reversed(started):  # our own PIDs only
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def test_a_journey_is_served_by_both_instances_in_turn(
    stack: tuple[str, list[Path]],
    confirmed_user: Callable[[str], User],  # noqa: F811
) -> None:
    base, logs = stack
    user = confirmed_user("editor@example.org")
    entity = MembershipFactory(user=user).entity
    draft = PledgeFactory(entity=entity, title="Schools for all")
    other = PledgeFactory(review_state=ReviewState.PUBLISHED, title="Host policy")
    browser = requests.Session()

    def post(path: str, data: dict[str, str]) -> requests.Response:
        data = {**data, "csrfmiddlewaretoken": browser.cookies["csrftoken"]}
        return browser.post(f"{base}{path}", data=data, headers={"Referer": base + path})

    browser.get(f"{base}/accounts/login/", timeout=10)
    logged_in = post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    workspace = browser.get(f"{base}/pledges/{draft.reference}/", timeout=10)
    linked = post(
        f"/pledges/{draft.reference}/links/", {"reference": other.reference, "kind": "supersedes"}
    )

    assert logged_in.status_code == 200
    assert logged_in.history
    assert workspace.status_code == 200
    assert "Schools for all" in workspace.text
    assert linked.status_code == 200
    assert f"Linked: {draft.reference} supersedes {other.reference}." in linked.text
    assert PledgeLink.objects.filter(source=draft, target=other).exists()
    sent = 1 + len(logged_in.history) + 1 + 1 + len(linked.history) + 1
    served = _served(logs, expected=sent)
    assert len(served[0]) + len(served[1]) == sent
    # Round robin: each instance took half of the journey, the log-in and its form included.
    assert abs(len(served[0]) - len(served[1])) <= 1
