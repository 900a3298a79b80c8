"""pledges 0022 on real data: NGOs split into local/national (`ngo`, kept) and international
(`ngo_international`): an NGO entity without a country becomes international, one with a
country stays local/national; the shipped name and positions move forward, a secretariat's
edits do not."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from compacts.models import Objective
from pledges.models import Entity, EntityType

pytestmark = pytest.mark.django_db

BEFORE = [("pledges", "0021_rounds_reaffirmations_co_pledger_updates")]
AFTER = [("pledges", "0022_entity_type_sources_and_ngo_split")]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return executor


def _old_world(apps: object, *, ngo_name: str) -> None:
    """The types as shipped before issue 18: no international NGOs, NGOs fourth."""
    types = apps.get_model("pledges", "EntityType")  # type: ignore[attr-defined]
    types.objects.filter(code="ngo_international").delete()
    types.objects.filter(code="ngo").update(position=4, name=ngo_name, name_en=ngo_name)
    types.objects.filter(code="refugee_led").update(position=5)
    types.objects.filter(code="other").update(position=99)  # the secretariat moved it
    entities = apps.get_model("pledges", "Entity")  # type: ignore[attr-defined]
    ngo = types.objects.get(code="ngo")
    for name, country in (("Kenya Refugee Aid", "KE"), ("Borderless Relief", None)):
        entities.objects.create(
            name=name,
            entity_type=ngo,
            country_id=country,
            name_skeleton=name.lower(),
            cased_name_skeleton=name,
        )


def test_ngos_without_a_country_become_international_and_shipped_values_move_forward(
    reference_data: None,
) -> None:
    old = _migrate(BEFORE).loader.project_state(BEFORE).apps
    _old_world(old, ngo_name="NGO / civil society")
    Objective.objects.update(progress_stale_since=None)

    _migrate(AFTER)
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    national = Entity.objects.get(name="Kenya Refugee Aid")
    international = Entity.objects.get(name="Borderless Relief")
    assert national.entity_type.code == "ngo"
    assert international.entity_type.code == "ngo_international"
    assert international.entity_type.name == "International NGO"
    assert international.entity_type.name_fr == "ONG internationale"
    assert "GCR ¶33" in international.entity_type.source
    ngo = EntityType.objects.get(code="ngo")
    assert ngo.name == "Local or national NGO / civil society"
    assert ngo.name_es == "ONG local o nacional / sociedad civil"
    positions = dict(EntityType.objects.values_list("code", "position"))
    assert (positions["ngo"], positions["ngo_international"], positions["refugee_led"]) == (5, 6, 7)
    assert positions["other"] == 99  # the secretariat's order is kept
    # Progress is sliced by entity type: it is recomputed.
    assert not Objective.objects.filter(progress_stale_since__isnull=True).exists()


def test_a_name_the_secretariat_gave_the_ngo_type_is_kept_when_migrating(
    reference_data: None,
) -> None:
    old = _migrate(BEFORE).loader.project_state(BEFORE).apps
    _old_world(old, ngo_name="Civil society organisation")

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert EntityType.objects.get(code="ngo").name == "Civil society organisation"
    assert Entity.objects.get(name="Borderless Relief").entity_type.code == "ngo_international"


def test_migrating_back_returns_international_ngos_to_the_ngo_type(reference_data: None) -> None:
    old = _migrate(BEFORE).loader.project_state(BEFORE).apps
    _old_world(old, ngo_name="NGO / civil society")
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    old = _migrate(BEFORE).loader.project_state(BEFORE).apps

    entity = old.get_model("pledges", "Entity").objects.get(name="Borderless Relief")
    assert entity.entity_type.code == "ngo"
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
