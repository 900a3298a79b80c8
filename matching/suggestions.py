"""Which offers suit a seeking pledge, and which needs suit an offering pledge: one SQL query
ranks every candidate with a score whose parts are returned too, so a page can say WHY it is
suggested (docs/matching.md). Both directions are the same query with the sides swapped
(`side`: the side of the pledges given); below, "needs" and "offers" are those of the default
direction, a seeking pledge's.

Score of an offer for a seeking pledge (the pledge's needs taken together):
- 3 points per country the offer shares with the needs (at most 3 counted: 9),
- 2 points per objective the two pledges share (at most 2 counted: 4),
- 3 points when the offer's thematic area is one of the needs',
- 4 points when the offer's type of support is one of the needs',
- up to 4 points for the text: PostgreSQL's `ts_rank` of the offer's text against the needs'
  words of four letters or more (any of them), times 10, capped at 1, times 4.

Candidates are published pledges' offers that share a country or a thematic area with the
needs (found through the indexes on the countries' link table and on the thematic area; at most
`CANDIDATES` of each kind), other
than the seeking pledge's own and those already in an open match with it; the best offer of
each offering pledge counts once. Words and the type of support only score: common words or
a type of support are shared by most offers, so as candidates they made every suggestion read
every offer (2.5 s per pledge at 50,000 demo pledges).
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from pledges.models import Pledge, ReviewState

from .models import OPEN_STATES, TEXT_CONFIG, Match, Side, SupportPosition

WEIGHTS = {
    "country": 3,
    "countries_counted": 3,
    "objective": 2,
    "objectives_counted": 2,
    "thematic_area": 3,
    "support_type": 4,
    "text": 4,
}
DEFAULT_LIMIT = 5
# At most this many candidates per way of being one (sharing countries, sharing a thematic
# area) are scored for a seeking pledge: those sharing most countries (the newest among
# equals), and any of those sharing a thematic area (through its index, in no set order).
CANDIDATES = 300


@dataclass(frozen=True)
class Suggestion:
    """One offer suggested for a seeking pledge (`side` SEEKS), or one need suggested for an
    offering pledge (`side` OFFERS), with the parts of its score. `candidate` is the suggested
    offer or need; `other` its pledge."""

    pledge_id: int
    candidate: SupportPosition
    shared_countries: int
    shared_objectives: int
    same_thematic_area: bool
    same_support_type: bool
    text_points: Decimal
    score: Decimal
    side: str = Side.SEEKS

    @property
    def other(self) -> Pledge:
        return self.candidate.pledge

    @property
    def for_seeking(self) -> bool:
        """A suggested offer for a need (else a suggested need for an offer)."""
        return self.side == Side.SEEKS


def _opposite(side: str) -> str:
    return Side.OFFERS if side == Side.SEEKS else Side.SEEKS


def _sql(side: str = Side.SEEKS) -> str:
    positions = SupportPosition._meta.db_table
    countries = SupportPosition.countries.through._meta.db_table
    objectives = Pledge.objectives.through._meta.db_table
    pledges = Pledge._meta.db_table
    matches = Match._meta.db_table
    w = WEIGHTS
    open_states = ", ".join(f"'{state}'" for state in OPEN_STATES)
    # `mine`: the side of the given pledges' positions; `theirs`: the candidates' side.
    mine, theirs = side, _opposite(side)
    # An open match of the pair, whichever side the given pledge is on.
    seeking_col, offering_col = (
        ("s.pledge_id", "o.pledge_id") if side == Side.SEEKS else ("o.pledge_id", "s.pledge_id")
    )
    # Table names and constants come from the code, every value is a parameter.
    return f"""
    WITH seeker AS (
        SELECT s.pledge_id,
            websearch_to_tsquery('{TEXT_CONFIG}', COALESCE(words.text, '')) AS query,
            ARRAY(SELECT DISTINCT nc.country_id FROM "{positions}" n
                  JOIN "{countries}" nc ON nc.supportposition_id = n.id
                  WHERE n.pledge_id = s.pledge_id AND n.side = '{mine}') AS countries,
            ARRAY(SELECT DISTINCT n.support_type_id FROM "{positions}" n
                  WHERE n.pledge_id = s.pledge_id AND n.side = '{mine}') AS types,
            ARRAY(SELECT DISTINCT n.thematic_area_id FROM "{positions}" n
                  WHERE n.pledge_id = s.pledge_id AND n.side = '{mine}'
                  AND n.thematic_area_id IS NOT NULL) AS areas,
            ARRAY(SELECT po.objective_id FROM "{objectives}" po
                  WHERE po.pledge_id = s.pledge_id) AS objectives
        FROM unnest(%(ids)s::bigint[]) AS s(pledge_id)
        CROSS JOIN LATERAL (
            SELECT string_agg(word, ' or ') AS text FROM (
                SELECT DISTINCT word FROM "{positions}" n,
                    regexp_split_to_table(lower(n.description), '[^[:alnum:]]+') AS word
                WHERE n.pledge_id = s.pledge_id AND n.side = '{mine}'
                    AND char_length(word) >= 4 AND word <> 'or'
                ORDER BY word LIMIT 32
            ) distinct_words
        ) words
    )
    SELECT s.pledge_id, best.offer_id, best.shared_countries, best.shared_objectives,
        best.same_area, best.same_type, best.text_points, best.score
    FROM seeker s
    CROSS JOIN LATERAL (
        SELECT * FROM (
            SELECT DISTINCT ON (scored.offering_id) scored.*
            FROM (
                SELECT parts.*,
                    {w["country"]} * LEAST(parts.shared_countries, {w["countries_counted"]})
                    + {w["objective"]} * LEAST(parts.shared_objectives, {w["objectives_counted"]})
                    + {w["thematic_area"]} * parts.same_area::int
                    + {w["support_type"]} * parts.same_type::int
                    + parts.text_points AS score
                FROM (
                    SELECT o.id AS offer_id, o.pledge_id AS offering_id,
                        COALESCE(hits.shared, 0) AS shared_countries,
                        (SELECT count(*) FROM "{objectives}" po
                         WHERE po.pledge_id = o.pledge_id
                           AND po.objective_id = ANY(s.objectives)) AS shared_objectives,
                        COALESCE(o.thematic_area_id = ANY(s.areas), false) AS same_area,
                        COALESCE(o.support_type_id = ANY(s.types), false) AS same_type,
                        round((
                            {w["text"]} * LEAST(1, 10 * ts_rank(o.search_vector, s.query))
                        )::numeric, 2) AS text_points
                    FROM (
                        -- The candidates: the offers sharing most countries with the needs
                        -- (through the country index of the link table), and offers in one of
                        -- their thematic areas; each branch bounded, so that the work per
                        -- seeking pledge does not grow with the number of offers.
                        (
                            SELECT oc.supportposition_id AS offer_id, count(*) AS shared
                            FROM "{countries}" oc WHERE oc.country_id = ANY(s.countries)
                            GROUP BY oc.supportposition_id
                            ORDER BY count(*) DESC, oc.supportposition_id DESC
                            LIMIT {CANDIDATES}
                        )
                        UNION ALL
                        (
                            SELECT a.id, 0 FROM "{positions}" a
                            WHERE cardinality(s.areas) > 0
                                AND a.thematic_area_id = ANY(s.areas) AND a.side = '{theirs}'
                                AND NOT EXISTS (
                                    SELECT 1 FROM "{countries}" ac
                                    WHERE ac.supportposition_id = a.id
                                        AND ac.country_id = ANY(s.countries)
                                )
                            LIMIT {CANDIDATES}
                        )
                        OFFSET 0
                    ) hits
                    -- Each candidate looked up by its key: without the OFFSET 0 fences the
                    -- planner hashed every offer of every published pledge (measured 10x slower).
                    CROSS JOIN LATERAL (
                        SELECT o.* FROM "{positions}" o
                        JOIN "{pledges}" op ON op.id = o.pledge_id
                        WHERE o.id = hits.offer_id
                            AND o.side = '{theirs}'
                            AND op.review_state = '{ReviewState.PUBLISHED}'
                            AND o.pledge_id <> s.pledge_id
                        OFFSET 0
                    ) o
                    WHERE true
                        AND NOT EXISTS (
                            SELECT 1 FROM "{matches}" m
                            WHERE m.seeking_id = {seeking_col} AND m.offering_id = {offering_col}
                              AND m.state IN ({open_states})
                        )
                ) parts
            ) scored
            ORDER BY scored.offering_id, scored.score DESC, scored.offer_id
        ) per_pledge
        ORDER BY per_pledge.score DESC, per_pledge.offer_id
        LIMIT %(limit)s
    ) best
    ORDER BY s.pledge_id, best.score DESC, best.offer_id
    """  # noqa: S608 — as said above


def suggestions_for(
    seeking_ids: list[int], *, limit: int = DEFAULT_LIMIT, side: str = Side.SEEKS
) -> dict[int, list[Suggestion]]:
    """The best `limit` offers for each seeking pledge, best first (one ranking query, then
    one query loading the suggested offers and their pledges for display); with `side`
    OFFERS, the best needs for each offering pledge."""
    if not seeking_ids:
        return {}
    with transaction.atomic(), connection.cursor() as cursor:
        # The planner's estimate over the LATERAL join is far above the work done (46 ms at
        # 50,000 demo pledges), which made PostgreSQL JIT-compile it: 2.4 s (as the progress
        # engine found, docs/performance.md).
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(_SQL[side], {"ids": list(seeking_ids), "limit": limit})
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    offers = SupportPosition.objects.select_related(
        "pledge__entity", "support_type", "currency", "thematic_area"
    ).in_bulk([row[1] for row in rows])
    found: dict[int, list[Suggestion]] = {pk: [] for pk in seeking_ids}
    for seeking_id, offer_id, countries, objectives, area, kind, text, score in rows:
        found[seeking_id].append(
            Suggestion(
                pledge_id=seeking_id,
                candidate=offers[offer_id],
                shared_countries=countries,
                shared_objectives=objectives,
                same_thematic_area=area,
                same_support_type=kind,
                text_points=text,
                score=score,
                side=side,
            )
        )
    return found


_SQL = {side: _sql(side) for side in Side.values}


def suggestions(
    pledge: Pledge, *, limit: int = DEFAULT_LIMIT, side: str = Side.SEEKS
) -> list[Suggestion]:
    """Offers for `pledge`'s needs (`side` SEEKS), or needs for its offers (`side` OFFERS)."""
    return suggestions_for([pledge.pk], limit=limit, side=side)[pledge.pk]
