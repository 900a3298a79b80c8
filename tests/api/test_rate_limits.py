"""The API's rate limits as a caller meets them: a moving window (a refused caller gets in again
once its oldest counted request is older than the window, and `Retry-After` says when), counted
per caller, and kept in the cache's Redis under the cache's own key prefix."""

import datetime as dt
from typing import Any

import pytest
import redis
import time_machine
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

pytestmark = pytest.mark.django_db

URL = "/api/v1/compacts/"
START = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def two_a_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    # DRF copies the rates onto the class at import: patch them there.
    rates = {**SimpleRateThrottle.THROTTLE_RATES, "anon": "2/minute"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)


def test_a_refused_caller_is_let_in_again_as_its_oldest_request_leaves_the_window(
    reference_data: None, two_a_minute: None
) -> None:
    api = APIClient()
    with time_machine.travel(START, tick=False) as traveller:
        first = api.get(URL).status_code
        traveller.shift(dt.timedelta(seconds=20))
        second = api.get(URL).status_code
        traveller.shift(dt.timedelta(seconds=10))
        refused = api.get(URL)
        traveller.shift(dt.timedelta(seconds=31))  # the first request is now 61 s old
        again = api.get(URL).status_code
        still_refused = api.get(URL)

    assert (first, second, refused.status_code, again) == (200, 200, 429, 200)
    # The first request leaves the window 60 s after it was made: 30 s after the refusal.
    assert int(refused["Retry-After"]) == 30
    # The second request (41 s old) and the one let in again still fill the window; the
    # second leaves it 60 s after it was made, 19 s from now.
    assert still_refused.status_code == 429
    assert int(still_refused["Retry-After"]) == 19


def test_callers_are_counted_apart(reference_data: None, two_a_minute: None) -> None:
    api = APIClient()
    for _ in range(2):
        api.get(URL, REMOTE_ADDR="192.0.2.1")

    assert api.get(URL, REMOTE_ADDR="192.0.2.1").status_code == 429
    assert api.get(URL, REMOTE_ADDR="192.0.2.2").status_code == 200


def test_the_counts_live_under_the_cache_s_key_prefix(
    reference_data: None, two_a_minute: None
) -> None:
    """So that clearing this cache's keys (as every test's set-up does) clears them, and two
    deployments sharing one Redis with their own prefixes never count each other's requests."""
    APIClient().get(URL)

    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    keys = [k.decode() for k in client.scan_iter(match="*throttle*", count=1000)]
    ours = [k for k in keys if k.startswith(cache.make_key(""))]
    client.close()
    assert ours
    assert any("anon" in k for k in ours)


def test_without_redis_the_limits_are_counted_in_the_process(
    reference_data: None, two_a_minute: None, settings: Any
) -> None:
    """The zero-setup demo runs without Redis: its in-process cache, and the limits with it."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    api = APIClient()

    statuses = [api.get(URL).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
