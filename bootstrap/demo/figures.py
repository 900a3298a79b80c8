"""Exchange rates and indicator values, so that the demo's money converts and its dashboards have
figures to show."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from core.models import ExchangeRate
from indicators.models import Indicator, IndicatorValue

from .draws import log_uniform, stream
from .snapshot import Reference
from .words import DEMO_SOURCE, USD_PER_UNIT
from .writer import Writer


def create_exchange_rates(
    *, ref: Reference, currencies: Iterable[str], seed: int, writer: Writer
) -> int:
    """USD per unit for every currency used, at each year-end since 2018 and at each forum's
    first day, so that any amount can be converted at a nearby dated rate."""
    rng = stream(seed, "rates")
    dates = {date(year, 12, 31) for year in range(2018, ref.as_of.year)}
    dates.update(f.start_date for f in ref.forums if f.start_date and f.start_date < ref.as_of)
    codes = sorted({*currencies, "USD"} & ref.currencies)
    existing = set(ExchangeRate.objects.filter(currency__in=codes).values_list("currency", "date"))
    rows = []
    for code in codes:
        centre = USD_PER_UNIT.get(code, 1.0)
        for day in sorted(dates):
            rate = 1.0 if code == "USD" else centre * (1 + rng.uniform(-0.08, 0.08))
            if (code, day) in existing:
                continue
            rows.append((code, day, Decimal(f"{rate:.6f}"), DEMO_SOURCE))
    writer.insert(ExchangeRate, ("currency_id", "date", "usd_per_unit", "source"), rows)
    return len(rows)


INDICATOR_VALUE_COLUMNS = (
    "indicator_id",
    "country_id",
    "year",
    "value",
    "numerator",
    "denominator",
    "source",
)
INDICATOR_COUNTRIES = "TR CO DE PK UG IR SD BD ET KE LB JO PE CD".split()


def create_indicator_values(*, ref: Reference, seed: int, writer: Writer) -> int:
    """Values for every indicator, globally and for ten large hosting countries, for every year
    from 2018 to last year. Percentages carry numerator and denominator, and global figures are
    the sum of the countries plus the rest of the world, so that they aggregate correctly."""
    rng = stream(seed, "indicators")
    countries = [c for c in INDICATOR_COUNTRIES if c in ref.countries][:10]
    years = list(range(2018, ref.as_of.year))
    existing = set(IndicatorValue.objects.values_list("indicator_id", "country_id", "year"))
    rows = []
    for indicator in Indicator.objects.order_by("compact__code", "code"):
        sign = -1 if indicator.direction == "lower" else 1
        totals: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
        entries: list[tuple[str | None, int, float, float | None, float | None]] = []
        # One name per column of an entry, whichever branch below fills it.
        country: str | None
        value: float
        numerator: float | None
        denominator: float | None
        for country in countries:
            size = log_uniform(rng, 0.2, 5)  # relative size of the refugee population
            level = rng.uniform(0.15, 0.6)
            for year in years:
                trend = 1 + sign * 0.04 * (year - years[0]) + rng.uniform(-0.03, 0.03)
                match indicator.unit:
                    case "percent":
                        denominator = round(size * 400_000 * (1 + 0.05 * (year - years[0])))
                        share = min(0.98, max(0.01, level * trend))
                        numerator = round(denominator * share)
                        totals[year][0] += numerator
                        totals[year][1] += denominator
                        value = 100 * numerator / denominator
                        entries.append((country, year, value, numerator, denominator))
                    case "count":
                        value = max(1, round(size * 8 * trend))
                        entries.append((country, year, value, None, None))
                    case "usd":
                        value = round(size * 150_000_000 * trend, -3)
                        totals[year][0] += value
                        entries.append((country, year, value, None, None))
                    case _:
                        value = round(size * 6_000 * trend)
                        totals[year][0] += value
                        entries.append((country, year, value, None, None))
        for year in years:
            rest = rng.uniform(1.3, 2.0)  # the rest of the world
            match indicator.unit:
                case "percent":
                    numerator, denominator = totals[year][0] * rest, totals[year][1] * rest
                    numerator, denominator = round(numerator), round(denominator)
                    value = 100 * numerator / denominator if denominator else 0.0
                    entries.append((None, year, value, numerator, denominator))
                case "count":
                    value = round(35 * (1 + 0.04 * (year - years[0])) + rng.randint(-3, 3))
                    entries.append((None, year, value, None, None))
                case _:
                    entries.append((None, year, round(totals[year][0] * rest), None, None))
        for country, year, value, numerator, denominator in entries:
            if (indicator.pk, country, year) in existing:
                continue
            rows.append(
                (
                    indicator.pk,
                    country,
                    year,
                    Decimal(f"{value:.4f}"),
                    Decimal(numerator) if numerator is not None else None,
                    Decimal(denominator) if denominator else None,
                    DEMO_SOURCE,
                )
            )
    writer.insert(IndicatorValue, INDICATOR_VALUE_COLUMNS, rows)
    return len(rows)
