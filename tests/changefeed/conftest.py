"""A small world built through the services (so the change feed records it), and helpers to read
the feed and the public lists as a partner would."""

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rest_framework.test import APIClient

from accounts.models import User
from changefeed.models import Resource
from indicators import services as indicator_services
from indicators.models import Indicator, IndicatorValue
from matching.services import PositionInput, add_position, decide_match, propose_match
from pledges.models import Entity, Pledge, PledgeParticipant, PledgeUpdate, SupportType
from pledges.services import (
    UpdateInput,
    create_pledge,
    invite_participant,
    link_pledges,
    remove_participant,
    respond_to_invitation,
    review_update,
    submit_update,
    transition_pledge,
    update_pledge,
    verify_entity,
)
from pledges.services.pledges import PledgeInput
from tests.factories import EntityFactory, MembershipFactory, UserFactory, pledge_input

# The public lists the feed follows, and the key each row is addressed by.
LISTS = {
    Resource.PLEDGE: ("/api/v1/pledges/", "reference"),
    Resource.PLEDGE_UPDATE: ("/api/v1/pledge-updates/", "id"),
    Resource.ENTITY: ("/api/v1/entities/", "id"),
    Resource.MATCH: ("/api/v1/matches/", "id"),
    Resource.MSP: ("/api/v1/multistakeholder-pledges/", "slug"),
    Resource.INDICATOR_VALUE: ("/api/v1/indicator-values/", "id"),
    Resource.PROGRESS: ("/api/v1/progress/", "id"),
}


def download(api: APIClient) -> set[tuple[str, str]]:
    """Every row of every followed list, as (resource, key), read page by page."""
    rows: set[tuple[str, str]] = set()
    for resource, (url, key) in LISTS.items():
        page: str | None = f"{url}?page_size=500"
        while page:
            body = api.get(page).json()
            rows |= {(resource.value, str(item[key])) for item in body["results"]}
            page = body["next"]
    return rows


def pull(api: APIClient, cursor: str, copy: dict[tuple[str, str], str]) -> str:
    """Apply the feed after `cursor` to `copy`; return the cursor to store."""
    while True:
        body = api.get("/api/v1/changes/", {"cursor": cursor, "page_size": 7}).json()
        for change in body["changes"]:
            row = (change["resource"], change["key"])
            if change["change"] == "removed":
                copy.pop(row, None)
            else:
                copy[row] = change["at"]
        cursor = body["cursor"]
        if not body["has_more"]:
            return cursor


@dataclass
class Cast:
    """An entity with a member, another with a member, the secretariat."""

    secretariat: User
    member_a: User
    member_b: User
    entity_a: Entity
    entity_b: Entity
    made: list[Pledge] = field(default_factory=list)


def build_cast(secretariat: User) -> Cast:
    entity_a = EntityFactory(is_verified=False, name="Feed entity A")
    entity_b = EntityFactory(is_verified=False, name="Feed entity B")
    verify_entity(entity=entity_a, by=secretariat)
    verify_entity(entity=entity_b, by=secretariat)
    member_a = MembershipFactory(entity=entity_a, user=UserFactory()).user
    member_b = MembershipFactory(entity=entity_b, user=UserFactory()).user
    return Cast(secretariat, member_a, member_b, entity_a, entity_b)


def publish(cast: Cast, entity: Entity | None = None, **overrides: Any) -> Pledge:
    entity = entity or cast.entity_a
    member = cast.member_a if entity == cast.entity_a else cast.member_b
    pledge = create_pledge(data=pledge_input(entity=entity, **overrides), by=member)
    transition_pledge(pledge=pledge, action="submit", by=member)
    pledge = transition_pledge(pledge=pledge, action="publish", by=cast.secretariat)
    cast.made.append(pledge)
    return pledge


def _member(cast: Cast, pledge: Pledge) -> User:
    return cast.member_a if pledge.entity_id == cast.entity_a.pk else cast.member_b


def _published(cast: Cast) -> list[Pledge]:
    return list(Pledge.objects.filter(pk__in=[p.pk for p in cast.made], review_state="published"))


