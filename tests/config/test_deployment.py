"""The production shape: settings that refuse to start insecurely, pass `check --deploy`, and a
docker-compose file that validates."""

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # Browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never has it.
    dropped = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean_env = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean_env, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_when_secret_key_is_missing() -> None:
    result = run_manage(
        "check", DJANGO_SETTINGS_MODULE="config.settings.production", ALLOWED_HOSTS="example.org"
    )

    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_refuses_to_start_when_secret_key_is_the_development_default() -> None:
    result = run_manage(
        "check",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        ALLOWED_HOSTS="example.org",
        SECRET_KEY="insecure-dev-key-change-me",
    )

    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_passes_check_deploy_without_warnings_when_configured() -> None:
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        ALLOWED_HOSTS="pledges.example.org",
        SECRET_KEY=secrets.token_urlsafe(64),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_demo_settings_use_postgresql_and_inline_tasks_when_nothing_is_configured() -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE']); print(settings.CELERY_TASK_ALWAYS_EAGER);"
        "print(settings.DEBUG)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert result.stdout.split() == ["core.postgresql", "True", "True"]


compose = shutil.which("docker-compose")


@pytest.mark.skipif(compose is None, reason="docker-compose client not installed")
def test_docker_compose_file_validates_with_the_production_services() -> None:
    env = {**os.environ, "SECRET_KEY": secrets.token_urlsafe(64)}
    base = [compose or "docker-compose", "-f", str(ROOT / "docker-compose.yml")]

    check = subprocess.run(
        [*base, "config", "--quiet"], env=env, capture_output=True, text=True, check=False
    )
    services = subprocess.run(
        [*base, "config", "--services"], env=env, capture_output=True, text=True, check=True
    )
    volumes = subprocess.run(
        [*base, "config", "--volumes"], env=env, capture_output=True, text=True, check=True
    )

    assert check.returncode == 0, check.stderr
    assert set(services.stdout.split()) == {
        *("db", "redis", "migrate", "web", "web-2", "proxy", "beat"),
        *("worker", "worker-progress", "worker-imports"),
    }
    assert sorted(volumes.stdout.split()) == ["media", "pgdata"]


@pytest.mark.skipif(compose is None, reason="docker-compose client not installed")
def test_docker_compose_refuses_to_run_when_secret_key_is_unset() -> None:
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [compose or "docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr
