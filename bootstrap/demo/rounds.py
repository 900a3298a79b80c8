"""Continuous pledging, reaffirmations, reporting rounds and co-pledgers' reports (issue 17,
items 4 and 6) in the demo data. Pledges announced between forums are written so by the
builder (`announced_between_forums`); every later step is one INSERT … SELECT over all the
written pledges, so its cost does not grow with Python loops at 1,000,000 pledges. Which
pledges are chosen depends on their ids only, so a run is reproducible."""

from datetime import date, timedelta
from typing import Any

from django.db import connection

from compacts.models import Compact
from forums.models import Forum, ReportingRound
from pledges.models import ContinuousReferenceCounter, ReviewState

# One published pledge in BETWEEN_FORUMS is moved outside any forum, one in REAFFIRMED is
# reaffirmed at the next forum of its compact, one in CO_REPORTS gets a co-pledger's report.
BETWEEN_FORUMS = 20
REAFFIRMED = 12
CO_REPORTS = 3


# compact code -> (round id, first day, last day) of each of its rounds
RoundWindows = dict[str, list[tuple[int, date, date]]]


def create_rounds(*, as_of: date) -> RoundWindows:
    """The reporting rounds, before the pledges: their updates are written with the round they
    answer (`round_for`), not moved into it afterwards (an UPDATE of half the updates cost
    ~25 s at 1,000,000 pledges)."""
    windows: RoundWindows = {}
    for round_ in _create_rounds(as_of):
        last = round_.closes_on
        if round_.closed_early_on:
            last = min(last, round_.closed_early_on - timedelta(days=1))
        windows.setdefault(round_.compact.code, []).append((round_.pk, round_.opens_on, last))
    return windows


def round_for(windows: RoundWindows, compact_code: str, day: date) -> int | None:
    """The round of the compact open on `day` (an update submitted then answers it)."""
    for round_id, first, last in windows.get(compact_code, ()):
        if first <= day <= last:
            return round_id
    return None


def announced_between_forums(pk: int, state: str) -> bool:
    """Whether the demo pledge `pk` was announced outside any forum (numbered in its compact's
    continuous series, GCR-C-000001…): one published pledge in BETWEEN_FORUMS. Decided as the
    pledge is built: moving 35,000 written pledges out of their forum with an UPDATE took
    ~11 s at 1,000,000 pledges, every index of the table updated for each."""
    return state == ReviewState.PUBLISHED and pk % BETWEEN_FORUMS == 7


def continuous_numbers() -> dict[int, int]:
    """compact id -> the last number of its continuous series so far."""
    return dict(ContinuousReferenceCounter.objects.values_list("compact_id", "last_number"))


def create_rounds_demo(*, as_of: date) -> dict[str, int]:
    """Write the rows; returns how many of each (measured at 25,000 pledges: 0.3 s in all)."""
    return {
        "reaffirmations": _reaffirm(as_of),
        "co_pledger_updates": _co_pledger_updates(as_of),
    }


