"""pledges 0021 on real data: existing pledges keep their forum, and every existing progress
update is attributed to its pledge's entity."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from pledges.models import Pledge, PledgeUpdate

pytestmark = pytest.mark.django_db

BEFORE = [
    ("pledges", "0020_link_kinds_moved_to_matches_and_memberships"),
    ("forums", "0004_goals_participation_to_official_figures"),
]
AFTER = [("pledges", "0021_rounds_reaffirmations_co_pledger_updates")]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return executor


def test_updates_are_attributed_to_the_pledge_s_entity_and_forums_are_kept(
    reference_data: None,
) -> None:
    old = _migrate(BEFORE).loader.project_state(BEFORE).apps
    forum = old.get_model("forums", "Forum").objects.get(code="GRF23")
    entity_type = old.get_model("pledges", "EntityType").objects.first()
    entity = old.get_model("pledges", "Entity").objects.create(
        name="Old entity", entity_type=entity_type, name_skeleton="old", cased_name_skeleton="Old"
    )
    pledge = old.get_model("pledges", "Pledge").objects.create(
        reference="GRF23-09999",
        title="Old pledge",
        description="From before rounds.",
        compact_id=forum.compact_id,
        forum=forum,
        entity=entity,
    )
    old.get_model("pledges", "PledgeUpdate").objects.create(
        pledge=pledge, status="planning", narrative="Old news", reported_on=dt.date(2024, 1, 1)
    )

    _migrate(AFTER)
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    kept = Pledge.objects.get(reference="GRF23-09999")
    assert kept.forum is not None
    assert kept.forum.code == "GRF23"
    update = PledgeUpdate.objects.get(pledge=kept)
    assert update.entity_id == kept.entity_id
    assert update.round is None
