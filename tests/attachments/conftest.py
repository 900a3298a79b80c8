"""Fixtures of the attachment tests: pledges to attach to, a stand-in clamd speaking the real
INSTREAM protocol on a Unix socket, and moto's S3 server on loopback."""

import shutil
import socket
import socketserver
import struct
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from pledges.models import Entity, Pledge, PledgeUpdate, ReviewState
from tests.factories import PledgeRows, PledgeUpdateFactory

from . import files


@pytest.fixture(autouse=True)
def _empty_media(settings: Any) -> Iterator[Path]:
    """Each test starts with an empty local attachments storage."""
    root = Path(settings.STORAGES["attachments"]["OPTIONS"]["location"])
    shutil.rmtree(root, ignore_errors=True)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def stored_files() -> list[Path]:
    """Every file in the local attachments storage."""
    root = Path(settings.STORAGES["attachments"]["OPTIONS"]["location"])
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def upload(content: bytes = files.PDF, name: str = "agreement.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.fixture
def pledges(reference_data: None, entity_a: Entity) -> dict[str, Pledge]:
    rows = PledgeRows(first=70001)
    return {
        "draft": rows(state=ReviewState.DRAFT, entity=entity_a, title="A's draft"),
        "published": rows(entity=entity_a, title="A's published pledge"),
    }


@pytest.fixture
def pending_update(pledges: dict[str, Pledge], member_a: User) -> PledgeUpdate:
    return PledgeUpdateFactory(pledge=pledges["published"], submitted_by=member_a)


class _Clamd(socketserver.BaseRequestHandler):
    """clamd's INSTREAM: `nINSTREAM\\n`, then chunks (4-byte big-endian length, bytes) ended
    by a zero length; the answer is `stream: OK` or `stream: <signature> FOUND`."""

    def handle(self) -> None:
        stream = self.request.makefile("rb")
        command = stream.readline()
        if command.strip() not in (b"nINSTREAM", b"zINSTREAM"):
            self.request.sendall(b"UNKNOWN COMMAND\n")
            return
        data = bytearray()
        while (length := struct.unpack("!L", stream.read(4))[0]) > 0:
            data += stream.read(length)
        if files.EICAR in data:
            self.request.sendall(b"stream: Win.Test.EICAR_HDB-1 FOUND\n")
        else:
            self.request.sendall(b"stream: OK\n")


@pytest.fixture(scope="session")
def clamd_socket() -> Iterator[str]:
    """The path of a Unix socket on which a clamd stand-in answers INSTREAM."""
    folder = tempfile.mkdtemp(prefix="clamd-")
    path = f"{folder}/clamd.ctl"
    server = socketserver.ThreadingUnixStreamServer(path, _Clamd)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield path
    server.shutdown()
    server.server_close()
    shutil.rmtree(folder, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's server mode on loopback: a real S3-compatible HTTP endpoint for the session."""
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


S3_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture
def s3_bucket(s3_endpoint: str) -> Any:
    """A fresh bucket on the moto server (a boto3 Bucket, to look inside it)."""
    s3 = boto3.resource("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **S3_CREDENTIALS)
    bucket = s3.Bucket(f"attachments-{_free_port()}")
    bucket.create()
    return bucket
