"""Rows that left a list (issue 21, item 2): `include_removed=true` lists their tombstones, a
removed pledge's detail answers 410 with the same tombstone, a never-public one still 404s, and
removing a co-pledger moves the pledge's `updated_at`. And the pledge's links both ways, in the
API and the export (item 3)."""

import csv
import io

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from changefeed.models import Change
from pledges.models import PledgeParticipant
from pledges.services import (
    create_pledge,
    invite_participant,
    link_pledges,
    remove_participant,
    respond_to_invitation,
    transition_pledge,
)
from tests.factories import EntityFactory, MembershipFactory, UserFactory, pledge_input

from .conftest import build_cast, publish

pytestmark = pytest.mark.django_db


def test_a_superseded_pledge_answers_410_with_its_successor(
    reference_data: None, secretariat: User
) -> None:
    cast = build_cast(secretariat)
    old, new = publish(cast), publish(cast)
    link_pledges(source=new, target=old, kind="supersedes", by=cast.member_a)
    transition_pledge(pledge=old, action="supersede", by=secretariat, reason="Revised")
    draft = create_pledge(data=pledge_input(entity=cast.entity_a), by=cast.member_a)
    api = APIClient()

    gone = api.get(f"/api/v1/pledges/{old.reference}/")
    listed = api.get("/api/v1/pledges/", {"include_removed": "true"}).json()

    assert gone.status_code == 410
    assert gone.json() == {
        "reference": old.reference,
        "removed_at": gone.json()["removed_at"],
        "reason": "superseded",
        "successor": new.reference,
    }
    assert listed["removed"] == [gone.json()]
    assert api.get(f"/api/v1/pledges/{draft.reference}/").status_code == 404
    assert api.get("/api/v1/pledges/NOPE-00001/").status_code == 404
    assert "removed" not in api.get("/api/v1/pledges/").json()
    assert api.get("/api/v1/pledges/", {"include_removed": "maybe"}).status_code == 400
    # Its own entity still sees it, so it is no tombstone for them.
    mine = APIClient()
    mine.force_authenticate(cast.member_a)
    assert mine.get(f"/api/v1/pledges/{old.reference}/").status_code == 200
    assert mine.get("/api/v1/pledges/", {"include_removed": "true"}).json()["removed"] == []


def test_links_show_on_both_pledges_and_in_the_export(
    reference_data: None, secretariat: User
) -> None:
    cast = build_cast(secretariat)
    old, new = publish(cast), publish(cast)
    link_pledges(source=new, target=old, kind="supersedes", by=cast.member_a)
    api = APIClient()

    new_links = api.get(f"/api/v1/pledges/{new.reference}/").json()["links"]
    old_links = api.get(f"/api/v1/pledges/{old.reference}/").json()["links"]
    export = api.get("/api/v1/pledges/", {"format": "csv", "entity": str(cast.entity_a.public_id)})

    assert [(x["kind"], x["reference"]) for x in new_links] == [("supersedes", old.reference)]
    assert [(x["kind"], x["reference"]) for x in old_links] == [("superseded_by", new.reference)]
    assert old_links[0]["url"].endswith(f"/api/v1/pledges/{new.reference}/")
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    rows = {row["reference"]: row for row in csv.DictReader(io.StringIO(text))}
    assert rows[new.reference]["links"] == f"supersedes:{old.reference}"
    assert rows[old.reference]["links"] == f"superseded_by:{new.reference}"
    assert {"multistakeholder_pledges", "matches"} <= set(rows[old.reference])


def test_removing_a_co_pledger_moves_updated_at_and_records_an_update(
    reference_data: None, secretariat: User
) -> None:
    cast = build_cast(secretariat)
    pledge = publish(cast)
    other = EntityFactory()
    member = MembershipFactory(entity=other, user=UserFactory()).user
    participant = invite_participant(pledge=pledge, entity=other, by=cast.member_a)
    respond_to_invitation(participant=participant, accept=True, by=member)
    pledge.refresh_from_db()
    before, entries = pledge.updated_at, Change.objects.filter(key=pledge.reference).count()

    remove_participant(
        participant=PledgeParticipant.objects.get(pk=participant.pk), by=cast.member_a
    )

    pledge.refresh_from_db()
    assert pledge.updated_at > before
    latest = Change.objects.filter(key=pledge.reference).order_by("-id")
    assert latest.count() == entries + 1
    assert latest.first().action == "updated"  # type: ignore[union-attr]
