"""A real HTTP receiver on loopback for the webhook tests, started once per module, that
records each request (headers and body) and answers with the status the test chooses; it can be
killed and started again on the same port."""

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    port: int = 0
    status: int = 204
    received: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/cpt"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                receiver.received.append(
                    Received(self.path, dict(self.headers), self.rfile.read(length))
                )
                self.send_response(receiver.status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"received" if receiver.status < 300 else b"not today")

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def kill(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture(scope="module")
def receiver_server() -> Iterator[Receiver]:
    receiver = Receiver()
    receiver.start()
    yield receiver
    receiver.kill()


@pytest.fixture
def receiver(receiver_server: Receiver, settings: Any) -> Iterator[Receiver]:
    """The running receiver, emptied, answering 204; loopback targets allowed, tiny delays."""
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOKS_RETRY_SCHEDULE = [0.01, 0.02, 0.04]
    settings.WEBHOOKS_TIMEOUT_SECONDS = 2
    receiver_server.received.clear()
    receiver_server.status = 204
    if receiver_server._server is None:
        receiver_server.start()
    yield receiver_server
    if receiver_server._server is None:  # a test killed it: the next one gets it back
        receiver_server.start()
