"""What each resource filter means, defined once for the public browser, the API and the
objective feeds (as `pledges.filters.PledgeFilter` does for pledges). Values are the codes
people see in URLs: `type=tool`, `objective=GCM-23`, `principle=3` (an id), `region=002`,
`country=KE`, `language=fr`, `year=2024`. Several values of one filter are ORed, different
filters are ANDed; facet counts apply every filter but their own (`facets`).
"""

from collections import Counter
from dataclasses import dataclass
from typing import Any

import django_filters
from django.db.models import Count, F, QuerySet
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from compacts.models import GuidingPrinciple, Objective
from core.models import Country, Region
from pledges.filters import ObjectiveFilter, _is_empty, objective_token
from pledges.search import normalise
from pledges.selectors import Facet, FacetOption

from . import search
from .models import Resource, ResourceLanguage, ResourceType

SORT_RELEVANCE = "relevance"
SORT_CHOICES = [
    (SORT_RELEVANCE, _("Best match")),
    ("newest", _("Newest first")),
    ("oldest", _("Oldest first")),
    ("title", _("Title (A–Z)")),
]
ORDERINGS: dict[str, list[Any]] = {
    "newest": [F("date").desc(nulls_last=True), "-id"],
    "oldest": [F("date").asc(nulls_last=True), "id"],
    "title": ["title", "id"],
}
YEARS = [(str(year), str(year)) for year in range(1950, 2101)]


def _linked(through: Any, column: str, values: Any) -> dict[str, Any]:
    return {"pk__in": through.objects.filter(**{f"{column}__in": values}).values("resource_id")}


class ResourceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        max_length=200,
        help_text=_("Words in the title, publisher or summary."),
    )
    type = django_filters.MultipleChoiceFilter(
        label=_("Type"), choices=ResourceType.choices, field_name="resource_type"
    )
    objective = ObjectiveFilter(
        label=_("Objective"),
        queryset=Objective.objects.all(),
        method="filter_objective",
        help_text=_("Compact and objective number, e.g. GCM-23."),
    )
    principle = django_filters.ModelMultipleChoiceFilter(
        label=_("Guiding principle"),
        queryset=GuidingPrinciple.objects.all(),
        method="filter_principle",
        help_text=_("Guiding principle ids (/api/v1/principles/)."),
    )
    region = django_filters.MultipleChoiceFilter(
        label=_("Region"), choices=Region.choices, help_text=_("UN M49 code, e.g. 002.")
    )
    country = django_filters.ModelMultipleChoiceFilter(
        label=_("Country"),
        queryset=Country.objects.all(),
        to_field_name="code",
        method="filter_country",
        help_text=_("ISO 3166-1 alpha-2 code, e.g. KE."),
    )
    language = django_filters.MultipleChoiceFilter(
        label=_("Language"), choices=ResourceLanguage.choices, method="filter_language"
    )
    year = django_filters.MultipleChoiceFilter(label=_("Year"), choices=YEARS, method="filter_year")
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=SORT_CHOICES, method="keep_order_for_later"
    )

    class Meta:
        model = Resource
        fields: list[str] = []

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search.filter_by_text(queryset, value)

    def filter_objective(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset.filter(**_linked(Resource.objectives.through, "objective", value))

    def filter_principle(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset.filter(**_linked(Resource.principles.through, "guidingprinciple", value))

    def filter_country(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset.filter(**_linked(Resource.countries.through, "country", value))

    def filter_language(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.filter(languages__overlap=list(value))

    def filter_year(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.filter(date__year__in=[int(year) for year in value])

    def keep_order_for_later(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset

    # --- composition (as PledgeFilter) ---------------------------------------------------

    @property
    def cleaned_data(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        self.form.errors  # noqa: B018 -- runs validation once, which fills cleaned_data
        return self.form.cleaned_data

    def filter_excluding(self, queryset: QuerySet, exclude: str | None = None) -> QuerySet:
        """Every valid filter but `exclude`; invalid values are left out (the form reports
        them) rather than emptying the list."""
        for name, value in self.cleaned_data.items():
            if name != exclude and not _is_empty(value):
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return self.order(self.filter_excluding(queryset))

    @property
    def search_text(self) -> str:
        return normalise(self.cleaned_data.get("q") or "")

    @property
    def sort_key(self) -> str:
        asked = self.cleaned_data.get("sort")
        if asked == SORT_RELEVANCE or not asked:
            return SORT_RELEVANCE if self.search_text else "newest"
        return str(asked)

    def order(self, queryset: QuerySet) -> QuerySet:
        if self.sort_key == SORT_RELEVANCE:
            return queryset.annotate(relevance=search.relevance(self.search_text)).order_by(
                "-relevance", *ORDERINGS["newest"]
            )
        return queryset.order_by(*ORDERINGS[self.sort_key])

    def selected(self, name: str) -> list[Any]:
        return list(self.cleaned_data.get(name) or [])


@dataclass
class Faceted:
    facets: list[Facet]
    total: int


def _through_counts(through: Any, column: str, ids: list[int]) -> dict[Any, int]:
    rows = (
        through.objects.filter(resource_id__in=ids)
        .values(column)
        .annotate(n=Count("resource_id"))
        .values_list(column, "n")
    )
    return dict(rows)


def facets(filterset: ResourceFilter, queryset: QuerySet[Resource]) -> Faceted:
    """Each facet's options with how many resources ticking it would show, given the other
    filters; an option is listed when it has resources or is ticked. One query per facet."""

    def others(name: str) -> QuerySet:
        return filterset.filter_excluding(queryset, name).order_by()

    def ids(name: str) -> list[int]:
        # Evaluated, not a subquery: Django does not relabel the search configuration's
        # CASE inside a subquery (its columns would point at the outer table).
        return list(others(name).values_list("pk", flat=True))

    chosen = {name: filterset.selected(name) for name in filterset.filters}
    result: list[Facet] = []

    def add(name: str, options: list[tuple[str, str, int]]) -> None:
        picked = {str(getattr(v, "code", None) or getattr(v, "pk", v)) for v in chosen[name]}
        if name == "objective":
            picked = {objective_token(o) for o in chosen[name]}
        facet = Facet(name=name, legend=filterset.filters[name].label)
        facet.options = [
            FacetOption(value=value, label=label, count=count, selected=value in picked)
            for value, label, count in options
            if count or value in picked
        ]
        result.append(facet)

    types = dict(others("type").values_list("resource_type").annotate(n=Count("id")))
    add("type", [(v, str(label), types.get(v, 0)) for v, label in ResourceType.choices])

    by_objective = _through_counts(Resource.objectives.through, "objective_id", ids("objective"))
    objectives = Objective.objects.select_related("compact").order_by("compact__code", "number")
    add(
        "objective",
        [
            (objective_token(o), str(o), by_objective.get(o.pk, 0))
            for o in objectives
            if by_objective.get(o.pk) or o in chosen["objective"]
        ],
    )
    by_principle = _through_counts(
        Resource.principles.through, "guidingprinciple_id", ids("principle")
    )
    add(
        "principle",
        [
            (str(p.pk), f"{p.compact.code}: {p.name}", by_principle.get(p.pk, 0))
            for p in GuidingPrinciple.objects.select_related("compact")
        ],
    )
    regions = dict(
        others("region").exclude(region="").values_list("region").annotate(n=Count("id"))
    )
    add("region", [(v, str(label), regions.get(v, 0)) for v, label in Region.choices])

    by_country = _through_counts(Resource.countries.through, "country_id", ids("country"))
    wanted = set(by_country) | {c.code for c in chosen["country"]}
    add(
        "country",
        [
            (c.code, c.name, by_country.get(c.code, 0))
            for c in Country.objects.filter(code__in=wanted).order_by("name")
        ],
    )
    languages: Counter[str] = Counter()
    for codes in others("language").values_list("languages", flat=True):
        languages.update(set(codes))
    add(
        "language",
        [(v, str(label), languages.get(v, 0)) for v, label in ResourceLanguage.choices],
    )
    years = dict(
        others("year")
        .exclude(date=None)
        .annotate(y=ExtractYear("date"))
        .values_list("y")
        .annotate(n=Count("id"))
    )
    add("year", [(str(y), str(y), years[y]) for y in sorted(years, reverse=True)])
    # Keep ticked years that no longer have resources (so they can be unticked).
    year_facet = result[-1]
    listed = {o.value for o in year_facet.options}
    year_facet.options += [
        FacetOption(value=y, label=y, count=0, selected=True)
        for y in chosen["year"]
        if y not in listed
    ]
    total = filterset.filter_excluding(queryset).order_by().count()
    return Faceted(facets=result, total=total)