def _execute(sql: str, params: dict[str, Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _reaffirm(as_of: date) -> int:
    """Some published pledges were announced again at the next forum of their compact."""
    return _execute(
        """
        INSERT INTO pledges_pledgereaffirmation
            (pledge_id, forum_id, reaffirmed_on, reaffirmed_by_id, note, created_at)
        SELECT p.id, nxt.id, nxt.start_date, NULL,
               'Reaffirmed with an updated timeline.', nxt.start_date + time '12:00'
        FROM pledges_pledge p
        JOIN forums_forum own ON own.id = p.forum_id
        CROSS JOIN LATERAL (
            SELECT f.id, f.start_date FROM forums_forum f
            WHERE f.compact_id = p.compact_id AND f.start_date > own.start_date
              AND f.start_date < %(as_of)s
            ORDER BY f.start_date, f.id LIMIT 1
        ) nxt
        WHERE p.review_state = 'published' AND p.id %% %(every)s = 3
        -- Ids in pledge order, not in the order the pledges lie in the table (the loader's
        -- connections write theirs side by side): the same seed gives the same rows.
        ORDER BY p.id
        ON CONFLICT DO NOTHING
        """,
        {"every": REAFFIRMED, "as_of": as_of},
    )


def _create_rounds(as_of: date) -> list[ReportingRound]:
    """Per compact: a closed round of last year tied to its latest past forum, a round closed
    early, and one open now between forums (a handful of rows: the ORM is fine)."""
    rounds = []
    for compact in Compact.objects.order_by("code"):
        forum = (
            Forum.objects.filter(compact=compact, start_date__lt=as_of)
            .order_by("-start_date")
            .first()
        )
        rounds += [
            ReportingRound(
                compact=compact,
                forum=forum,
                title=f"{compact.code} reporting round {as_of.year - 1}",
                opens_on=as_of - timedelta(days=420),
                closes_on=as_of - timedelta(days=300),
            ),
            ReportingRound(
                compact=compact,
                title=f"{compact.code} mid-term review {as_of.year - 1}",
                opens_on=as_of - timedelta(days=240),
                closes_on=as_of - timedelta(days=120),
                closed_early_on=as_of - timedelta(days=150),
            ),
            ReportingRound(
                compact=compact,
                title=f"{compact.code} reporting round {as_of.year}",
                opens_on=as_of - timedelta(days=60),
                closes_on=as_of + timedelta(days=60),
            ),
        ]
    return ReportingRound.objects.bulk_create(rounds)


def _co_pledger_updates(as_of: date) -> int:
    """Accepted, verified co-pledgers report on some joint pledges: approved and dated before
    the pledge's latest approved update (so the pledge's status and figures stay as planned),
    or pending when the pledge has none."""
    # `done`: co-pledgers that already reported (a second run into the same database adds
    # none twice), read once and hash-joined: during the bulk load the tables have no
    # secondary index, and a per-row subquery scanned every update for every participant.
    return _execute(
        """
        WITH done AS MATERIALIZED (
            SELECT DISTINCT u.pledge_id, u.entity_id
            FROM pledges_pledgeupdate u JOIN pledges_pledge p ON p.id = u.pledge_id
            WHERE u.entity_id <> p.entity_id
        ), chosen AS MATERIALIZED (
            SELECT pp.pledge_id, pp.entity_id, pp.id AS participant_id,
                   LEAST(COALESCE(p.last_update_on - 10, p.published_at::date + 30),
                         %(yesterday)s::date) AS day,
                   p.last_update_on IS NULL AS pending,
                   COALESCE(NULLIF(p.implementation_status, ''), 'in_progress') AS status
            FROM pledges_pledgeparticipant pp
            JOIN pledges_entity e ON e.id = pp.entity_id AND e.is_verified
            JOIN pledges_pledge p ON p.id = pp.pledge_id AND p.review_state = 'published'
            LEFT JOIN done ON done.pledge_id = pp.pledge_id AND done.entity_id = pp.entity_id
            WHERE pp.status = 'accepted' AND pp.pledge_id %% %(every)s = 1
              AND done.pledge_id IS NULL
        )
        INSERT INTO pledges_pledgeupdate
            (public_id, pledge_id, entity_id, status, narrative, challenges, evidence_links,
             reported_on, review_state, reviewed_at, review_note, created_at, updated_at)
        SELECT md5('co-pledger-update' || c.participant_id)::uuid, c.pledge_id, c.entity_id,
               c.status, 'Our part of this joint pledge is under way.', '', '[]'::jsonb,
               c.day,
               CASE WHEN c.pending THEN 'pending' ELSE 'approved' END,
               CASE WHEN c.pending THEN NULL ELSE c.day + time '15:00' END,
               '', c.day + time '10:00', c.day + time '10:00'
        FROM chosen c
        ORDER BY c.participant_id
        """,
        {"every": CO_REPORTS, "yesterday": as_of - timedelta(days=1)},
    )
