"""The change feed (issue 21, item 1): replaying it onto an empty copy gives exactly what a full
download of the public lists gives, after a randomized series of every kind of change, and a
stored cursor never misses a change that commits late (two connections committing out of
order). One test: each transactional test costs a flush and a reload of the reference data."""

import random
import threading

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from accounts.models import User
from changefeed.models import Change
from indicators import engine

from .conftest import LISTS, STEPS, Cast, build_cast, download, publish, pull

pytestmark = pytest.mark.django_db(transaction=True)
WAIT_SECONDS = 30
Copy = dict[tuple[str, str], str]


def _out_of_order(api: APIClient, cast: Cast, cursor: str, copy: Copy) -> str:
    """A slow transaction writes its change first (the smaller sequence id) and commits last;
    the partner syncs in between and stores its cursor; the slow change still arrives."""
    inserted, release = threading.Event(), threading.Event()
    box: dict[str, object] = {}

    def slow() -> None:
        try:
            with transaction.atomic():
                box["pledge"] = publish(cast, cast.entity_a, title="Slow pledge")
                inserted.set()
                assert release.wait(WAIT_SECONDS)
        except BaseException as error:  # handed to the test
            box["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=slow, daemon=True)
    thread.start()
    assert inserted.wait(WAIT_SECONDS)
    # Another compact: no lock in common with the slow one (its reference counter).
    fast = publish(cast, cast.entity_b, compact_code="GCM")
    cursor = pull(api, cursor, copy)
    assert ("pledge", fast.reference) not in copy, "served past a running transaction"
    release.set()
    thread.join(WAIT_SECONDS)
    assert "error" not in box, box.get("error")
    cursor = pull(api, cursor, copy)
    slow_reference = box["pledge"].reference  # type: ignore[attr-defined]
    assert {("pledge", slow_reference), ("pledge", fast.reference)} <= set(copy)
    return cursor


def test_replaying_the_feed_gives_the_full_download_after_random_changes(
    reference_data: None, secretariat: User
) -> None:
    api = APIClient()
    before = download(api)
    cast = build_cast(secretariat)
    copy: Copy = {}
    cursor = pull(api, "", copy)
    rng = random.Random(21)  # noqa: S311 -- a reproducible series, not a secret
    for round_ in range(2):
        for step in rng.sample(STEPS, len(STEPS)):
            step(cast, rng)
        if round_ == 0:
            cursor = _out_of_order(api, cast, cursor, copy)
        cursor = pull(api, cursor, copy)  # a partner syncing between bursts, cursor stored
    engine.recompute_objectives_each([cast.made[0].objectives.first().pk])  # type: ignore[union-attr]
    pull(api, cursor, copy)

    after = download(api)
    seen = {(c.resource, c.key) for c in Change.objects.all()}
    assert set(copy) == after & seen
    assert after - before <= seen, "a row appeared in a list without a feed entry"
    kinds = set(Change.objects.values_list("resource", "action"))
    assert {(r.value, "created") for r in LISTS if r.value != "multistakeholder_pledge"} <= kinds
    assert {("pledge", "removed"), ("pledge_update", "removed")} <= kinds
