"""goals 0002 moved the forums' bare participation columns into official figures (and forums
0004 dropped the columns): the numbers survive, with the source where it is known."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from goals.models import OfficialFigure

pytestmark = pytest.mark.django_db

BEFORE = [("forums", "0003_forum_places_in_six_languages"), ("goals", "0001_initial")]
AFTER = [("forums", "0004_goals_participation_to_official_figures")]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return executor


def test_participation_columns_become_official_figures_with_their_source(
    reference_data: None,
) -> None:
    old = _migrate(BEFORE).loader.project_state(BEFORE).apps
    Forum = old.get_model("forums", "Forum")
    OldFigure = old.get_model("goals", "OfficialFigure")
    OldFigure.objects.all().delete()  # as before the reference data shipped figures
    Forum.objects.filter(code="GRF23").update(
        participants=4200, online_participants=10000, countries_represented=168
    )
    Forum.objects.filter(code="IMRF22").update(participants=1500, online_participants=None)

    _migrate(AFTER)
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    grf23 = {f.legacy_field: f for f in OfficialFigure.objects.filter(forum__code="GRF23")}
    assert grf23["participants"].value == Decimal("4200")
    assert grf23["participants"].qualifier == "more than"
    assert grf23["countries_represented"].label == "Government delegations"
    assert "co-hosts-and-co-convenors" in grf23["online_participants"].source
    imrf = OfficialFigure.objects.get(forum__code="IMRF22")
    assert (imrf.label, imrf.value, imrf.source) == (
        "Participants in person",
        Decimal("1500"),
        "Forum record (source not recorded)",
    )
    with connection.cursor() as cursor:
        columns = [
            c.name for c in connection.introspection.get_table_description(cursor, "forums_forum")
        ]
    assert "participants" not in columns
