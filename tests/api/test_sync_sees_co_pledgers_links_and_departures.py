"""Incremental sync sees every change to what a pledge shows (issue 14, item 20).

Inviting, answering or removing a co-pledger and adding or removing a link change the pledge's
`updated_at` and `version`, so `updated_since`, ETags and If-Modified-Since see them; and a list
never answers 304 to If-Modified-Since after a row left it (withdrawn, deleted), since the
newest `updated_at` of the rows still in it cannot show a departure."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils.http import http_date
from rest_framework.test import APIClient

from pledges.models import LinkKind, PledgeLink, PledgeParticipant
from pledges.services import (
    invite_participant,
    respond_to_invitation,
    transition_pledge,
)
from tests.factories import EntityFactory, MembershipFactory

from .conftest import World, refs

pytestmark = pytest.mark.django_db

URL = "/api/v1/pledges/"
LATER = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
SINCE = "2025-05-01T00:00:00Z"


def _remove_co_pledger(world: World, web: Client, people: dict[str, Any]) -> None:
    participant = PledgeParticipant.objects.get(pledge=world.p1)
    web.force_login(people["member_a"])
    assert web.post(f"/participants/{participant.pk}/remove/").status_code == 302


def _remove_link(world: World, web: Client, people: dict[str, Any]) -> None:
    link = PledgeLink.objects.create(source=world.p1, target=world.p4, kind=LinkKind.SUPERSEDES)
    web.force_login(people["member_a"])
    assert web.post(f"/links/{link.pk}/remove/").status_code == 302


def _add_link(world: World, web: Client, people: dict[str, Any]) -> None:
    web.force_login(people["member_a"])
    web.post(
        f"/pledges/{world.p1.reference}/links/",
        {"reference": "GRF23-00002", "kind": "supersedes"},
    )
    assert PledgeLink.objects.filter(source=world.p1).exists()


def _invite_and_accept(world: World, web: Client, people: dict[str, Any]) -> None:
    entity_c = EntityFactory(name="Entity C")
    participant = invite_participant(pledge=world.p1, entity=entity_c, by=people["member_a"])
    member_c = MembershipFactory(entity=entity_c).user
    respond_to_invitation(participant=participant, accept=True, by=member_c)


CHANGES: dict[str, Callable[[World, Client, dict[str, Any]], None]] = {
    "co-pledger removed": _remove_co_pledger,
    "link removed": _remove_link,
    "link added": _add_link,
    "co-pledger invited and accepted": _invite_and_accept,
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_change_to_co_pledgers_or_links_reaches_incremental_sync(
    world: World,
    api_as: Callable[[str], APIClient],
    member_a: Any,
    change: str,
) -> None:
    api = api_as("partner")
    detail = api.get(f"{URL}{world.p1.reference}/")
    assert refs(api.get(URL, {"updated_since": SINCE})) == []

    with time_machine.travel(LATER, tick=False):
        CHANGES[change](world, Client(), {"member_a": member_a})

    # A link shows on both of its pledges (`links`), so both changed.
    linked = {"link removed": [world.p4.reference], "link added": ["GRF23-00002"]}
    changed = refs(api.get(URL, {"updated_since": SINCE}))
    assert sorted(changed) == sorted([world.p1.reference, *linked.get(change, [])])
    after = api.get(f"{URL}{world.p1.reference}/")
    assert after.json()["version"] > detail.json()["version"]
    assert after["Last-Modified"] == http_date(LATER.timestamp())
    stale = {"HTTP_IF_MODIFIED_SINCE": detail["Last-Modified"]}
    assert api.get(f"{URL}{world.p1.reference}/", **stale).status_code == 200


@pytest.mark.parametrize("departure", ["withdrawn", "deleted"])
def test_list_answers_200_to_if_modified_since_after_a_row_left_it(
    world: World, api_as: Callable[[str], APIClient], member_b: Any, departure: str
) -> None:
    api = api_as("anonymous")
    first = api.get(URL)
    validator = http_date(LATER.timestamp())  # later than every row: nothing *changed* since

    with time_machine.travel(LATER, tick=False):
        if departure == "withdrawn":
            transition_pledge(pledge=world.p4, action="withdraw", by=member_b)
        else:
            world.p2.delete()

    again = api.get(URL, HTTP_IF_MODIFIED_SINCE=validator)
    assert again.status_code == 200
    assert len(again.json()["results"]) == len(first.json()["results"]) - 1


def test_list_still_answers_304_to_its_unchanged_etag(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    api = api_as("anonymous")
    first = api.get(URL)

    assert api.get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
