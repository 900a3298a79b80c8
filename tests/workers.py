"""Real Celery worker processes for tests: started on a test's own queue, stopped by the PID of
the celery process itself (never a broad kill), and checked to be gone afterwards."""

import os
import signal
import subprocess
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
CELERY = ROOT / ".venv" / "bin" / "celery"
WORKER_READY_SECONDS = 30


def processes_mentioning(marker: str) -> list[int]:
    """PIDs of live processes whose command line contains `marker` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue  # it ended while we looked
        if marker.encode() in cmdline:
            found.append(int(entry.name))
    return found


def database_url() -> str:
    """The test database pytest-django created, as a worker must see it."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or "5432"
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


class Workers:
    """The worker processes one test started on its queue `queue`."""

    def __init__(self, queue: str, log_dir: Path) -> None:
        self.queue = queue
        self.log_dir = log_dir
        self.started: list[subprocess.Popen[bytes]] = []

    def start(
        self,
        *,
        app: str = "config",
        pool: tuple[str, ...] = ("--concurrency", "1"),
        name: str = "worker",
    ) -> int:
        """Start `celery -A app worker` on the queue and wait until it is ready; its PID."""
        log_path = self.log_dir / f"{name}.log"
        # Not PYTEST_XDIST_WORKER: the test settings would move REDIS_URL once more.
        environ = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}
        env = {
            **environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
        }
        command = [
            str(CELERY),
            *("-A", app, "worker", "-l", "info", *pool, "-Q", self.queue),
            *("-n", f"{name}-{self.queue}@%h"),
            # No broadcast chatter with other workers: faster start, and theirs stay theirs.
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        ]
        log = log_path.open("wb")
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        self.started.append(process)
        deadline = time.monotonic() + WORKER_READY_SECONDS
        while b" ready." not in log_path.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"The worker did not start:\n{log_path.read_text()}")
            time.sleep(0.1)
        return process.pid

    def stop_all(self) -> None:
        """Warm shutdown of each (finish the task in hand), then make sure none is left."""
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()  # the same PID, never a broad kill
                    process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while processes_mentioning(self.queue) and time.monotonic() < deadline:
            time.sleep(0.1)  # prefork children exit just after their parent
        assert processes_mentioning(self.queue) == [], "a worker process is still running"
