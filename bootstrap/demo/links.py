"""Typed links between the new pledges, and the reference counters that let the app continue
numbering after them."""

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime

from pledges.models import (
    ContinuousReferenceCounter,
    LinkKind,
    PledgeLink,
    PledgeReferenceCounter,
    ReviewState,
)

from .bundles import IndexRow
from .draws import at, stream
from .writer import Writer

# (seeking pledge, offering pledge) -> when they were matched (the later announcement)
MatchPairs = dict[tuple[int, int], datetime]


def create_links(*, rows: Sequence[IndexRow], seed: int, writer: Writer) -> tuple[int, MatchPairs]:
    """Typed links between the new pledges, never from a pledge to itself: every superseded
    pledge is superseded by a later one and some rejected or withdrawn ones duplicate another.
    Donors' pledges that match host States' pledges are returned as pairs for `demo.matching`
    (matches are two-sided records of the matching app, and joining a multistakeholder pledge
    is a membership, `partnerships.py`: neither is a link)."""
    linker = _Linker(rows, stream(seed, "links"))
    for row in rows:
        # In this order: each step draws from the one random stream.
        linker.supersede(row)
        linker.maybe_match(row)
        linker.duplicate(row)
    linker.add_missing_kinds(rows)
    writer.insert(
        PledgeLink,
        ("source_id", "target_id", "kind", "created_at", "updated_at"),
        [(*key, made, made) for key, made in linker.links.items()],
    )
    return len(linker.links), linker.matches


class _Linker:
    """The new pledges grouped the ways a link looks for its other end, and the links so far."""

    def __init__(self, rows: Sequence[IndexRow], rng: random.Random) -> None:
        self.rng = rng
        self.by_entity: dict[int, list[IndexRow]] = defaultdict(list)
        self.by_forum: dict[int, list[IndexRow]] = defaultdict(list)
        self.state_pledges: dict[int, list[IndexRow]] = defaultdict(list)
        for row in rows:
            self.by_entity[row.entity_id].append(row)
            self.by_forum[row.forum_id].append(row)
            if row.state != ReviewState.PUBLISHED:
                continue
            if row.entity_type == "state":
                self.state_pledges[row.forum_id].append(row)
        # (source, target, kind) -> when the link was made (the later pledge's announcement)
        self.links: dict[tuple[int, int, str], datetime] = {}
        self.matches: MatchPairs = {}

    def link(self, source: IndexRow, target: IndexRow, kind: str) -> None:
        if source.id != target.id and (source.id, target.id, kind) not in self.links:
            made = at(max(source.announced_on, target.announced_on), 12)
            self.links[(source.id, target.id, kind)] = made

    def match(self, offering: IndexRow, seeking: IndexRow) -> None:
        if offering.id != seeking.id and (seeking.id, offering.id) not in self.matches:
            made = at(max(offering.announced_on, seeking.announced_on), 12)
            self.matches[(seeking.id, offering.id)] = made

    def another(
        self, pool: Sequence[IndexRow], row: IndexRow, fits: Callable[[IndexRow], bool]
    ) -> IndexRow | None:
        """A random pledge of `pool` other than `row` that fits, if a few tries find one (a
        large State has thousands of pledges, so the pool is sampled, not filtered)."""
        for _ in range(20):
            candidate = self.rng.choice(pool)
            if candidate.id != row.id and fits(candidate):
                return candidate
        return None

    def supersede(self, row: IndexRow) -> None:
        """A superseded pledge gets a successor: a later pledge of its entity under the same
        compact if one is found, else any pledge of its forum."""
        if row.state != ReviewState.SUPERSEDED:
            return
        successor = self.another(
            self.by_entity[row.entity_id],
            row,
            lambda r: r.compact_code == row.compact_code and r.announced_on >= row.announced_on,
        ) or self.another(self.by_forum[row.forum_id], row, lambda r: True)
        if successor:
            self.link(successor, row, LinkKind.SUPERSEDES)

    def maybe_match(self, row: IndexRow) -> None:
        """Some published non-State pledges with money match (offer what) a State's pledge at
        the same forum (seeks)."""
        roll = self.rng.random()
        if (
            row.state == ReviewState.PUBLISHED
            and row.entity_type != "state"
            and row.has_amount
            and self.state_pledges[row.forum_id]
            and roll < 0.08
        ):
            self.match(row, self.rng.choice(self.state_pledges[row.forum_id]))

    def duplicate(self, row: IndexRow) -> None:
        """A quarter of the rejected or withdrawn pledges duplicate another pledge."""
        if row.state in {ReviewState.REJECTED, ReviewState.WITHDRAWN} and self.rng.random() < 0.25:
            original = self.another(
                self.by_entity[row.entity_id], row, lambda r: True
            ) or self.another(self.by_forum[row.forum_id], row, lambda r: True)
            if original:
                self.link(row, original, LinkKind.DUPLICATE_OF)

    def add_missing_kinds(self, rows: Sequence[IndexRow]) -> None:
        """Even a small demo shows every kind of link, and a match: one plausible pair for any
        kind missing."""
        published = [r for r in rows if r.state == ReviewState.PUBLISHED]
        donors = [r for r in published if r.entity_type != "state" and r.has_amount]
        hosts = [r for r in published if r.entity_type == "state"]
        if not self.matches and donors and hosts:
            self.match(donors[0], hosts[0])
        candidates = {
            LinkKind.SUPERSEDES: (rows, [r for r in rows if r.state == ReviewState.SUPERSEDED]),
            LinkKind.DUPLICATE_OF: (
                [r for r in rows if r.state in {ReviewState.REJECTED, ReviewState.WITHDRAWN}],
                rows,
            ),
        }
        present = {kind for _, _, kind in self.links}
        for kind, (sources, targets) in candidates.items():
            pair = next(
                ((s, t) for s in sources[:50] for t in targets[:50] if s.id != t.id),
                None,
            )
            if kind not in present and pair:
                self.link(*pair, kind)


def save_counters(highest: dict[int, int], *, continuous: dict[int, int]) -> None:
    """Let the app continue numbering after the demo pledges: each forum's series after
    `highest` (forum id -> number), each compact's continuous series after `continuous`
    (compact id -> number). A counter is never moved back."""
    for model, key, numbers in (
        (PledgeReferenceCounter, "forum_id", highest),
        (ContinuousReferenceCounter, "compact_id", continuous),
    ):
        for pk, number in sorted(numbers.items()):
            counter, created = model.objects.get_or_create(
                **{key: pk}, defaults={"last_number": number}
            )
            if not created and counter.last_number < number:
                counter.last_number = number
                counter.save(update_fields=["last_number"])
