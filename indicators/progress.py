"""How progress is computed: pure functions, no ORM (see docs/progress.md for the definitions
and a worked example whose numbers the tests check).

Rules learnt from bugs of similar trackers live here: percentages come from numerators and
denominators, never from averaging percentages; missing values stay missing (None), never zero;
indicator progress is direction-aware and clamped to 0–100 %.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
ONE = Decimal(1)


def ratio(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    """numerator / denominator, or None when either is missing or the denominator is zero."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return Decimal(numerator) / Decimal(denominator)


def implementation_score(
    status_counts: Mapping[str, int], pledges: int, weights: Mapping[str, Decimal]
) -> Decimal | None:
    """Mean status weight over the pledges; a pledge with no approved update weighs 0.

    `status_counts` maps implementation statuses to counts (pledges without an update are simply
    not in it, or under a key without a weight)."""
    if pledges == 0:
        return None
    total = sum(
        (weights.get(status, ZERO) * count for status, count in status_counts.items()), ZERO
    )
    return total / pledges


def indicator_progress(
    *, baseline: Decimal | None, target: Decimal | None, latest: Decimal | None
) -> Decimal | None:
    """Where the latest value stands between baseline (0 %) and target (100 %), clamped.

    Direction comes from the target itself: a lower-is-better indicator has its target below its
    baseline, and the same formula measures the fall. Missing inputs, or a target equal to the
    baseline, give None."""
    if baseline is None or target is None or latest is None or target == baseline:
        return None
    share = (Decimal(latest) - Decimal(baseline)) / (Decimal(target) - Decimal(baseline))
    return min(max(share, ZERO), ONE)


def mean(values: list[Decimal | None]) -> Decimal | None:
    """The mean of the values that exist (None when none do)."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    return sum(present, ZERO) / len(present)


@dataclass(frozen=True)
class Composite:
    score: Decimal | None
    components: dict[str, Decimal | None]
    weights: dict[str, Decimal]
    weights_used: Decimal


def composite(
    components: Mapping[str, Decimal | None], weights: Mapping[str, Decimal]
) -> Composite:
    """Weighted mean of the components that have data; the others drop out, and the weights
    actually used are returned beside the score so that it can be explained."""
    present = {name: value for name, value in components.items() if value is not None}
    used = {name: weights[name] for name in present}
    weights_used = sum(used.values(), ZERO)
    score = None
    if weights_used:
        score = sum((present[n] * w for n, w in used.items()), ZERO) / weights_used
    return Composite(
        score=score,
        components=dict(components),
        weights={name: weights[name] for name in components},
        weights_used=weights_used,
    )


def fmt(value: Decimal | None, places: int = 4) -> str | None:
    """A Decimal as a fixed-point string for JSON (None stays None: missing is not zero)."""
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-places)
    return str(Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP))


def money(value: Decimal | None) -> str | None:
    return fmt(value, 2)
