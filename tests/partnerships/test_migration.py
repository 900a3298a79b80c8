"""partnerships 0002: the six GRF 2023 MSP thematic areas become MSPs; their tagged pledges and
the sources of `contributes_to` links to tagged pledges become accepted members (decided by the
migration, with the reason in the history); the links and the areas are deleted. Then pledges
0020 removes the links of kinds that no longer exist, with an audit entry each."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.models import AuditEntry
from partnerships.models import MembershipOrigin, MembershipState, MultistakeholderPledge
from pledges.models import PledgeLink

pytestmark = pytest.mark.django_db

BEFORE = [("partnerships", "0001_initial")]
AFTER = [("partnerships", "0002_thematic_areas_and_links_become_memberships")]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return executor


def test_tagged_pledges_and_contributing_links_become_memberships(reference_data: None) -> None:
    old = _migrate(BEFORE).loader.project_state(BEFORE).apps
    Compact = old.get_model("compacts", "Compact")
    ThematicArea = old.get_model("compacts", "ThematicArea")
    Pledge = old.get_model("pledges", "Pledge")
    Link = old.get_model("pledges", "PledgeLink")
    Entity = old.get_model("pledges", "Entity")
    Forum = old.get_model("forums", "Forum")
    Msp = old.get_model("partnerships", "MultistakeholderPledge")
    # As a database of the previous release: the area exists, the MSP does not.
    Msp.objects.filter(slug="climate-action").delete()
    gcr = Compact.objects.get(code="GCR")
    area = ThematicArea.objects.create(
        compact=gcr, slug="climate-action", name="Climate action", name_fr="Action climatique"
    )
    education = ThematicArea.objects.get_or_create(
        compact=gcr, slug="education", defaults={"name": "Education"}
    )[0]
    entity = Entity.objects.create(
        name="Old Entity",
        entity_type=old.get_model("pledges", "EntityType").objects.first(),
        is_verified=True,
        verified_at=dt.datetime(2023, 1, 1, tzinfo=dt.UTC),
    )
    forum = Forum.objects.only("id").get(code="GRF23")  # its later columns may be gone

    def pledge(number: int):
        return Pledge.objects.create(
            reference=f"GRF23-{number:05d}",
            title=f"P{number}",
            description="d",
            compact=gcr,
            forum=forum,
            entity=entity,
            review_state="published",
            published_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        )

    tagged, contributor, bystander, other_link = pledge(1), pledge(2), pledge(3), pledge(4)
    tagged.thematic_areas.add(area, education)
    Link.objects.create(source=contributor, target=tagged, kind="contributes_to")
    # Two links to the same MSP make one membership; a link of another kind stays.
    Link.objects.create(source=contributor, target=pledge(5), kind="contributes_to")
    Pledge.objects.get(reference="GRF23-00005").thematic_areas.add(area)
    Link.objects.create(source=other_link, target=tagged, kind="matches")
    Link.objects.create(source=bystander, target=other_link, kind="contributes_to")

    _migrate(AFTER)
    # The links to tagged pledges are gone; others stay, until pledges 0020 (below).
    kinds = set(PledgeLink.objects.values_list("source__reference", "kind"))
    assert kinds == {("GRF23-00004", "matches"), ("GRF23-00003", "contributes_to")}

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    # pledges 0020: a link of a kind that no longer exists has no home left; its removal is in
    # the source pledge's audit trail, naming what it pointed to.
    assert not PledgeLink.objects.exists()
    removed = AuditEntry.objects.get(action="pledges.link.removed", object_id=str(bystander.pk))
    assert removed.data == {"target": "GRF23-00004", "kind": "contributes_to"}
    assert "multistakeholder pledge" in removed.reason

    msp = MultistakeholderPledge.objects.get(slug="climate-action")
    assert msp.is_reference
    assert msp.title_fr == "Action climatique"
    assert msp.forum.code == "GRF23"
    assert msp.progress_stale_since is not None
    members = {m.pledge.reference: m for m in msp.memberships.select_related("pledge")}
    assert set(members) == {"GRF23-00001", "GRF23-00002", "GRF23-00005"}
    for membership in members.values():
        assert membership.state == MembershipState.ACCEPTED
        assert membership.origin == MembershipOrigin.MIGRATION
        assert membership.decided_at is not None
        assert membership.history.get().history_change_reason.startswith("Moved by migration")
    assert members["GRF23-00002"].message == "Contributed to GRF23-00001"
    # The area is gone, education stays.
    tagged_now = old.get_model("pledges", "Pledge").objects.get(reference="GRF23-00001")
    assert list(tagged_now.thematic_areas.values_list("slug", flat=True)) == ["education"]
    assert not old.get_model("compacts", "ThematicArea").objects.filter(slug="climate-action")
