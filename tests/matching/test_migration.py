"""matching 0002: the old `matches` links become accepted matches decided by "migration", and
the links are gone; other kinds of link stay."""

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from matching.models import Decision, Match, MatchState
from pledges.models import PledgeLink
from tests.factories import PledgeFactory

pytestmark = pytest.mark.django_db

BEFORE = [("matching", "0001_initial")]
AFTER = [("matching", "0002_matches_from_links")]
MADE = dt.datetime(2023, 12, 14, 12, tzinfo=dt.UTC)


def _migrate(targets: list[tuple[str, str]]) -> None:
    with connection.cursor() as cursor:  # no pending trigger events while tables are altered
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    MigrationExecutor(connection).migrate(targets)
    with connection.cursor() as cursor:  # see tests/models/test_exchange_rate_moves_to_core.py
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_matches_links_become_accepted_matches(entity_a: Any) -> None:
    # Made with today's models: migrating matching back also takes back the later pledges
    # migrations that depend on it, and the factories know only today's columns.
    donor = PledgeFactory(review_state="published")
    host = PledgeFactory(entity=entity_a, review_state="published")
    other = PledgeFactory(review_state="published")
    _migrate(BEFORE)
    PledgeLink.objects.create(source=donor, target=host, kind="matches")
    PledgeLink.objects.filter(source=donor).update(created_at=MADE)
    PledgeLink.objects.create(source=other, target=host, kind="contributes_to")

    _migrate(AFTER)

    match = Match.objects.get()
    assert (match.seeking_id, match.offering_id, match.state) == (
        host.pk,
        donor.pk,
        MatchState.ACCEPTED,
    )
    assert (match.seeking_decision, match.offering_decision) == (Decision.ACCEPTED,) * 2
    assert (match.seeking_decided_at, match.offering_decided_at) == (MADE, MADE)
    assert match.seeking_decided_by is None
    assert match.note == "migration"
    assert "migration" in match.seeking_message
    assert list(PledgeLink.objects.values_list("kind", flat=True)) == ["contributes_to"]
    assert Match.objects.public().get() == match  # both published: shown on both pages

    _migrate(BEFORE)  # and back

    assert not Match.objects.exists()
    assert PledgeLink.objects.filter(source=donor, target=host, kind="matches").exists()
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
