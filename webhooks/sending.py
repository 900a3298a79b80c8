"""One signed HTTP POST of a webhook (Standard Webhooks: `webhook-id`, `webhook-timestamp`,
`webhook-signature`, HMAC-SHA256 with the `standardwebhooks` library).

The request goes to the address `targets.resolve_target` vetted (the Host header and TLS name
stay the URL's host), never follows redirects and gives up after `WEBHOOKS_TIMEOUT_SECONDS`.
"""

import http.client
import socket
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from standardwebhooks import Webhook

from .targets import Target, TargetRefused, resolve_target

EXCERPT_CHARS = 500
USER_AGENT = "CompactPledgeTracker-Webhooks/1"


@dataclass(frozen=True)
class Outcome:
    status: int | None
    latency_ms: int
    excerpt: str
    error: str

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def signature_header(secrets: Sequence[str], *, message_id: str, body: str) -> tuple[str, str]:
    """(`webhook-timestamp`, `webhook-signature`) signed with each secret: during a rotation's
    overlap the header carries both signatures, space-separated, and either verifies."""
    now = timezone.now()
    signatures = [Webhook(s).sign(msg_id=message_id, timestamp=now, data=body) for s in secrets]
    return str(int(now.timestamp())), " ".join(signatures)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]  # set by HTTPSConnection


def post(url: str, *, message_id: str, body: str, secrets: Sequence[str]) -> Outcome:
    """POST `body` to `url`, signed; what happened, never an exception."""
    started = time.monotonic()

    def outcome(status: int | None, excerpt: str = "", error: str = "") -> Outcome:
        latency = int((time.monotonic() - started) * 1000)
        return Outcome(status, latency, excerpt[:EXCERPT_CHARS], error[:300])

    try:
        target = resolve_target(url)
    except TargetRefused as error:
        return outcome(None, error=str(error))
    timestamp, signature = signature_header(secrets, message_id=message_id, body=body)
    timeout = settings.WEBHOOKS_TIMEOUT_SECONDS
    connection: http.client.HTTPConnection = (
        _PinnedHTTPSConnection(target, timeout)
        if target.scheme == "https"
        else _PinnedHTTPConnection(target, timeout)
    )
    try:
        connection.request(
            "POST",
            target.path,
            body=body.encode(),
            headers={
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "webhook-id": message_id,
                "webhook-timestamp": timestamp,
                "webhook-signature": signature,
            },
        )
        response = connection.getresponse()
        excerpt = response.read(EXCERPT_CHARS * 4).decode("utf-8", "replace")
        return outcome(response.status, excerpt)
    except (OSError, http.client.HTTPException) as error:
        return outcome(None, error=f"{type(error).__name__}: {error}")
    finally:
        connection.close()
