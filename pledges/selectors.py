"""Public reads that join pledges with several other apps: headline figures and facet counts.

Everything is aggregated by PostgreSQL (GROUP BY, SUM, COUNT DISTINCT) in a fixed number of
queries, whatever the number of pledges (docs/performance.md). Figures count published pledges
only: they are public facts and identical for every visitor.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.db import connections
from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
)
from django.utils.functional import Promise
from django.utils.translation import gettext

from compacts.models import Compact, Objective, ThematicArea
from core.localized import localized
from core.models import Country, Region
from forums.models import Forum, ReportingRound

from .filters import (
    IMPLEMENTATION_CHOICES,
    NO_FORUM_LABEL,
    NO_UPDATE,
    SORT_CHOICES,
    PledgeFilter,
    _is_empty,
    msp_memberships,
    msp_model,
    objective_token,
)
from .models import (
    NO_FORUM,
    Entity,
    EntityType,
    Pledge,
    PledgeParticipant,
    PledgeQuerySet,
    PledgeUpdate,
    ReviewState,
    SqlRule,
    SupportType,
    approved_update_q,
    usd_rate_sql,
)

MONEY = DecimalField(max_digits=30, decimal_places=2)
RATE = DecimalField(max_digits=20, decimal_places=10)


# --------------------------------------------------------------------------------------------
# Lists
# --------------------------------------------------------------------------------------------


LISTING_UNSHOWN = ("search_document", "context_search_vector", "translation_search_vector")


def public_pledges(user: Any) -> QuerySet[Pledge]:
    """The pledges of public pages: what `user` may see, narrowed to published ones (drafts
    of the user's own entity belong in the workspace, not in the public browser)."""
    return Pledge.objects.visible_to(user).published()


def with_listing_data(queryset: QuerySet[Pledge]) -> QuerySet[Pledge]:
    """What a row of a public pledge list shows, loaded in three queries for any page size;
    the title in the active language comes with the rows (`PledgeQuerySet.with_translation`)."""
    # Every pledge queryset is a PledgeQuerySet (the manager's); the stubs type it plainer.
    queryset = cast(PledgeQuerySet, queryset).with_translation()
    return (
        queryset.select_related("entity", "entity__entity_type", "compact", "forum")
        # The search vectors (~3 KB a row) are for matching and ranking in SQL; a list never
        # shows them, so they are not sent to Python.
        .defer(*LISTING_UNSHOWN)
        .prefetch_related(
            Prefetch("objectives", queryset=Objective.objects.select_related("compact")),
            Prefetch("beneficiary_countries", queryset=Country.objects.only("code", "name")),
        )
    )


def entity_pledge_count(entity: Entity) -> int:
    """Published pledges an entity stands behind: those it submitted and those it joined as a
    public co-pledger. Two counts on the entity's own index entries, where counting
    `entity = … OR id IN (…)` reads every published pledge."""
    joined = (
        PledgeParticipant.objects.public()
        .filter(entity=entity, pledge__review_state=ReviewState.PUBLISHED)
        .exclude(pledge__entity=entity)
    )
    return Pledge.objects.published().filter(entity=entity).count() + joined.count()


def entity_pledge_ids(entity: Entity) -> QuerySet[Any]:
    """(published_at, pk) of the published pledges an entity stands behind, newest first (the
    browser's "newest" order): its own, read in order from `pledge_entity_newest_idx`, and those
    it joined as a public co-pledger; a UNION, which also lists a pledge in both once."""
    published = Pledge.objects.published().order_by()
    joined = PledgeParticipant.objects.public().filter(entity=entity).values("pledge_id")
    return (
        published.filter(entity=entity)
        .values("published_at", "pk")
        .union(published.filter(pk__in=joined).values("published_at", "pk"))
        .order_by(F("published_at").desc(nulls_last=True), "-pk")
    )


def ids_up_to(querysets: Sequence[QuerySet[Pledge]], *, limit: int) -> list[list[int] | None]:
    """For each queryset, the ids of its pledges when it holds at most `limit`, else None.

    One query for all of them, `SELECT (SELECT … FROM (… LIMIT limit + 1)), …`: each read stops
    as soon as it passes the limit, so it costs at most limit + 1 rows however many match (a
    plain COUNT reads them all), and a set within the limit is read once, whatever number of
    facets then count over it."""
    if not querysets:
        return []
    gather = "COALESCE(array_agg(id), '{}')"
    parts: list[str] = []
    params: list[Any] = []
    for number, queryset in enumerate(querysets):
        sql, query_params = queryset.order_by().values("id")[: limit + 1].query.sql_with_params()
        # Only SQL that Django compiled from the queryset; every value stays a parameter.
        parts.append(
            f"(SELECT CASE WHEN COUNT(*) <= %s THEN {gather} END FROM ({sql}) AS capped_{number})"  # noqa: S608
        )
        params.extend([limit, *query_params])
    with connections[querysets[0].db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return list(cursor.fetchone())


# --------------------------------------------------------------------------------------------
# Headline figures
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PledgeFigures:
    """Headline figures over a set of published pledges.

    `usd` sums only the pledges that could be converted; `not_converted` counts those with an
    amount in a currency without a USD rate dated on or before their announcement (a missing rate
    is shown as missing, never as zero: a total that silently dropped them would understate it)."""

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
    # The submitting entity and the public co-pledgers: both stand behind the pledge.
    entities = Entity.objects.filter(
        Exists(pledges.order_by().filter(entity_id=OuterRef("pk")))
        | Exists(
            PledgeParticipant.objects.public().filter(entity_id=OuterRef("pk"), pledge_id__in=ids)
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


def snapshot_pledge_figures(figures: dict[str, Any]) -> PledgeFigures | None:
    """The headline figures as a progress snapshot stored them (`indicators.engine`: the same
    definitions, counted by the engine), or None when it holds no distinct counts (a snapshot
    written before they were stored: the caller counts live)."""
    if "entities" not in figures or "countries" not in figures:
        return None
    money = figures["money"]
    usd = money["pledged_usd"]
    return PledgeFigures(
        pledges=figures["pledges"],
        entities=figures["entities"],
        countries=figures["countries"],
        usd=None if usd is None else Decimal(usd),
        with_amount=money["pledges_with_amount"],
        not_converted=money["unconverted_pledges"],
    )


def _usd_rate() -> SqlRule:
    """The USD value of one unit of the pledge's currency (`usd_rate_sql`)."""
    return SqlRule(usd_rate_sql, F("currency_id"), F("announced_on"), output_field=RATE)


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
    # None: not counted (more pledges than the limit match the other filters).
    count: int | None
    selected: bool
    # Shown with the label, e.g. the UN's footnote on Kosovo.
    note: str = ""


@dataclass
class Facet:
    """One filter of the browser with, per value, how many pledges match it given the other
    filters (standard faceting: ticking a value shows that many more).

    When more than `PLEDGE_FACET_COUNT_LIMIT` pledges match the other filters, the facet is not
    counted (`counted` is False): its options are the filter's possible values, without counts."""

    name: str
    legend: str | Promise | None
    options: list[FacetOption] = field(default_factory=list)
    counted: bool = True

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
Choice = tuple[str, str]
PledgeIds = list[int]


class _IsAnyOf(Func):
    """`column = ANY(ids)` (pledge ids, at most the facet count limit), with the ids handed over
    as an array whose length the planner cannot see (a scalar subquery). Seeing 10,000 ids it
    would rather merge- or hash-join the whole of a large table (300,000 entities, 1.6 million
    country links at 1,000,000 pledges); guessing a few, it looks each id up through the index,
    so the work follows the ids, not the tables."""

    output_field = BooleanField()

    def __init__(self, column: str, ids: list[int]) -> None:
        super().__init__(F(column))
        self.ids = ids

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple]:  # type: ignore[override]  # no template: compiles itself
        column_sql, column_params = compiler.compile(self.get_source_expressions()[0])
        return (
            f"{column_sql} = ANY((SELECT %s::bigint[])::bigint[])",
            (*column_params, self.ids),
        )


def _pledges(ids: PledgeIds) -> QuerySet[Pledge]:
    return Pledge.objects.filter(_IsAnyOf("pk", ids)).order_by()


def _through_rows(
    through: Any, ids: PledgeIds, *columns: str, **expressions: Expression
) -> QuerySet:
    return (
        through.objects.filter(_IsAnyOf("pledge_id", ids))
        .values(*columns, **expressions)
        .annotate(n=Count("pledge_id", distinct=True))
        .order_by()
    )


def _compact_rows(ids: PledgeIds) -> list[Row]:
    rows = (
        _pledges(ids)
        .values("compact__code", name=localized("compact__name"))
        .annotate(n=Count("pk"))
        .order_by("compact__code")
    )
    return [(r["compact__code"], r["name"], r["n"]) for r in rows]


def _objective_rows(ids: PledgeIds) -> list[Row]:
    rows = _through_rows(
        Pledge.objectives.through,
        ids,
        "objective__compact__code",
        "objective__number",
        name=localized("objective__short_label"),
    ).order_by("objective__compact__code", "objective__number")
    return [
        (
            f"{r['objective__compact__code']}-{r['objective__number']}",
            f"{r['objective__compact__code']} {r['objective__number']}. {r['name']}",
            r["n"],
        )
        for r in rows
    ]


def _forum_rows(ids: PledgeIds) -> list[Row]:
    rows = (
        _pledges(ids)
        .values("forum__code", "forum__year", name=localized("forum__name"))
        .annotate(n=Count("pk"))
        .order_by("-forum__year", "forum__code")
    )
    return [
        (r["forum__code"], r["name"], r["n"])
        if r["forum__code"] is not None
        else (NO_FORUM, str(NO_FORUM_LABEL), r["n"])
        for r in rows
    ]


def _entity_type_rows(ids: PledgeIds) -> list[Row]:
    rows = (
        _pledges(ids)
        .values(
            "entity__entity_type__code",
            "entity__entity_type__position",
            name=localized("entity__entity_type__name"),
        )
        .annotate(n=Count("pk"))
        .order_by("entity__entity_type__position", "name")
    )
    return [(r["entity__entity_type__code"], r["name"], r["n"]) for r in rows]


STATUS_LABELS = dict(IMPLEMENTATION_CHOICES)


def _status_rows(ids: PledgeIds) -> list[Row]:
    counts = {
        (r["implementation_status"] or NO_UPDATE): r["n"]
        for r in _pledges(ids).values("implementation_status").annotate(n=Count("pk"))
    }
    return [
        (value, str(label), counts[value])
        for value, label in IMPLEMENTATION_CHOICES
        if value in counts
    ]


REGION_LABELS = dict(Region.choices)


def _region_rows(ids: PledgeIds) -> list[Row]:
    rows = _through_rows(Pledge.beneficiary_countries.through, ids, "country__region")
    found = [
        (r["country__region"], str(REGION_LABELS[r["country__region"]]), r["n"])
        for r in rows
        if r["country__region"] in REGION_LABELS
    ]
    return sorted(found, key=lambda row: row[1])


def _country_rows(ids: PledgeIds) -> list[Row]:
    rows = _through_rows(
        Pledge.beneficiary_countries.through, ids, "country_id", name=localized("country__name")
    ).order_by("-n", "name")
    return [(r["country_id"], r["name"], r["n"]) for r in rows]


def _thematic_area_rows(ids: PledgeIds) -> list[Row]:
    rows = _through_rows(
        Pledge.thematic_areas.through,
        ids,
        "thematicarea__slug",
        name=localized("thematicarea__name"),
    ).order_by("-n", "name")
    return [(r["thematicarea__slug"], r["name"], r["n"]) for r in rows]


def _msp_rows(ids: PledgeIds) -> list[Row]:
    rows = (
        msp_memberships()
        .objects.filter(_IsAnyOf("pledge_id", ids), state="accepted")
        .values("msp__slug", name=localized("msp__title"))
        .annotate(n=Count("pledge_id", distinct=True))
        .order_by("-n", "name")
    )
    return [(r["msp__slug"], r["name"], r["n"]) for r in rows]


def _support_type_rows(ids: PledgeIds) -> list[Row]:
    rows = _through_rows(
        Pledge.support_types.through,
        ids,
        "supporttype__code",
        "supporttype__position",
        name=localized("supporttype__name"),
    ).order_by("supporttype__position", "name")
    return [(r["supporttype__code"], r["name"], r["n"]) for r in rows]


# The possible values of a facet that is not counted: read from its small reference table (one
# query at most, like the count it replaces), in the order the counted facet uses when counts
# tie. Values that belong to a compact are narrowed to the chosen compacts: the others match
# nothing under the compact filter.


def _in_chosen_compacts(queryset: QuerySet, filterset: PledgeFilter) -> QuerySet:
    compacts = filterset.selected("compact")
    return queryset.filter(compact__in=compacts) if compacts else queryset


def _compact_choices(filterset: PledgeFilter) -> list[Choice]:
    return list(Compact.objects.order_by("code").values_list("code", "name"))


def _objective_choices(filterset: PledgeFilter) -> list[Choice]:
    rows = (
        _in_chosen_compacts(Objective.objects.all(), filterset)
        .order_by("compact__code", "number")
        .values_list("compact__code", "number", "short_label")
    )
    return [(f"{code}-{number}", f"{code} {number}. {label}") for code, number, label in rows]


def _forum_choices(filterset: PledgeFilter) -> list[Choice]:
    forums = _in_chosen_compacts(Forum.objects.all(), filterset)
    return [
        *forums.order_by("-year", "code").values_list("code", "name"),
        (NO_FORUM, str(NO_FORUM_LABEL)),
    ]


def _entity_type_choices(filterset: PledgeFilter) -> list[Choice]:
    return list(EntityType.objects.order_by("position", "name").values_list("code", "name"))


def _status_choices(filterset: PledgeFilter) -> list[Choice]:
    return [(value, str(label)) for value, label in IMPLEMENTATION_CHOICES]


def _region_choices(filterset: PledgeFilter) -> list[Choice]:
    return sorted(((value, str(label)) for value, label in REGION_LABELS.items()), key=_label)


def _with_country_footnotes(options: list[FacetOption]) -> list[FacetOption]:
    """The options with the footnote of each country that has one, in the active language
    (one query: only a handful of countries have a footnote)."""
    rows = Country.objects.filter(footnote__gt="").values("code", note=localized("footnote"))
    notes = {row["code"]: row["note"] for row in rows}
    return [replace(o, note=notes[o.value]) if o.value in notes else o for o in options]


def _country_choices(filterset: PledgeFilter) -> list[Choice]:
    return list(Country.objects.order_by("name").values_list("code", "name"))


def _thematic_area_choices(filterset: PledgeFilter) -> list[Choice]:
    areas = _in_chosen_compacts(ThematicArea.objects.all(), filterset)
    # A slug may exist under both compacts; the URL value (and so the option) is one.
    unique: dict[str, str] = {}
    for slug, name in areas.order_by("name", "slug").values_list("slug", "name"):
        unique.setdefault(slug, name)
    return list(unique.items())


def _msp_choices(filterset: PledgeFilter) -> list[Choice]:
    msps = _in_chosen_compacts(msp_model().objects.all(), filterset)
    return list(msps.order_by("title", "slug").values_list("slug", "title"))


def _support_type_choices(filterset: PledgeFilter) -> list[Choice]:
    return list(SupportType.objects.order_by("position", "name").values_list("code", "name"))


def _label(choice: Choice) -> str:
    return choice[1]


def _selected_values(filterset: PledgeFilter, name: str) -> list[tuple[str, str]]:
    """(value, label) of each valid value chosen for `name`, as they appear in the URL."""
    chosen = filterset.selected(name)
    match name:
        case "forum":
            return [
                (NO_FORUM, str(NO_FORUM_LABEL)) if o == NO_FORUM else (o.code, o.name)
                for o in chosen
            ]
        case "compact":
            return [(o.code, o.name) for o in chosen]
        case "entity_type" | "support_type":
            return [(o.code, o.name) for o in chosen]
        case "objective":
            return [(objective_token(o), str(o)) for o in chosen]
        case "country":
            return [(o.code, o.name) for o in chosen]
        case "msp":
            return [(o.slug, o.title) for o in chosen]
        case "thematic_area":
            # A slug may exist under both compacts; the URL value (and so the chip) is one.
            return list({o.slug: (o.slug, o.name) for o in chosen}.values())
        case "implementation_status":
            return [(v, str(STATUS_LABELS[v])) for v in chosen]
        case "region":
            return [(v, str(REGION_LABELS[v])) for v in chosen]
    return []


# Filters that are a yes/no question rather than a list of values.
YES_NO_FILTERS = ("reaffirmed", "overdue", "seeking_support", "offering_support", "matched")


def applied_filters(filterset: PledgeFilter) -> list[tuple[str, str]]:
    """(label, values) of each valid filter in effect, then the sort: what a download says
    chose its rows, in the active language and in the order the filters are declared."""
    data = filterset.cleaned_data
    applied: list[tuple[str, str]] = []
    for name, flt in filterset.filters.items():
        value: Any = data.get(name)
        if name == "sort" or _is_empty(value):
            continue
        if name == "q":
            if not filterset.search_text:
                continue
            text = f"“{filterset.search_text}”"
        elif name in YES_NO_FILTERS:
            text = gettext("Yes") if value else gettext("No")
        elif name == "goal":
            text = gettext("no. %(id)s") % {"id": int(value)}
        elif name == "entity":
            text = "; ".join(entity.name for entity in value)
        else:
            labels = [label for _value, label in _selected_values(filterset, name)]
            if not labels:
                continue
            text = "; ".join(labels)
        applied.append((str(flt.label), text))
    return applied


def sort_label(filterset: PledgeFilter) -> str:
    return str(dict(SORT_CHOICES)[filterset.sort_key])


@dataclass(frozen=True)
class FacetKind:
    name: str
    rows: Callable[[PledgeIds], list[Row]]
    choices: Callable[[PledgeFilter], list[Choice]]


FACETS: list[FacetKind] = [
    FacetKind("compact", _compact_rows, _compact_choices),
    FacetKind("objective", _objective_rows, _objective_choices),
    FacetKind("forum", _forum_rows, _forum_choices),
    FacetKind("entity_type", _entity_type_rows, _entity_type_choices),
    FacetKind("implementation_status", _status_rows, _status_choices),
    FacetKind("region", _region_rows, _region_choices),
    FacetKind("country", _country_rows, _country_choices),
    FacetKind("thematic_area", _thematic_area_rows, _thematic_area_choices),
    FacetKind("msp", _msp_rows, _msp_choices),
    FacetKind("support_type", _support_type_rows, _support_type_choices),
]


@dataclass
class FacetedResult:
    facets: list[Facet]
    # How many pledges match, counted no further than limit + 1: exact when `total_exact`.
    total: int
    total_exact: bool
    limit: int

    @property
    def uncounted(self) -> list[Facet]:
        return [facet for facet in self.facets if not facet.counted]


def pledge_facets(filterset: PledgeFilter, queryset: QuerySet[Pledge]) -> FacetedResult:
    """Every facet of the browser and the number of matching pledges, at a cost bounded by
    `settings.PLEDGE_FACET_COUNT_LIMIT` whatever the number of pledges (issue #7).

    A facet counts over the pledges that match every filter but its own: the same set for all
    the facets not in use, one more set per facet in use. One query reads each set up to the
    limit + 1 (a LIMIT, never a full count) and returns the ids of the sets within the limit.
    A facet over such a set is counted exactly, through those ids only (one GROUP BY, none for
    an empty set); above the limit, counting would read every matching pledge, so the facet
    lists its possible values without counts. The number of matches is the first set's size."""
    limit: int = settings.PLEDGE_FACET_COUNT_LIMIT
    sets: dict[str | None, QuerySet[Pledge]] = {None: filterset.filter_excluding(queryset)}
    for kind in FACETS:
        if filterset.selected(kind.name):
            sets[kind.name] = filterset.filter_excluding(queryset, exclude=kind.name)
    found = dict(zip(sets, ids_up_to(list(sets.values()), limit=limit), strict=True))

    facets: list[Facet] = []
    for kind in FACETS:
        ids = found[kind.name if kind.name in sets else None]
        counted = ids is not None
        chosen = _selected_values(filterset, kind.name)
        chosen_values = {value for value, _label in chosen}
        if ids is not None:
            options = [
                FacetOption(value=value, label=label, count=n, selected=value in chosen_values)
                for value, label, n in (kind.rows(ids) if ids else [])
            ]
        else:
            options = [
                FacetOption(value=value, label=label, count=None, selected=value in chosen_values)
                for value, label in kind.choices(filterset)
            ]
        # A chosen value that matches nothing under the other filters stays listed (with 0),
        # so that it can still be unticked.
        listed = {o.value for o in options}
        options[:0] = [
            FacetOption(value=value, label=label, count=0 if counted else None, selected=True)
            for value, label in chosen
            if value not in listed
        ]
        if kind.name == "country" and options:
            options = _with_country_footnotes(options)
        facets.append(
            Facet(
                name=kind.name,
                legend=filterset.filters[kind.name].label,
                options=options,
                counted=counted,
            )
        )
    matches = found[None]
    return FacetedResult(
        facets=facets,
        total=limit + 1 if matches is None else len(matches),
        total_exact=matches is not None,
        limit=limit,
    )


@dataclass(frozen=True)
class RoundProgress:
    """How a reporting round is going: the pledges it asks to report (`in_round`), those with
    an approved update for it, and those overdue for it (`overdue_in_round`)."""

    asked: int
    reported: int
    overdue: int

    @property
    def reported_share(self) -> Decimal | None:
        if not self.asked:
            return None
        return (Decimal(100) * self.reported / self.asked).quantize(Decimal("0.1"))


def round_progress(round_: ReportingRound) -> RoundProgress:
    """Three counts over published pledges and approved updates of verified reporters only
    (`approved_update_q`: public figures)."""
    asked = Pledge.objects.in_round(round_)
    reported = (
        PledgeUpdate.objects.filter(
            approved_update_q(), round=round_, pledge__in=asked.values("pk")
        )
        .values("pledge_id")
        .distinct()
        .count()
    )
    return RoundProgress(
        asked=asked.count(),
        reported=reported,
        overdue=Pledge.objects.overdue_in_round(round_).count(),
    )
