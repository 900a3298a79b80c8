"""What the demo's pledges seek and offer, and their matches, written in bulk at every scale:
two INSERT … SELECT for the needs/offers and their countries (the pledges are already in the
table), one COPY for the matches.

- Every published State pledge seeks support: its first type of support (else financial), its
  first thematic area, its beneficiary countries, and its title and the start of its
  description as text (so that suggestions find words in common).
- Every published pledge of another entity with an amount offers support likewise, with its
  amount and currency.
- The donors' pledges that `links` paired with a host State's pledge become matches: most
  accepted by both sides, some still proposed (the donor accepted, the State has not
  answered), a few declined by the State.
"""

from collections.abc import Sequence
from datetime import timedelta

from django.db import connection

from matching.models import Decision, Match, MatchState, Side, SupportPosition
from pledges.models import Entity, EntityType, Pledge, ReviewState, SupportType

from .draws import stream
from .links import MatchPairs
from .writer import Writer

MATCH_COLUMNS = (
    "seeking_id",
    "offering_id",
    "state",
    "proposed_for_id",
    "message",
    "seeking_decision",
    "seeking_decided_at",
    "offering_decision",
    "offering_decided_at",
    "closed_at",
    "created_at",
    "updated_at",
)
TEXT_LENGTH = 300


def create_positions(*, pledge_ids: Sequence[int]) -> int:
    """Needs and offers of the pledges of this run (their ids are one reserved range)."""
    if not pledge_ids:
        return 0
    first, last = min(pledge_ids), max(pledge_ids)
    positions = SupportPosition._meta.db_table
    countries = SupportPosition.countries.through._meta.db_table
    pledges = Pledge._meta.db_table
    entities = Entity._meta.db_table
    types = EntityType._meta.db_table
    support_types = SupportType._meta.db_table
    pledge_types = Pledge.support_types.through._meta.db_table
    pledge_areas = Pledge.thematic_areas.through._meta.db_table
    beneficiaries = Pledge.beneficiary_countries.through._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO "{positions}" (
                pledge_id, side, support_type_id, amount, currency_id, thematic_area_id,
                description, created_at, updated_at
            )
            SELECT p.id, CASE WHEN t.code = 'state' THEN %(seeks)s ELSE %(offers)s END,
                COALESCE(
                    (SELECT pt.supporttype_id FROM "{pledge_types}" pt
                     WHERE pt.pledge_id = p.id ORDER BY pt.supporttype_id LIMIT 1),
                    (SELECT st.id FROM "{support_types}" st WHERE st.code = 'financial')
                ),
                CASE WHEN t.code = 'state' THEN NULL ELSE p.amount END,
                CASE WHEN t.code = 'state' THEN NULL ELSE p.currency_id END,
                (SELECT pa.thematicarea_id FROM "{pledge_areas}" pa
                 WHERE pa.pledge_id = p.id ORDER BY pa.thematicarea_id LIMIT 1),
                p.title || '. ' || left(p.description, %(length)s),
                p.published_at, p.published_at
            FROM "{pledges}" p
            JOIN "{entities}" e ON e.id = p.entity_id
            JOIN "{types}" t ON t.id = e.entity_type_id
            WHERE p.id BETWEEN %(first)s AND %(last)s AND p.review_state = %(published)s
                AND (t.code = 'state' OR p.amount IS NOT NULL)
                AND EXISTS (SELECT 1 FROM "{support_types}")
            ORDER BY p.id
            """,  # noqa: S608 — table names from the models, values as parameters
            {
                "seeks": Side.SEEKS,
                "offers": Side.OFFERS,
                "length": TEXT_LENGTH,
                "first": first,
                "last": last,
                "published": ReviewState.PUBLISHED,
            },
        )
        made = cursor.rowcount
        cursor.execute(
            f"""
            INSERT INTO "{countries}" (supportposition_id, country_id)
            SELECT sp.id, bc.country_id FROM "{positions}" sp
            JOIN "{beneficiaries}" bc ON bc.pledge_id = sp.pledge_id
            WHERE sp.pledge_id BETWEEN %s AND %s
            """,  # noqa: S608 — as above
            [first, last],
        )
    return made


def create_matches(
    *, pairs: MatchPairs, entity_of: dict[int, int], seed: int, writer: Writer
) -> int:
    """The paired pledges' matches: 70 % accepted, 20 % proposed by the donor, 10 % declined."""
    rng = stream(seed, "matches")
    rows = []
    for (seeking, offering), made in sorted(pairs.items()):
        roll = rng.random()
        answered = made + timedelta(days=rng.randint(1, 60))
        if roll < 0.7:
            state, answer, closed = MatchState.ACCEPTED, Decision.ACCEPTED, answered
        elif roll < 0.9:
            state, answer, closed = MatchState.PROPOSED, Decision.PENDING, None
        else:
            state, answer, closed = MatchState.DECLINED, Decision.DECLINED, answered
        rows.append(
            (
                seeking,
                offering,
                state,
                entity_of[offering],  # the donor proposed, accepting for its side
                "",
                answer,
                closed,
                Decision.ACCEPTED,
                made,
                closed,
                made,
                closed or made,
            )
        )
    return writer.insert(Match, MATCH_COLUMNS, rows)
