"""Plans drawn before rows are built: each pledge's forum, state, entity and date (references are
numbered from them), and the targets, progress reports and amounts of a pledge."""

import random
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models.functions import Length

from pledges.models import (
    GeographyScope,
    ImplementationStatus,
    Pledge,
    PledgeReferenceCounter,
    ReviewState,
    TargetUnit,
    UpdateReviewState,
)

from .draws import Picker, day_between, log_uniform, stream
from .entities import EntityRef
from .snapshot import ForumRef, Reference
from .words import (
    DESCRIPTION_SENTENCES,
    DONOR_CODES,
    FORUM_KIND_WEIGHTS,
    HOME_CURRENCY,
    HOST_CODES,
    METRICS,
    REGION_NAMES,
    REVIEW_WEIGHTS,
    TYPE_WEIGHTS,
    USD_PER_UNIT,
    WAS_PUBLISHED,
)


@dataclass(slots=True)
class Skeleton:
    """The few choices made for all pledges up front, because references are numbered per forum
    in order of announcement and that needs every pledge's forum and date."""

    forum: ForumRef
    state: str
    entity: EntityRef
    announced_on: date
    number: int = 0


class _EntityPools:
    """Weighted entity pickers per type, with a verified-only variant for published pledges."""

    def __init__(self, entities: Sequence[EntityRef]) -> None:
        by_type: dict[str, list[EntityRef]] = defaultdict(list)
        for entity in entities:
            by_type[entity.type_code].append(entity)
        hubs = set(HOST_CODES) | set(DONOR_CODES)
        self.all: dict[str, Picker] = {}
        self.verified: dict[str, Picker] = {}
        for type_code, group in by_type.items():
            # A few actors make many pledges (large States, big NGOs): Zipf-like weights.
            weights = [
                (8.0 if e.type_code == "state" and e.country_code in hubs else 1.0)
                / (1 + rank) ** (0 if e.type_code == "state" else 0.6)
                for rank, e in enumerate(group)
            ]
            self.all[type_code] = Picker(group, weights)
            pairs = [(e, w) for e, w in zip(group, weights, strict=True) if e.is_verified]
            self.verified[type_code] = Picker([e for e, _ in pairs], [w for _, w in pairs])

    def pick(self, rng: random.Random, type_code: str, *, verified: bool) -> EntityRef:
        pools = self.verified if verified else self.all
        if not pools.get(type_code):
            type_code = next(t for t, p in pools.items() if p)
        return pools[type_code].pick(rng)


def plan_skeletons(
    *, ref: Reference, entities: Sequence[EntityRef], showcase: EntityRef, pledges: int, seed: int
) -> list[Skeleton]:
    """Forum, review state, entity and announcement date of every pledge.

    The first pledges walk through every forum, every review state (twice: once for the showcase
    entity of the stakeholder account) and every entity type, so that even a small demo covers
    them all; the rest follow realistic weights."""
    rng = stream(seed, "skeleton")
    pools = _EntityPools(entities)
    forum_picker = Picker(ref.forums, [FORUM_KIND_WEIGHTS.get(f.kind, 50) for f in ref.forums])
    # Not `suspended`: only withdrawing an entity's verification leads there, which the demo
    # never does (and leaving it out keeps the demo's sequence as it was).
    states = [state for state in ReviewState if state != ReviewState.SUSPENDED]
    types = list(ref.entity_types)
    type_prefix = 2 * len(states)
    state_picker = Picker.of(REVIEW_WEIGHTS)
    type_pickers = {
        code: Picker.of({t: TYPE_WEIGHTS.get(code, TYPE_WEIGHTS["GCR"]).get(t, 1) for t in types})
        for code in ref.compacts
    }
    skeletons = []
    for i in range(pledges):
        forum = ref.forums[i] if i < len(ref.forums) else forum_picker.pick(rng)
        state = states[i % len(states)] if i < 2 * len(states) else state_picker.pick(rng)
        needs_verified = state in WAS_PUBLISHED
        if len(states) <= i < 2 * len(states):
            entity = showcase
        else:
            if type_prefix <= i < type_prefix + len(types):
                type_code = types[i - type_prefix]
            else:
                type_code = type_pickers[forum.compact_code].pick(rng)
            entity = pools.pick(rng, type_code, verified=needs_verified)
        # Most pledges are announced at the forum itself, the rest during its year.
        span = forum.dates if rng.random() < 0.75 else forum.year_span
        announced_on = day_between(rng, *span)
        skeletons.append(Skeleton(forum, state, entity, announced_on))
    return skeletons


