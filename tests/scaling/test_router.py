"""The replica router's rules that need no server (the real replica: test_read_replica.py)."""

import pytest
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from config.db_router import (
    RECENT_WRITE_COOKIE,
    ReplicaRouter,
    ReplicaRouterMiddleware,
    reading_from,
)
from pledges.models import Pledge


def test_reads_follow_the_request_but_transactions_and_writes_stay_on_the_primary(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    router = ReplicaRouter()
    assert router.db_for_read(Pledge) == "default"  # outside a read-only request
    with reading_from("replica_0"):
        assert router.db_for_read(Pledge) == "replica_0"
        assert router.db_for_write(Pledge) == "default"
        monkeypatch.setattr(connections["default"], "in_atomic_block", True)
        assert router.db_for_read(Pledge) == "default"
    assert not router.allow_migrate("replica_0", "pledges")


def test_without_replicas_nothing_changes() -> None:
    seen: list[str | None] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(ReplicaRouter().db_for_read(Pledge))
        return HttpResponse()

    response = ReplicaRouterMiddleware(view)(RequestFactory().post("/"))

    assert seen == ["default"]
    assert RECENT_WRITE_COOKIE not in response.cookies
