"""Reproducible random draws and the small conversions the generator shares."""

import math
import random
import unicodedata
from bisect import bisect
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from .words import STOPWORDS

if TYPE_CHECKING:
    from _typeshed import SupportsLenAndGetItem

T = TypeVar("T")


class _FastRandom(random.Random):
    """`random.Random` with cheaper integer draws: the generator makes millions of them, and
    the exact integer algorithm of the standard library costs three times as much. Drawing from
    a float biases a choice among n values by less than n / 2**53: invisible in demo data."""

    def _randbelow(self, n: int) -> int:  # used by randrange, choice, sample, shuffle
        return int(self.random() * n)

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def choice(self, seq: "SupportsLenAndGetItem[T]") -> T:
        return seq[int(self.random() * len(seq))]


def stream(seed: int, stage: str) -> random.Random:
    """An independent, reproducible random stream per stage (str seeds hash with SHA-512, not with
    the per-process `hash()`, so they are stable across runs)."""
    return _FastRandom(f"{seed}:{stage}")


class Picker:
    """Repeated weighted picks from one population, with cumulative weights computed once."""

    def __init__(self, items: Sequence[Any], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cum: list[float] = []
        self.total = 0.0
        for w in weights:
            self.total += w
            self.cum.append(self.total)

    @classmethod
    def of(cls, weights: Mapping[Any, float]) -> "Picker":
        return cls(list(weights), list(weights.values()))

    def __bool__(self) -> bool:
        return bool(self.items)

    def pick(self, rng: random.Random) -> Any:
        # min(): a product that rounds up to the total must still pick the last item.
        return self.items[min(bisect(self.cum, rng.random() * self.total), len(self.items) - 1)]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def day_between(rng: random.Random, first: date, last: date) -> date:
    if last <= first:
        return first
    return first + timedelta(days=rng.randint(0, (last - first).days))


def log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def ascii_only(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def acronym_of(name: str) -> str:
    words = [w for w in name.replace("-", " ").split() if w.lower() not in STOPWORDS]
    letters = "".join(w[0] for w in words if w[0].isalpha()).upper()
    return ascii_only(letters)
