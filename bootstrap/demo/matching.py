"""What the demo's pledges seek and offer, and their matches, written in bulk at every scale:
the needs and offers are built with each chunk of pledges (`bundles`), the matches in one COPY.

- Every published State pledge seeks support: its first type of support (else financial), its
  first thematic area, its beneficiary countries, and its title and the start of its
  description as text (so that suggestions find words in common).
- Every published pledge of another entity with an amount offers support likewise, with its
  amount and currency.
- The donors' pledges that `links` paired with a host State's pledge become matches: most
  accepted by both sides, some still proposed (the donor accepted, the State has not
  answered), a few declined by the State.
"""

from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from matching.models import Decision, Match, MatchState, Side
from pledges.models import ReviewState

from .draws import stream
from .pledges import PLEDGE_COLUMNS
from .writer import Writer

if TYPE_CHECKING:  # both import `bundles`, which builds positions with this module
    from .links import MatchPairs
    from .pledges import PledgeBundle

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
POSITION_COLUMNS = (
    "id",
    "pledge_id",
    "side",
    "support_type_id",
    "amount",
    "currency_id",
    "thematic_area_id",
    "description",
    "created_at",
    "updated_at",
)
TEXT_LENGTH = 300


def position_rows(
    bundles: Sequence["PledgeBundle"], *, ids: Iterator[int], financial_type: int | None
) -> tuple[list[tuple[Any, ...]], list[tuple[int, str]]]:
    """The needs and offers of one chunk of pledges (and their countries), built with the
    pledges rather than read back from them: an INSERT … SELECT over the million written
    pledges took 34 s of the 1,000,000-pledge load."""
    positions: list[tuple[Any, ...]] = []
    countries: list[tuple[int, str]] = []
    for bundle in bundles:
        row = dict(zip(PLEDGE_COLUMNS, bundle.row, strict=True))
        seeks = bundle.skeleton.entity.type_code == "state"
        if row["review_state"] != ReviewState.PUBLISHED or not (seeks or bundle.amount):
            continue
        support_type = min(bundle.support_types, default=financial_type)
        if support_type is None:
            continue  # no types of support loaded
        position_id = next(ids)
        positions.append(
            (
                position_id,
                bundle.id,
                Side.SEEKS if seeks else Side.OFFERS,
                support_type,
                None if seeks else bundle.amount,
                None if seeks else row["currency_id"],
                min(bundle.thematic_areas, default=None),
                f"{row['title']}. {row['description'][:TEXT_LENGTH]}",
                row["published_at"],
                row["published_at"],
            )
        )
        countries.extend((position_id, country) for country in bundle.countries)
    return positions, countries


def create_matches(
    *, pairs: "MatchPairs", entity_of: dict[int, int], seed: int, writer: Writer
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
