"""Public reads that join pledges with several other apps: headline figures and facet counts.

Everything is aggregated by PostgreSQL (GROUP BY, SUM, COUNT DISTINCT) in a fixed number of
queries, whatever the number of pledges (PERFORMANCE.md). Figures count published pledges only:
they are public facts and identical for every visitor.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils.functional import Promise

from compacts.models import Objective
from core.models import Country, Currency, Region

from .filters import IMPLEMENTATION_CHOICES, NO_UPDATE, PledgeFilter, objective_token
from .models import Entity, ParticipantStatus, Pledge, PledgeParticipant, ReviewState

USD = "USD"
MONEY = DecimalField(max_digits=30, decimal_places=2)
RATE = DecimalField(max_digits=20, decimal_places=10)


# --------------------------------------------------------------------------------------------
# Lists
# --------------------------------------------------------------------------------------------


def public_pledges(user: Any) -> QuerySet[Pledge]:
    """The pledges of public pages: what `user` may see, narrowed to published ones (drafts
    of the user's own entity belong in the workspace, not in the public browser)."""
    return Pledge.objects.visible_to(user).published()


def with_listing_data(queryset: QuerySet[Pledge]) -> QuerySet[Pledge]:
    """What a row of a public pledge list shows, loaded in three queries for any page size."""
    return queryset.select_related(
        "entity", "entity__entity_type", "compact", "forum"
    ).prefetch_related(
        Prefetch("objectives", queryset=Objective.objects.select_related("compact")),
        Prefetch("beneficiary_countries", queryset=Country.objects.only("code", "name")),
    )


# --------------------------------------------------------------------------------------------
# Headline figures
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PledgeFigures:
    """Headline figures over a set of published pledges.

    `usd` sums only the pledges that could be converted; `not_converted` counts those with an
    amount in a currency without a USD rate dated on or before their announcement (DOMAIN.md §6:
    a missing rate is shown as missing, never as zero)."""

    pledges: int
    entities: int
    countries: int
    usd: Decimal | None
    with_amount: int
    not_converted: int


def pledge_figures(pledges: QuerySet[Pledge]) -> PledgeFigures:
    """Figures over `pledges` in four queries. `pledges` must hold one row per pledge (no
    join that repeats rows), and be published-only: money is summed once per pledge."""
    counts = pledges.order_by().aggregate(
        pledges=Count("pk"), with_amount=Count("pk", filter=Q(amount__isnull=False))
    )
    # Amounts are summed per (currency, announcement day) and the groups converted by the
    # outer query. PostgreSQL still computes the rate once per pledge (it is part of the
    # GROUP BY), but once only: a plain annotation would be repeated in every aggregate.
    groups = (
        pledges.filter(amount__isnull=False)
        .order_by()
        .values("currency_id", "announced_on")
        .annotate(total=Sum("amount"), n=Count("pk"), rate=_usd_rate())
    )
    money = groups.aggregate(
        usd=Sum(
            ExpressionWrapper(F("total") * F("rate"), output_field=MONEY),
            filter=Q(rate__isnull=False),
        ),
        not_converted=Sum("n", filter=Q(rate__isnull=True)),
    )
    ids = pledges.order_by().values("pk")
    # The submitting entity and the co-pledgers who accepted: both stand behind the pledge.
    entities = Entity.objects.filter(
        Exists(pledges.order_by().filter(entity_id=OuterRef("pk")))
        | Exists(
            PledgeParticipant.objects.filter(
                entity_id=OuterRef("pk"), status=ParticipantStatus.ACCEPTED, pledge_id__in=ids
            )
        )
    ).count()
    countries = Country.objects.filter(
        Exists(
            Pledge.beneficiary_countries.through.objects.filter(
                country_id=OuterRef("pk"), pledge_id__in=ids
            )
        )
    ).count()
    return PledgeFigures(
        pledges=counts["pledges"],
        entities=entities,
        countries=countries,
        usd=money["usd"],
        with_amount=counts["with_amount"],
        not_converted=money["not_converted"] or 0,
    )


# Exchange rates belong to the indicators app, which pledges must not import (ARCHITECTURE.md:
# arrows point down only). The model is reached through core.Currency's reverse relation.
ExchangeRate = Currency._meta.get_field("rates").related_model


def _usd_rate() -> Case:
    """The USD value of one unit of the pledge's currency: the latest rate dated on or before
    the announcement day; exactly 1 for US dollars; NULL when there is none (one probe of the
    (currency, date) unique index)."""
    latest = (
        ExchangeRate.objects.filter(
            currency_id=OuterRef("currency_id"), date__lte=OuterRef("announced_on")
        )
        .order_by("-date")
        .values("usd_per_unit")[:1]
    )
    return Case(
        # US dollars need no rate: a missing USD row must not leave them "not converted".
        When(currency_id=USD, then=Value(Decimal(1), output_field=RATE)),
        default=Subquery(latest, output_field=RATE),
        output_field=RATE,
    )


def objective_pledge_counts() -> dict[int, int]:
    """Published pledges per objective id, in one GROUP BY (objectives without any are absent)."""
    rows = (
        Pledge.objectives.through.objects.filter(pledge__review_state=ReviewState.PUBLISHED)
        .values("objective_id")
        .annotate(n=Count("pledge_id"))
        .order_by()
    )
    return {row["objective_id"]: row["n"] for row in rows}


# --------------------------------------------------------------------------------------------
# Facets of the pledge browser
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    """One filter of the browser with, per value, how many pledges match it given the other
    filters (standard faceting: ticking a value shows that many more)."""

    name: str
    legend: str | Promise
    options: list[FacetOption] = field(default_factory=list)

    # Long lists show their first values and fold the rest (a <details>, usable without JS);
    # folding away just two or three values would only cost a click.
    FOLD_AFTER = 8
    FOLD_FROM = 12

    @property
    def shown(self) -> list[FacetOption]:
        return (
            self.options if len(self.options) < self.FOLD_FROM else self.options[: self.FOLD_AFTER]
        )

    @property
    def folded(self) -> list[FacetOption]:
        return [] if len(self.options) < self.FOLD_FROM else self.options[self.FOLD_AFTER :]

    @property
    def folded_selection(self) -> bool:
        """A chosen value is among the folded ones: the fold opens so that it stays visible."""
        return any(o.selected for o in self.folded)


Row = tuple[str, str, int]


def _count(queryset: QuerySet[Pledge]) -> Count:
    # visible_to() joins co-pledgers and adds DISTINCT for signed-in members; counting then
    # needs COUNT(DISTINCT id). Anonymous visitors (the hot path) keep the cheaper COUNT(*).
    return Count("pk", distinct=queryset.query.distinct)


def _through_rows(through: Any, queryset: QuerySet[Pledge], *columns: str) -> QuerySet:
    return (
        through.objects.filter(pledge_id__in=queryset.order_by().values("pk"))
        .values(*columns)
        .annotate(n=Count("pledge_id", distinct=True))
        .order_by()
    )


def _compact_rows(queryset: QuerySet[Pledge]) -> list[Row]:
    rows = (
        queryset.order_by()
        .values("compact__code", "compact__name")
        .annotate(n=_count(queryset))
        .order_by("compact__code")
    )
    return [(r["compact__code"], r["compact__name"], r["n"]) for r in rows]


def _objective_rows(queryset: QuerySet[Pledge]) -> list[Row]:
    rows = _through_rows(
        Pledge.objectives.through,
        queryset,
        "objective__compact__code",
        "objective__number",
        "objective__short_label",
    ).order_by("objective__compact__code", "objective__number")
    return [
        (
            f"{r['objective__compact__code']}-{r['objective__number']}",
            f"{r['objective__compact__code']} {r['objective__number']}. "
            f"{r['objective__short_label']}",
            r["n"],
        )
        for r in rows
    ]


def _forum_rows(queryset: QuerySet[Pledge]) -> list[Row]:
    rows = (
        queryset.order_by()
        .values("forum__code", "forum__name", "forum__year")
        .annotate(n=_count(queryset))
        .order_by("-forum__year", "forum__code")
    )
    return [(r["forum__code"], r["forum__name"], r["n"]) for r in rows]


def _entity_type_rows(queryset: QuerySet[Pledge]) -> list[Row]:
    rows = (
        queryset.order_by()
        .values(
            "entity__entity_type__code",
            "entity__entity_type__name",
            "entity__entity_type__position",
        )
        .annotate(n=_count(queryset))
        .order_by("entity__entity_type__position", "entity__entity_type__name")
    )
    return [(r["entity__entity_type__code"], r["entity__entity_type__name"], r["n"]) for r in rows]


STATUS_LABELS = dict(IMPLEMENTATION_CHOICES)


def _status_rows(queryset: QuerySet[Pledge]) -> list[Row]:
    counts = {
        (r["implementation_status"] or NO_UPDATE): r["n"]
        for r in queryset.order_by()
        .values("implementation_status")
        .annotate(n=_count(queryset))
        .order_by()
    }
    return [
        (value, str(label), counts[value])
        for value, label in IMPLEMENTATION_CHOICES
        if value in counts
    ]


REGION_LABELS = dict(Region.choices)


def _region_rows(queryset: QuerySet[Pledge]) -> list[Row]:
    rows = _through_rows(Pledge.beneficiary_countries.through, queryset, "country__region")
    found = [
        (r["country__region"], str(REGION_LABELS[r["country__region"]]), r["n"])
        for r in rows
        if r["country__region"] in REGION_LABELS
    ]
    return sorted(found, key=lambda row: row[1])


def _country_rows(queryset: QuerySet[Pledge]) -> list[Row]:
    rows = _through_rows(
        Pledge.beneficiary_countries.through, queryset, "country_id", "country__name"
    ).order_by("-n", "country__name")
    return [(r["country_id"], r["country__name"], r["n"]) for r in rows]


def _thematic_area_rows(queryset: QuerySet[Pledge]) -> list[Row]:
    rows = _through_rows(
        Pledge.thematic_areas.through, queryset, "thematicarea__slug", "thematicarea__name"
    ).order_by("-n", "thematicarea__name")
    return [(r["thematicarea__slug"], r["thematicarea__name"], r["n"]) for r in rows]


def _support_type_rows(queryset: QuerySet[Pledge]) -> list[Row]:
    rows = _through_rows(
        Pledge.support_types.through,
        queryset,
        "supporttype__code",
        "supporttype__name",
        "supporttype__position",
    ).order_by("supporttype__position", "supporttype__name")
    return [(r["supporttype__code"], r["supporttype__name"], r["n"]) for r in rows]


def _selected_values(filterset: PledgeFilter, name: str) -> list[tuple[str, str]]:
    """(value, label) of each valid value chosen for `name`, as they appear in the URL."""
    chosen = filterset.selected(name)
    match name:
        case "compact" | "forum":
            return [(o.code, o.name) for o in chosen]
        case "entity_type" | "support_type":
            return [(o.code, o.name) for o in chosen]
        case "objective":
            return [(objective_token(o), str(o)) for o in chosen]
        case "country":
            return [(o.code, o.name) for o in chosen]
        case "thematic_area":
            # A slug may exist under both compacts; the URL value (and so the chip) is one.
            return list({o.slug: (o.slug, o.name) for o in chosen}.values())
        case "implementation_status":
            return [(v, str(STATUS_LABELS[v])) for v in chosen]
        case "region":
            return [(v, str(REGION_LABELS[v])) for v in chosen]
    return []


FACETS: list[tuple[str, Any]] = [
    ("compact", _compact_rows),
    ("objective", _objective_rows),
    ("forum", _forum_rows),
    ("entity_type", _entity_type_rows),
    ("implementation_status", _status_rows),
    ("region", _region_rows),
    ("country", _country_rows),
    ("thematic_area", _thematic_area_rows),
    ("support_type", _support_type_rows),
]


@dataclass
class FacetedResult:
    facets: list[Facet]
    total: int


def pledge_facets(filterset: PledgeFilter, queryset: QuerySet[Pledge]) -> FacetedResult:
    """Every facet of the browser (one GROUP BY query each) and the number of matching pledges.

    The total comes for free from the compact facet: every pledge has exactly one compact, so
    the matches are the counts of the chosen compacts (or of all of them). That saves a COUNT
    over the filtered table on every page (PERFORMANCE.md: never count the whole table per page).
    """
    facets: list[Facet] = []
    total = 0
    for name, rows_of in FACETS:
        rows: list[Row] = rows_of(filterset.filter_excluding(queryset, exclude=name))
        chosen = _selected_values(filterset, name)
        chosen_values = {value for value, _label in chosen}
        options = [
            FacetOption(value=value, label=label, count=n, selected=value in chosen_values)
            for value, label, n in rows
        ]
        # A chosen value that matches nothing under the other filters stays listed (with 0),
        # so that it can still be unticked.
        listed = {o.value for o in options}
        options[:0] = [
            FacetOption(value=value, label=label, count=0, selected=True)
            for value, label in chosen
            if value not in listed
        ]
        if name == "compact":
            total = sum(o.count for o in options if o.selected or not chosen_values)
        facets.append(Facet(name=name, legend=filterset.filters[name].label, options=options))
    return FacetedResult(facets=facets, total=total)
