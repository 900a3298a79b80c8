"""Writing the change feed: `record` is the one service, called by the services that change
public data, inside their transaction.

A caller does not say what kind of change it made; it says, for each row it touched, whether
the row is public now (what the anonymous API lists show). `record` compares that with the
row's last feed entry: public and new to the feed → created, public again → updated, no longer
public → removed (with the reason and successor the caller gives), never public → nothing.
So a transition, an edit, a co-pledger leaving or an entity losing its verification all need
the same one call, and the feed cannot say "removed" about a row it never showed.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import Action, Change, RemovalReason, Resource


@dataclass(frozen=True)
class Seen:
    """One row as a change leaves it: its key (reference or id as the API addresses it),
    whether the public may see it now, and if not, why and what replaced it."""

    key: str
    public: bool
    reason: str = ""
    successor: str = ""


# Rows whose visibility follows another resource's (a match is public while both its pledges
# are): a higher app registers, in its AppConfig.ready, what to re-record when rows of
# `resource` enter or leave the public lists. Keeps the arrows pointing down: pledges never
# import matching.
Follower = Callable[[set[str]], None]
_followers: dict[str, list[Follower]] = {}


def follow(resource: Resource, follower: Follower) -> None:
    """Call `follower(keys)` whenever rows of `resource` are created or removed in the feed."""
    if follower not in _followers.setdefault(resource, []):
        _followers[resource].append(follower)


# Past this many rows, one record() locks the whole resource instead of each row: every
# advisory lock takes a slot of the shared lock table until commit (max_locks_per_transaction
# per connection), and a nightly recompute records thousands of snapshots.
MAX_ROW_LOCKS = 64


def _lock(resource: str, keys: Sequence[str]) -> None:
    """Serialise writers of the same rows' feed entries until commit, in one order (no
    deadlock between two callers recording overlapping sets): the second writer then reads
    the first one's entry as the latest. A few rows: the resource shared, each row exclusive;
    many rows: the resource exclusive (which waits for, and holds off, every other writer)."""
    with connection.cursor() as cursor:
        if len(keys) > MAX_ROW_LOCKS:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [resource])
            return
        cursor.execute("SELECT pg_advisory_xact_lock_shared(hashtextextended(%s, 0))", [resource])
        cursor.execute(
            "SELECT pg_advisory_xact_lock(h) FROM ("
            " SELECT DISTINCT hashtextextended(%s || ':' || k, 0) AS h"
            " FROM unnest(%s::text[]) AS k ORDER BY 1) AS locks",
            [resource, list(keys)],
        )


def _current_xid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::text::bigint")
        (xid,) = cursor.fetchone() or (0,)
    return int(xid)


def _was_public(resource: str, keys: Sequence[str]) -> dict[str, bool]:
    latest = (
        Change.objects.filter(resource=resource, key__in=keys)
        .order_by("key", "-id")
        .distinct("key")
        .values_list("key", "action")
    )
    return {key: action != Action.REMOVED for key, action in latest}


def record(resource: Resource, states: Sequence[Seen]) -> list[Change]:
    """Append the feed entries for `states` (rows of `resource` a change just touched) and
    return them; rows that were and stay unpublished get none. Runs in the caller's
    transaction (atomic on its own otherwise)."""
    states = [state for state in states if state.key]
    if not states:
        return []
    with transaction.atomic():
        keys = sorted({state.key for state in states})
        _lock(resource, keys)
        was = _was_public(resource, keys)
        now = timezone.now()
        rows: list[Change] = []
        for state in {state.key: state for state in states}.values():
            before = was.get(state.key, False)
            if state.public:
                action = Action.UPDATED if before else Action.CREATED
                rows.append(Change(resource=resource, key=state.key, action=action, at=now))
            elif before:
                rows.append(
                    Change(
                        resource=resource,
                        key=state.key,
                        action=Action.REMOVED,
                        at=now,
                        reason=state.reason or RemovalReason.UNPUBLISHED,
                        successor=state.successor,
                    )
                )
        if not rows:
            return []
        xid = _current_xid()
        for row in rows:
            row.xid = xid
        created = Change.objects.bulk_create(rows)
        flipped = {row.key for row in created if row.action != Action.UPDATED}
        if flipped:
            for follower in _followers.get(resource, []):
                follower(flipped)
        return created


def tombstones(resource: Resource) -> QuerySet[Change]:
    """The latest entry of each row of `resource` whose latest entry is a removal: what
    `include_removed=true` lists and a removed pledge's detail answers with 410."""
    latest = (
        Change.objects.filter(resource=resource).order_by("key", "-id").distinct("key").values("id")
    )
    return Change.objects.filter(id__in=latest, action=Action.REMOVED).order_by("at", "id")
