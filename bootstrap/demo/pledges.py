"""Builds complete pledges from their skeletons: objectives, money, geography, title, contact,
co-pledgers, targets and progress reports, all from one random stream in skeleton order."""

import random
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils.text import slugify

from pledges.models import (
    GeographyScope,
    ImplementationStatus,
    ParticipantRole,
    ParticipantStatus,
    ReviewState,
    UpdateReviewState,
    continuous_reference,
    forum_reference,
)

from .accounts import DemoAccounts
from .draws import Picker, ascii_only, at, stream
from .entities import EntityRef
from .plans import (
    Skeleton,
    TargetPlan,
    UpdatePlan,
    draw_amount,
    plan_fixed_updates,
    plan_targets,
    plan_updates,
    pledge_description,
    where_phrase,
)
from .rounds import announced_between_forums
from .snapshot import CompactRef, ForumRef, Reference
from .words import (
    CURRENCY_WEIGHTS,
    FIRST_NAMES,
    GCM_TITLES,
    GCR_TITLES,
    HOST_CODES,
    ORIGIN_CODES,
    SCOPE_WEIGHTS,
    STATELESSNESS_TITLES,
    SURNAMES,
    USD_PER_UNIT,
    WAS_PUBLISHED,
)

OBJECTIVE_COUNT = Picker.of({1: 55, 2: 30, 3: 15})
SCOPE_PICKER = Picker.of(SCOPE_WEIGHTS)
PARTICIPANT_STATUS = Picker.of(
    {ParticipantStatus.ACCEPTED: 70, ParticipantStatus.INVITED: 15, ParticipantStatus.DECLINED: 15}
)
PARTICIPANT_ROLE = Picker.of(
    {
        ParticipantRole.CO_PLEDGER: 60,
        ParticipantRole.IMPLEMENTING_PARTNER: 25,
        ParticipantRole.FUNDER: 15,
    }
)

PLEDGE_COLUMNS = (
    "id",
    "reference",
    "title",
    "description",
    "compact_id",
    "forum_id",
    "entity_id",
    "geography_scope",
    "support_platform_id",
    "contact_name",
    "contact_email",
    "start_date",
    "end_date",
    "amount",
    "currency_id",
    "announced_on",
    "review_state",
    "implementation_status",
    "submitted_at",
    "published_at",
    "last_update_on",
    "created_by_id",
    "created_at",
    "updated_at",
)


@dataclass(slots=True)
class PledgeBundle:
    """A pledge (its row, in PLEDGE_COLUMNS order) and everything hanging off it."""

    id: int
    row: tuple[Any, ...]
    skeleton: Skeleton
    amount: Decimal | None
    currency: str | None
    end_date: date | None
    submitted_at: datetime | None
    objectives: list[int]
    actions: list[int]
    principles: list[int]
    thematic_areas: list[int]
    support_types: list[int]
    countries: list[str]
    participants: list[tuple[int, str, str, datetime | None]]
    targets: list[tuple[str, TargetPlan]]
    updates: list[UpdatePlan]


@dataclass(slots=True)
class _Topics:
    """What a pledge is about: ids of its objectives, actions, principles and thematic areas."""

    objectives: list[int]
    actions: list[int]
    principles: list[int]
    thematic_areas: list[int]


def _anywhere(compact: CompactRef, *, objective: int) -> str:
    """How a title names the places of a pledge that applies everywhere."""
    if compact.code == "GCM":
        return "countries of origin, transit and destination"
    if compact.objective_numbers[objective] == 4:
        return "countries of origin"
    return "refugee-hosting countries worldwide"


