"""The virus-scanner hook: every upload is scanned before it is stored.

`settings.ATTACHMENT_SCANNER` names a callable `scan(file) -> Verdict` (a dotted path). The
default, `clamd_scan`, streams the file to ClamAV's clamd over its INSTREAM protocol (the
clamav-client library) when `CLAMD_SOCKET` (a Unix socket path) or `CLAMD_HOST` (with
`CLAMD_PORT`) is set, and passes every file when neither is. A scanner that cannot give an answer
raises `ScannerUnavailable`: the upload is then refused ("try again later"), never let through
unscanned.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, BinaryIO, cast

from clamav_client.clamd import ClamdError, ClamdNetworkSocket, ClamdUnixSocket
from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Verdict:
    """What a scanner says of a file: clean, or infected with `signature`."""

    infected: bool = False
    signature: str = ""


CLEAN = Verdict()


class ScannerUnavailable(Exception):
    """The scanner could not say whether the file is clean."""


Scanner = Callable[[IO[bytes]], Verdict]


def scanner() -> Scanner:
    """The configured scanner."""
    found: Scanner = import_string(settings.ATTACHMENT_SCANNER)
    return found


def clamd_scan(file: IO[bytes]) -> Verdict:
    """Ask clamd (INSTREAM) about `file`, if a clamd is configured; clean otherwise."""
    if settings.CLAMD_SOCKET:
        client: ClamdNetworkSocket = ClamdUnixSocket(
            path=settings.CLAMD_SOCKET, timeout=int(settings.CLAMD_TIMEOUT)
        )
    elif settings.CLAMD_HOST:
        client = ClamdNetworkSocket(
            host=settings.CLAMD_HOST, port=settings.CLAMD_PORT, timeout=settings.CLAMD_TIMEOUT
        )
    else:
        return CLEAN
    file.seek(0)
    try:
        answer = client.instream(cast(BinaryIO, file))
    except (ClamdError, OSError) as error:
        raise ScannerUnavailable(str(error)) from error
    finally:
        file.seek(0)
    status, signature = answer.get("stream", ("ERROR", "no answer"))
    if status == "OK":
        return CLEAN
    if status == "FOUND":
        return Verdict(infected=True, signature=signature or "")
    raise ScannerUnavailable(f"clamd answered {status}: {signature}")