def number_references(skeletons: Sequence[Skeleton], ref: Reference) -> dict[int, int]:
    """Number pledges per forum in order of announcement, after what each forum already used.
    Returns the highest number used per forum id."""
    start: dict[int, int] = {}
    counters = dict(PledgeReferenceCounter.objects.values_list("forum_id", "last_number"))
    for forum in ref.forums:
        # Trust the counter, but never reuse a number even if someone edited it downwards.
        last = (
            Pledge.objects.filter(reference__startswith=f"{forum.code}-")
            .order_by(Length("reference").desc(), "-reference")
            .values_list("reference", flat=True)
            .first()
        )
        used = int(last.rsplit("-", 1)[1]) if last else 0
        start[forum.id] = max(used, counters.get(forum.id, 0))
    by_forum: dict[int, list[int]] = defaultdict(list)
    for i, skeleton in enumerate(skeletons):
        by_forum[skeleton.forum.id].append(i)
    highest = {}
    for forum_id, indexes in by_forum.items():
        indexes.sort(key=lambda i: (skeletons[i].announced_on, i))
        for n, i in enumerate(indexes, start=start[forum_id] + 1):
            skeletons[i].number = n
        highest[forum_id] = start[forum_id] + len(indexes)
    return highest


def where_phrase(ref: Reference, countries: Sequence[str], scope: str, *, anywhere: str) -> str:
    """Where a pledge applies, as the end of its title."""
    if scope == GeographyScope.GLOBAL or not countries:
        return anywhere
    if scope == GeographyScope.REGIONAL and len(countries) > 1:
        region = ref.countries[countries[0]].region
        return REGION_NAMES.get(region, "the region")
    return ref.countries[countries[0]].name


def pledge_description(rng: random.Random, *, compact: str, title: str, entity: str) -> str:
    lead = f"Pledge by {entity}: {title[0].lower()}{title[1:]}."
    if compact != "GCM":
        extra = rng.sample(DESCRIPTION_SENTENCES, rng.randint(1, 3))
        return " ".join([lead, *extra])
    # The GCM asks for 300 to 3,000 characters; most descriptions are short, some long.
    goal = rng.randint(300, 1200) if rng.random() < 0.8 else rng.randint(1200, 3000)
    parts = [lead]
    length = len(lead)
    for sentence in rng.sample(DESCRIPTION_SENTENCES, len(DESCRIPTION_SENTENCES)):
        if length >= goal or length + len(sentence) + 1 > 3000:
            break
        parts.append(sentence)
        length += len(sentence) + 1
    return " ".join(parts)


# Typical size of a pledge by type of pledger, relative to a log-uniform USD 20,000–20 million.
MONEY_SCALE = {"state": 3.0, "ifi": 5.0, "foundation": 0.8, "refugee_led": 0.05}


def draw_amount(
    rng: random.Random, *, entity: EntityRef, currencies: Picker, pending: deque[str]
) -> tuple[Decimal, str]:
    """An amount and currency: Japan pledges in yen, Norway in kroner, most others in USD."""
    home = HOME_CURRENCY.get(entity.country_code or "")
    if pending:
        currency = pending.popleft()  # the first amounts show every common currency
    elif home is not None and home in currencies.items and rng.random() < 0.8:
        currency = home
    else:
        currency = currencies.pick(rng)
    usd = log_uniform(rng, 20_000, 20_000_000) * MONEY_SCALE.get(entity.type_code, 0.3)
    local = usd / USD_PER_UNIT.get(currency, 1.0)
    step = 1_000_000 if currency == "JPY" else 1_000
    return Decimal(max(step, round(local / step) * step)), currency