class PledgeBuilder:
    """Turns skeletons into complete pledges with one random stream, in skeleton order."""

    def __init__(
        self,
        *,
        ref: Reference,
        entities: Sequence[EntityRef],
        accounts: DemoAccounts,
        showcase: EntityRef,
        seed: int,
        updates_per_pledge: int | None = None,
        continuous: dict[int, int] | None = None,
    ) -> None:
        self.ref = ref
        # compact id -> the last number given in its continuous series (`continuous_numbers`)
        self.continuous = dict(continuous or {})
        self.between_forums = 0
        self.rng = stream(seed, "pledges")
        self.updates_per_pledge = updates_per_pledge
        self.entities = entities
        self.accounts = accounts
        self.showcase = showcase
        self.as_of = ref.as_of
        self.pending_objectives = {code: deque(c.objective_ids) for code, c in ref.compacts.items()}
        self.currencies = Picker.of(
            {c: w for c, w in CURRENCY_WEIGHTS.items() if c in ref.currencies} or {"USD": 1}
        )
        self.pending_currencies = deque(self.currencies.items)
        self.pending_statuses = deque(ImplementationStatus)
        self.pending_reviews = deque([UpdateReviewState.PENDING, UpdateReviewState.RETURNED])
        self.support_codes = {pk: code for code, pk in ref.support_types.items()}
        self.domains: dict[int, str] = {}
        self.mailboxes: dict[tuple[str, str], str] = {}
        self.members = list(ref.member_codes)
        self.hosts = [c for c in HOST_CODES if c in ref.countries] or self.members
        self.origins = [c for c in ORIGIN_CODES if c in ref.countries] or self.members
        self.by_region: dict[str, list[str]] = defaultdict(list)
        for code in ref.member_codes:
            if ref.countries[code].region:
                self.by_region[ref.countries[code].region].append(code)

    def build(self, skeleton: Skeleton, pk: int) -> PledgeBundle:
        """The complete pledge for `skeleton`, with primary key `pk`.

        Each step draws from the one random stream in a fixed order (objectives, money, support,
        geography, title, dates, review, contact, updates, co-pledgers, targets): reordering
        the steps would change every pledge that follows."""
        rng, ref = self.rng, self.ref
        forum, entity = skeleton.forum, skeleton.entity
        compact = ref.compacts[forum.compact_code]

        topics = self._topics(rng, compact)
        objectives = topics.objectives
        has_amount = rng.random() < 0.4
        amount: Decimal | None = None
        currency: str | None = None
        usd_amount = 0.0
        if has_amount:
            amount, currency = draw_amount(
                rng, entity=entity, currencies=self.currencies, pending=self.pending_currencies
            )
            usd_amount = float(amount) * USD_PER_UNIT.get(currency, 1.0)
        support_ids = self._support_types(rng, has_amount=has_amount, objectives=objectives)

        scope, countries, platform = self._geography(
            rng, entity=entity, forum=forum, objective=objectives[0]
        )
        where = where_phrase(
            ref, countries, scope, anywhere=_anywhere(compact, objective=objectives[0])
        )
        title = self._title(rng, compact=compact, forum=forum, objective=objectives[0], where=where)
        description = pledge_description(rng, compact=compact.code, title=title, entity=entity.name)

        announced = skeleton.announced_on
        start_date = end_date = None
        if rng.random() < 0.88:
            start_date = announced + timedelta(days=rng.randint(0, 180))
            end_date = start_date + timedelta(days=rng.randint(365, 5 * 365))
        submitted_at, published_at = self._review_times(rng, skeleton)
        contact_name, contact_email = self._contact(rng, entity)
        updates = self._updates(rng, state=skeleton.state, published_at=published_at)
        approved = [u for u in updates if u.review_state == UpdateReviewState.APPROVED]
        latest = approved[-1] if approved else None

        created_at = submitted_at or at(announced, 9)
        reference, forum_id = self._reference(pk, skeleton, compact)
        row = (
            pk,
            reference,
            title[:300],
            description,
            compact.id,
            forum_id,
            entity.id,
            scope,
            platform,
            contact_name,
            contact_email,
            start_date,
            end_date,
            amount,
            currency,
            announced,
            skeleton.state,
            latest.status if latest else "",
            submitted_at,
            published_at,
            latest.reported_on if latest else None,
            self.accounts.stakeholder.pk if entity.id == self.showcase.id else None,
            created_at,
            published_at or created_at,
        )
        return PledgeBundle(
            id=pk,
            row=row,
            skeleton=skeleton,
            amount=amount,
            currency=currency,
            end_date=end_date,
            submitted_at=submitted_at,
            objectives=objectives,
            actions=topics.actions,
            principles=topics.principles,
            thematic_areas=topics.thematic_areas,
            support_types=support_ids,
            countries=countries,
            participants=self._participants(rng, entity=entity, submitted_at=submitted_at),
            targets=plan_targets(
                rng,
                has_amount=has_amount,
                usd_amount=usd_amount,
                support_codes=[self.support_codes[s] for s in support_ids],
            ),
            updates=updates,
        )

    def _reference(
        self, pk: int, skeleton: Skeleton, compact: CompactRef
    ) -> tuple[str, int | None]:
        """The pledge's reference and forum: its forum's, or none and the next of its compact's
        continuous series for one announced between forums."""
        if not announced_between_forums(pk, skeleton.state):
            return forum_reference(skeleton.forum.code, skeleton.number), skeleton.forum.id
        number = self.continuous.get(compact.id, 0) + 1
        self.continuous[compact.id] = number
        self.between_forums += 1
        return continuous_reference(compact.code, number), None

    def _topics(self, rng: random.Random, compact: CompactRef) -> _Topics:
        """Objectives (always of the pledge's compact; the first pledges cover every objective),
        some of their actions, guiding principles and thematic areas."""
        k = OBJECTIVE_COUNT.pick(rng)
        objectives: list[int] = []
        pending = self.pending_objectives[compact.code]
        if pending:
            objectives.append(pending.popleft())
        for objective in rng.sample(compact.objective_ids, min(k, len(compact.objective_ids))):
            if len(objectives) < k and objective not in objectives:
                objectives.append(objective)
        actions: list[int] = []
        for objective in objectives:
            if compact.action_ids.get(objective) and rng.random() < 0.5:
                pool = compact.action_ids[objective]
                actions.extend(rng.sample(pool, rng.randint(1, min(2, len(pool)))))
        principles: list[int] = []
        if compact.principle_ids and rng.random() < 0.6:
            principles = rng.sample(
                compact.principle_ids, min(len(compact.principle_ids), rng.randint(1, 3))
            )
        thematic: list[int] = []
        if compact.thematic_area_ids and rng.random() < 0.85:
            thematic = rng.sample(
                compact.thematic_area_ids, min(len(compact.thematic_area_ids), rng.randint(1, 2))
            )
        return _Topics(objectives, actions, principles, thematic)

    def _review_times(
        self, rng: random.Random, skeleton: Skeleton
    ) -> tuple[datetime | None, datetime | None]:
        """When the pledge was submitted (never for a draft) and published (only if it was)."""
        if skeleton.state == ReviewState.DRAFT:
            return None, None
        # Submitted before or on the day of the announcement, in office hours (UTC).
        announced, forum = skeleton.announced_on, skeleton.forum
        submitted_on = max(announced - timedelta(days=rng.randint(0, 30)), forum.year_span[0])
        submitted_at = at(submitted_on, rng.randint(8, 11), rng.randint(0, 59))
        if skeleton.state not in WAS_PUBLISHED:
            return submitted_at, None
        last_day = self.as_of - timedelta(days=1)
        published_on = min(submitted_on + timedelta(days=rng.randint(1, 45)), last_day)
        return submitted_at, at(max(published_on, submitted_on), rng.randint(13, 17))

    def _contact(self, rng: random.Random, entity: EntityRef) -> tuple[str, str]:
        """A contact person's name and address at the entity's domain, on 95% of pledges."""
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        if rng.random() >= 0.95:
            return "", ""
        return f"{first} {last}", f"{self._mailbox(first, last)}@{self._domain(entity)}"

    def _updates(
        self, rng: random.Random, *, state: str, published_at: datetime | None
    ) -> list[UpdatePlan]:
        """Progress reports of a published pledge. Until every implementation status and every
        pending review state has been shown once, the next pledge with reports is made to show
        one, so that even a small demo has them all."""
        if state != ReviewState.PUBLISHED or not published_at:
            return []
        if self.updates_per_pledge:
            return plan_fixed_updates(
                rng,
                published_on=published_at.date(),
                as_of=self.as_of,
                count=self.updates_per_pledge,
            )
        forced_status = self.pending_statuses[0] if self.pending_statuses else None
        # The pledge that shows a status must show it as approved, so that it also appears
        # as the pledge's implementation status.
        forced_review: UpdateReviewState | None
        if forced_status:
            forced_review = UpdateReviewState.APPROVED
        else:
            forced_review = self.pending_reviews[0] if self.pending_reviews else None
        updates = plan_updates(
            rng,
            published_on=published_at.date(),
            as_of=self.as_of,
            forced_status=forced_status,
            forced_review=forced_review,
        )
        if updates and forced_status:
            self.pending_statuses.popleft()
        elif updates and forced_review:
            self.pending_reviews.popleft()
        return updates

    def _domain(self, entity: EntityRef) -> str:
        # Cached: slugify is slow and a State makes thousands of pledges.
        if entity.id not in self.domains:
            slug = slugify(ascii_only(entity.name))[:40].strip("-") or "demo"
            self.domains[entity.id] = f"{slug}.example.org"
        return self.domains[entity.id]

    def _mailbox(self, first: str, last: str) -> str:
        key = (first, last)
        if key not in self.mailboxes:
            self.mailboxes[key] = f"{slugify(ascii_only(first))}.{slugify(ascii_only(last))}"
        return self.mailboxes[key]

    def _support_types(
        self, rng: random.Random, *, has_amount: bool, objectives: Sequence[int]
    ) -> list[int]:
        types = self.ref.support_types
        chosen: list[int] = []
        if has_amount and "financial" in types:
            chosen.append(types["financial"])
        third_country = any(
            self.ref.compacts["GCR"].objective_numbers.get(o) == 3
            for o in objectives
            if "GCR" in self.ref.compacts
        )
        if third_country and "places" in types and rng.random() < 0.7:
            chosen.append(types["places"])
        others = [pk for code, pk in types.items() if code != "financial" and pk not in chosen]
        while not chosen or (len(chosen) < 2 and rng.random() < 0.4):
            if not others:
                break
            pick = rng.choice(others)
            others.remove(pick)
            chosen.append(pick)
        return chosen

    def _geography(
        self, rng: random.Random, *, entity: EntityRef, forum: ForumRef, objective: int
    ) -> tuple[str, list[str], int | None]:
        """Scope, beneficiary countries and support platform. Host States pledge for
        themselves; others support hosting countries, or countries of origin when the pledge is
        about return."""
        ref = self.ref
        platforms = [
            p
            for p in ref.platforms
            if p.compact_code == forum.compact_code
            and p.country_codes
            and (p.launched_year is None or p.launched_year <= forum.year)
        ]
        if platforms and rng.random() < 0.12:
            platform = rng.choice(platforms)
            countries = rng.sample(
                platform.country_codes, rng.randint(1, len(platform.country_codes))
            )
            scope = GeographyScope.REGIONAL if len(countries) > 1 else GeographyScope.NATIONAL
            return scope, sorted(countries), platform.id
        if forum.compact_code == "GCM":
            pool = self.members
        elif ref.compacts[forum.compact_code].objective_numbers.get(objective) == 4:
            pool = self.origins
        else:
            pool = self.hosts
        scope = SCOPE_PICKER.pick(rng)
        if scope == GeographyScope.GLOBAL:
            return scope, [], None
        anchor = rng.choice(pool)
        own = entity.country_code
        if own in pool and rng.random() < 0.7:
            anchor = own
        region = ref.countries[anchor].region
        if scope == GeographyScope.REGIONAL and len(self.by_region.get(region, ())) > 1:
            others = [c for c in self.by_region[region] if c != anchor]
            countries = [anchor, *rng.sample(others, min(len(others), rng.randint(1, 5)))]
            return scope, sorted(countries), None
        return scope, [anchor], None

    def _title(
        self,
        rng: random.Random,
        *,
        compact: CompactRef,
        forum: ForumRef,
        objective: int,
        where: str,
    ) -> str:
        number = compact.objective_numbers[objective]
        if forum.kind == "hls":
            template = rng.choice(STATELESSNESS_TITLES)
        elif compact.code == "GCM" and number in GCM_TITLES:
            template = GCM_TITLES[number]
        elif compact.code == "GCR" and number in GCR_TITLES:
            template = rng.choice(GCR_TITLES[number])
        else:
            template = "Commitment to objective " + str(number) + " in {where}"
        places = rng.choice((25, 50, 100, 150, 200, 300, 500, 1000, 2000))
        return template.format(where=where, places=places)

    def _participants(
        self, rng: random.Random, *, entity: EntityRef, submitted_at: datetime | None
    ) -> list[tuple[int, str, str, datetime | None]]:
        """Co-pledgers on about 15% of pledges: (entity id, role, status, responded at)."""
        if rng.random() >= 0.15:
            return []
        rows = []
        chosen = {entity.id}
        for _ in range(rng.randint(1, 3)):
            other = self.entities[rng.randrange(len(self.entities))]
            if other.id in chosen:
                continue
            chosen.add(other.id)
            status = PARTICIPANT_STATUS.pick(rng)
            role = PARTICIPANT_ROLE.pick(rng)
            responded = None
            if status != ParticipantStatus.INVITED and submitted_at:
                responded = min(
                    submitted_at + timedelta(days=rng.randint(1, 30)),
                    at(self.as_of - timedelta(days=1), 12),
                )
            rows.append((other.id, role, status, responded))
        return rows
