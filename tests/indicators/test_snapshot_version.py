"""The dashboard's cache token changes exactly when snapshots are written (and committed), and
its absence when Redis is down means "do not cache", not an error."""

import pytest
from django.core.cache import caches
from django.test import override_settings

from compacts.models import Compact
from indicators import engine, snapshot_version

DEAD_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


@pytest.mark.django_db(transaction=True)
def test_writing_snapshots_gives_a_new_token_once_committed(reference_data: None) -> None:
    before = snapshot_version.current()
    assert before == snapshot_version.current()  # stable while nothing is written

    engine.recompute_compacts(list(Compact.objects.values_list("pk", flat=True)))

    after = snapshot_version.current()
    assert after is not None
    assert after != before


@pytest.mark.django_db
def test_a_rolled_back_write_keeps_the_token(reference_data: None) -> None:
    before = snapshot_version.current()

    # Inside the test's transaction nothing commits: the token must not move.
    engine.recompute_compacts(list(Compact.objects.values_list("pk", flat=True)))

    assert snapshot_version.current() == before


def test_an_unreachable_cache_yields_no_token_instead_of_an_error() -> None:
    with override_settings(CACHES=DEAD_REDIS):
        caches["default"].close()
        assert snapshot_version.current() is None
        snapshot_version._bump()  # logged, not raised