def step_publish(cast: Cast, rng: random.Random) -> None:
    publish(cast, rng.choice([cast.entity_a, cast.entity_b]))


def step_edit(cast: Cast, rng: random.Random) -> None:
    for pledge in _published(cast)[:1]:
        data = PledgeInput.from_pledge(pledge)
        data.title = f"Edited {rng.random()}"
        update_pledge(pledge=pledge, data=data, by=cast.secretariat)


def step_withdraw(cast: Cast, rng: random.Random) -> None:
    published = _published(cast)
    if published:
        pledge = rng.choice(published)
        transition_pledge(pledge=pledge, action="withdraw", by=_member(cast, pledge))


def step_supersede(cast: Cast, rng: random.Random) -> None:
    published = [p for p in _published(cast) if p.entity_id == cast.entity_a.pk]
    if published:
        old = rng.choice(published)
        new = publish(cast, cast.entity_a)
        link_pledges(source=new, target=old, kind="supersedes", by=cast.member_a)
        transition_pledge(pledge=old, action="supersede", by=cast.secretariat, reason="Revised")


def step_update(cast: Cast, rng: random.Random) -> None:
    published = _published(cast)
    if published:
        pledge = rng.choice(published)
        data = UpdateInput(
            status="in_progress",
            narrative="Going well.",
            reported_on=dt.datetime.now(tz=dt.UTC).date(),
        )
        update = submit_update(pledge=pledge, data=data, by=_member(cast, pledge))
        review_update(update=update, action="approve", by=cast.secretariat)


def step_co_pledger(cast: Cast, rng: random.Random) -> None:
    published = [p for p in _published(cast) if p.entity_id == cast.entity_a.pk]
    if published:
        pledge = rng.choice(published)
        other = EntityFactory(is_verified=False)
        member = MembershipFactory(entity=other, user=UserFactory()).user
        other = verify_entity(entity=other, by=cast.secretariat)
        participant = invite_participant(pledge=pledge, entity=other, by=cast.member_a)
        respond_to_invitation(participant=participant, accept=True, by=member)
        if rng.random() < 0.5:
            remove_participant(
                participant=PledgeParticipant.objects.get(pk=participant.pk), by=cast.member_a
            )


def step_match(cast: Cast, rng: random.Random) -> None:
    published = _published(cast)
    seekers = [p for p in published if p.entity_id == cast.entity_a.pk]
    offerers = [p for p in published if p.entity_id == cast.entity_b.pk]
    if not (seekers and offerers):
        return
    seeking, offering = rng.choice(seekers), rng.choice(offerers)
    support = SupportType.objects.order_by("pk").first()
    add_position(pledge=seeking, data=PositionInput("seeks", support), by=cast.secretariat)
    add_position(pledge=offering, data=PositionInput("offers", support), by=cast.secretariat)
    match = propose_match(seeking=seeking, offering=offering, by=cast.member_a)
    decide_match(match=match, accept=True, by=cast.member_b)


def step_indicator_value(cast: Cast, rng: random.Random) -> None:
    existing = IndicatorValue.objects.filter(source="feed test").first()
    if existing is not None and rng.random() < 0.5:
        indicator_services.delete_indicator_value(value=existing)
        return
    indicator = Indicator.objects.order_by("pk").first()
    assert indicator is not None, "the reference data has indicators"
    value = IndicatorValue(
        indicator=indicator, year=1990 + rng.randrange(30), value=Decimal(rng.randrange(100))
    )
    value.source = "feed test"
    if not IndicatorValue.objects.filter(
        indicator=indicator, year=value.year, country__isnull=True
    ).exists():
        indicator_services.save_indicator_value(value=value)


STEPS: list[Callable[[Cast, random.Random], None]] = [
    step_publish,
    step_edit,
    step_withdraw,
    step_supersede,
    step_update,
    step_co_pledger,
    step_match,
    step_indicator_value,
]


def approved_updates(pledge: Pledge) -> list[PledgeUpdate]:
    return list(pledge.updates.filter(review_state="approved"))
