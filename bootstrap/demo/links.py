"""Typed links between the new pledges, and the reference counters that let the app continue
numbering after them."""

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime

from pledges.models import LinkKind, PledgeLink, PledgeReferenceCounter, ReviewState

from .bundles import IndexRow
from .draws import at, stream
from .writer import Writer


def create_links(*, rows: Sequence[IndexRow], seed: int, writer: Writer) -> int:
    """Typed links between the new pledges, never from a pledge to itself: every superseded
    pledge is superseded by a later one, donors' pledges match host States' pledges, some pledges
    contribute to a multistakeholder pledge, and some rejected or withdrawn ones duplicate
    another."""
    rng = stream(seed, "links")
    by_entity: dict[int, list[IndexRow]] = defaultdict(list)
    by_forum: dict[int, list[IndexRow]] = defaultdict(list)
    state_pledges: dict[int, list[IndexRow]] = defaultdict(list)
    hubs: dict[int, list[IndexRow]] = defaultdict(list)
    for row in rows:
        by_entity[row.entity_id].append(row)
        by_forum[row.forum_id].append(row)
        if row.state == ReviewState.PUBLISHED:
            if row.entity_type == "state":
                state_pledges[row.forum_id].append(row)
            elif row.entity_type in {"un_agency", "ngo"} and len(hubs[row.forum_id]) < 5:
                hubs[row.forum_id].append(row)
    # (source, target, kind) -> when the link was made (the later pledge's announcement)
    links: dict[tuple[int, int, str], datetime] = {}

    def link(source: IndexRow, target: IndexRow, kind: str) -> None:
        if source.id != target.id and (source.id, target.id, kind) not in links:
            made = at(max(source.announced_on, target.announced_on), 12)
            links[(source.id, target.id, kind)] = made

    def another(
        pool: Sequence[IndexRow], row: IndexRow, fits: Callable[[IndexRow], bool]
    ) -> IndexRow | None:
        """A random pledge of `pool` other than `row` that fits, if a few tries find one (a
        large State has thousands of pledges, so the pool is sampled, not filtered)."""
        for _ in range(20):
            candidate = rng.choice(pool)
            if candidate.id != row.id and fits(candidate):
                return candidate
        return None

    for row in rows:
        if row.state == ReviewState.SUPERSEDED:
            successor = another(
                by_entity[row.entity_id],
                row,
                lambda r, row=row: (
                    r.compact_code == row.compact_code and r.announced_on >= row.announced_on
                ),
            ) or another(by_forum[row.forum_id], row, lambda r: True)
            if successor:
                link(successor, row, LinkKind.SUPERSEDES)
        roll = rng.random()
        if (
            row.state == ReviewState.PUBLISHED
            and row.entity_type != "state"
            and row.has_amount
            and state_pledges[row.forum_id]
            and roll < 0.08
        ):
            link(row, rng.choice(state_pledges[row.forum_id]), LinkKind.MATCHES)
        elif hubs[row.forum_id] and roll > 0.96:
            link(row, rng.choice(hubs[row.forum_id]), LinkKind.CONTRIBUTES_TO)
        if row.state in {ReviewState.REJECTED, ReviewState.WITHDRAWN} and rng.random() < 0.25:
            original = another(by_entity[row.entity_id], row, lambda r: True) or another(
                by_forum[row.forum_id], row, lambda r: True
            )
            if original:
                link(row, original, LinkKind.DUPLICATE_OF)
    # Even a small demo shows every kind of link: add one plausible pair for any kind missing.
    published = [r for r in rows if r.state == ReviewState.PUBLISHED]
    candidates = {
        LinkKind.SUPERSEDES: (rows, [r for r in rows if r.state == ReviewState.SUPERSEDED]),
        LinkKind.MATCHES: (
            [r for r in published if r.entity_type != "state"],
            [r for r in published if r.entity_type == "state"],
        ),
        LinkKind.CONTRIBUTES_TO: (rows, [r for hub in hubs.values() for r in hub]),
        LinkKind.DUPLICATE_OF: (
            [r for r in rows if r.state in {ReviewState.REJECTED, ReviewState.WITHDRAWN}],
            rows,
        ),
    }
    present = {kind for _, _, kind in links}
    for kind, (sources, targets) in candidates.items():
        pair = next(
            ((s, t) for s in sources[:50] for t in targets[:50] if s.id != t.id),
            None,
        )
        if kind not in present and pair:
            link(*pair, kind)
    writer.insert(
        PledgeLink,
        ("source_id", "target_id", "kind", "created_at", "updated_at"),
        [(*key, made, made) for key, made in links.items()],
    )
    return len(links)


def save_counters(highest: dict[int, int]) -> None:
    """Let the app continue numbering after the demo pledges."""
    for forum_id, number in sorted(highest.items()):
        counter, created = PledgeReferenceCounter.objects.get_or_create(
            forum_id=forum_id, defaults={"last_number": number}
        )
        if not created and counter.last_number < number:
            counter.last_number = number
            counter.save(update_fields=["last_number"])