@dataclass(slots=True)
class TargetPlan:
    unit: str
    baseline: Decimal | None
    value: Decimal


TARGET_COUNT = Picker.of({0: 40, 1: 40, 2: 20})


def plan_targets(
    rng: random.Random, *, has_amount: bool, usd_amount: float, support_codes: Sequence[str]
) -> list[tuple[str, TargetPlan]]:
    count = TARGET_COUNT.pick(rng)
    units = [TargetUnit.PERSONS, TargetUnit.PERCENT, TargetUnit.COUNT]
    if "places" in support_codes:
        units.append(TargetUnit.PLACES)
    if has_amount:
        units.append(TargetUnit.USD)
    chosen = rng.sample(units, min(count, len(units)))
    plans = []
    for unit in chosen:
        metric = rng.choice(METRICS[unit])
        baseline: Decimal | None = None
        match unit:
            case TargetUnit.PERCENT:
                value = Decimal(rng.randint(20, 100))
                baseline = Decimal(rng.randint(0, int(value) // 2))
            case TargetUnit.PERSONS:
                value = Decimal(round(log_uniform(rng, 100, 500_000), -1))
            case TargetUnit.PLACES:
                value = Decimal(round(log_uniform(rng, 10, 5_000)))
            case TargetUnit.USD:
                value = Decimal(round(usd_amount, -3))
            case _:
                value = Decimal(rng.randint(1, 200))
        if baseline is None and rng.random() < 0.3:
            baseline = Decimal(0)
        plans.append((metric, TargetPlan(unit, baseline, value)))
    return plans


@dataclass(slots=True)
class UpdatePlan:
    reported_on: date
    status: str
    review_state: str
    progress: float  # share of each target (and of the money) achieved, cumulative


STATUS_PATH = (
    ImplementationStatus.NOT_STARTED,
    ImplementationStatus.PLANNING,
    ImplementationStatus.IN_PROGRESS,
    ImplementationStatus.FULFILLED,
)


# GCR pledges were first reported on in 2020, after the first Global Refugee Forum.
REPORTING_OPENS = date(2020, 1, 1)
FIRST_STATUS = Picker.of({STATUS_PATH[0]: 10, STATUS_PATH[1]: 40, STATUS_PATH[2]: 50})
# The latest update may still wait for review; earlier ones have all been reviewed.
LAST_REVIEW = Picker.of(
    {UpdateReviewState.APPROVED: 70, UpdateReviewState.PENDING: 22, UpdateReviewState.RETURNED: 8}
)
EARLIER_REVIEW = Picker.of({UpdateReviewState.APPROVED: 90, UpdateReviewState.RETURNED: 10})


def plan_updates(
    rng: random.Random,
    *,
    published_on: date,
    as_of: date,
    forced_status: str | None,
    forced_review: str | None,
) -> list[UpdatePlan]:
    """Progress reports roughly once per reporting cycle (6 to 13 months apart), from 2020 on,
    with some cycles skipped, a status that only moves forward, cumulative progress, and no
    report after the pledge is fulfilled or discontinued."""
    dates = _report_dates(
        rng, published_on=published_on, as_of=as_of, at_least_one=bool(forced_status)
    )
    steps = _status_steps(rng, dates, forced_status=forced_status)
    plans = []
    for k, (day, status, progress) in enumerate(steps):
        review = _review_state(
            rng, latest=k == len(steps) - 1, day=day, as_of=as_of, forced=forced_review
        )
        plans.append(UpdatePlan(day, status, review, progress))
    return plans


def _report_dates(
    rng: random.Random, *, published_on: date, as_of: date, at_least_one: bool
) -> list[date]:
    last_day = as_of - timedelta(days=1)
    dates: list[date] = []
    day = published_on + timedelta(days=rng.randint(120, 400))
    if day < REPORTING_OPENS:
        day = REPORTING_OPENS + timedelta(days=rng.randint(0, 200))
    while day <= last_day and len(dates) < 6:
        if rng.random() < 0.7:
            dates.append(day)
        day += timedelta(days=rng.randint(180, 400))
    earliest = max(published_on, REPORTING_OPENS)
    if at_least_one and not dates and earliest <= last_day:
        dates.append(day_between(rng, earliest, last_day))
    return dates


def _status_steps(
    rng: random.Random, dates: Sequence[date], *, forced_status: str | None
) -> list[tuple[date, str, float]]:
    """(day, status, cumulative progress) of each report, up to the one that finishes."""
    steps: list[tuple[date, str, float]] = []
    status = FIRST_STATUS.pick(rng)
    progress = 0.0
    for k, day in enumerate(dates):
        if k:
            roll = rng.random()
            if roll < 0.04:
                status = ImplementationStatus.DISCONTINUED
            elif roll < 0.5 and status in STATUS_PATH[:-1]:
                status = STATUS_PATH[STATUS_PATH.index(status) + 1]
        if forced_status:
            status = forced_status
        progress = _progress_after(rng, status, progress)
        steps.append((day, status, progress))
        if status in {ImplementationStatus.FULFILLED, ImplementationStatus.DISCONTINUED}:
            break  # nobody reports on a finished pledge
    return steps


def _progress_after(rng: random.Random, status: str, progress: float) -> float:
    if status == ImplementationStatus.IN_PROGRESS:
        return min(0.95, progress + rng.uniform(0.1, 0.4))
    if status == ImplementationStatus.PLANNING:
        return min(progress + rng.uniform(0, 0.05), 0.95)
    if status == ImplementationStatus.FULFILLED:
        return max(progress, rng.uniform(1.0, 1.15))
    return progress


def _review_state(
    rng: random.Random, *, latest: bool, day: date, as_of: date, forced: str | None
) -> str:
    """Earlier reports have been reviewed; the latest may still wait, unless it is old."""
    if not latest:
        return EARLIER_REVIEW.pick(rng)
    if forced:
        return forced
    if day < as_of - timedelta(days=180):
        return EARLIER_REVIEW.pick(rng)  # the secretariat has long reviewed old reports
    return LAST_REVIEW.pick(rng)


def plan_fixed_updates(
    rng: random.Random, *, published_on: date, as_of: date, count: int
) -> list[UpdatePlan]:
    """Exactly `count` reports spread between publication and yesterday (the benchmark's data
    shape: a known number of updates per pledge). The status only moves forward, the last report
    may still wait for review, earlier ones are approved."""
    first = max(published_on, REPORTING_OPENS) + timedelta(days=30)
    last_day = as_of - timedelta(days=1)
    span = max((last_day - first).days, 0)
    status = FIRST_STATUS.pick(rng)
    progress = 0.0
    plans = []
    for k in range(count):
        day = min(first + timedelta(days=span * (k + 1) // count), last_day)
        if k and status in STATUS_PATH[:-1] and rng.random() < 0.5:
            status = STATUS_PATH[STATUS_PATH.index(status) + 1]
        if status == ImplementationStatus.IN_PROGRESS:
            progress = min(0.95, progress + rng.uniform(0.1, 0.4))
        elif status == ImplementationStatus.FULFILLED:
            progress = max(progress, rng.uniform(1.0, 1.15))
        review = LAST_REVIEW.pick(rng) if k == count - 1 else UpdateReviewState.APPROVED
        plans.append(UpdatePlan(day, status, review, progress))
    return plans


def actual_value(target: TargetPlan, progress: float) -> Decimal:
    base = float(target.baseline or 0)
    value = base + (float(target.value) - base) * progress
    if target.unit == TargetUnit.PERCENT:
        return Decimal(f"{min(100.0, value):.1f}")
    if target.unit == TargetUnit.USD:
        return Decimal(f"{value:.2f}")
    return Decimal(round(value))
