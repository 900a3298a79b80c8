"""Public pages, open without login: the home page, the pledge browser, and the pages of an
entity, an objective and a forum. They show published pledges only, for every visitor.

Views stay thin: what a filter means lives in `filters.PledgeFilter`, what is counted and how in
`selectors`, and every list is paginated with a bounded number of queries.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from math import ceil
from typing import Any
from uuid import UUID

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from compacts.models import Compact, Objective
from dashboards.selectors import forum_latest, objective_latest
from forums.models import Forum
from forums.selectors import regional_reviews_for

from ..filters import ORDERINGS, SORT_CHOICES, SORT_RELEVANCE, PledgeFilter, objective_token
from ..models import Entity, Pledge
from ..selectors import (
    Facet,
    PledgeFigures,
    entity_pledge_count,
    entity_pledge_ids,
    objective_pledge_counts,
    pledge_facets,
    pledge_figures,
    public_pledges,
    snapshot_pledge_figures,
    with_listing_data,
)
from .download_links import browser_download_urls, download_urls

PER_PAGE = 25
# Deep OFFSET pages are slow (the database reads and drops every row before
# them) and nobody reads them: past this, people are
# asked to narrow their search instead.
MAX_PAGES = 400


class CappedCountPaginator(Paginator):
    """A paginator told how many items there are, counted no further than a cap (selectors.
    ids_up_to), so that a page costs one LIMIT/OFFSET query and never a COUNT.

    With an exact count it numbers every page (at most MAX_PAGES). Above the cap it knows only
    that there are more than `count` items: the pages those fill are numbered, and a page past
    them reads one item more than it shows, to learn whether a next page exists."""

    def __init__(self, object_list: Any, per_page: int, *, count: int, exact: bool) -> None:
        super().__init__(object_list, per_page)
        self.counted = count
        self.exact = exact
        self.listed_at_most = per_page * MAX_PAGES
        self._more_after_last = False

    @cached_property
    def count(self) -> int:
        return min(self.counted, self.listed_at_most)

    @cached_property
    def num_pages(self) -> int:
        # Without an exact count, the upper bound until a page has been read.
        return super().num_pages if self.exact else MAX_PAGES

    @property
    def known_pages(self) -> int:
        """Pages certainly filled by the items counted."""
        return min(MAX_PAGES, ceil(max(1, self.count) / self.per_page))

    @property
    def truncated(self) -> bool:
        """More items exist than MAX_PAGES pages list."""
        return self.counted > self.listed_at_most or self._more_after_last

    def get_page(self, number: Any) -> Page:
        if self.exact:
            return super().get_page(number)
        try:
            number = self.validate_number(number)
        except PageNotAnInteger:
            number = 1
        except EmptyPage:
            number = self.known_pages
        try:
            return self.page(number)
        except EmptyPage:
            # Past the end, which was not counted: the last page known to exist (the first,
            # should pledges have been withdrawn since they were counted).
            try:
                return self.page(self.known_pages)
            except EmptyPage:
                return self.page(1)

    def page(self, number: Any) -> Page:
        if self.exact:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        more = len(rows) > self.per_page
        if number >= MAX_PAGES:
            self._more_after_last = more
        # Now known: the pages counted, and this one and the next if it has one.
        self.__dict__["num_pages"] = min(MAX_PAGES, max(self.known_pages, number + more))
        return Page(rows[: self.per_page], number, self)


class ListedById:
    """A list paged by its ids: a slice reads the ids of that page (a narrow query, `ids` of
    pk rows in the list's order), then the listing rows of just those pledges, in that order.
    For a set the planner cannot read in order from one index (an entity's own pledges and
    those it joined; a search's matches in rank order): it would join and sort every full row
    of it to keep 25."""

    def __init__(self, ids: QuerySet[Any], rows: QuerySet[Pledge]) -> None:
        self.ids = ids
        self.rows = rows

    def __getitem__(self, window: slice) -> list[Pledge]:
        wanted = [row["pk"] for row in self.ids[window]]
        found = {pledge.pk: pledge for pledge in self.rows.filter(pk__in=wanted)}
        return [found[pk] for pk in wanted if pk in found]


def _page(paginator: Paginator, request: HttpRequest) -> Page:
    """The requested page: the first for nonsense, the last past the end."""
    return paginator.get_page(request.GET.get("page"))


class KnownCountPaginator(Paginator):
    """A paginator told how many items there are (a figure already counted), so that a page
    costs one LIMIT/OFFSET query and no COUNT."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known = count

    @cached_property
    def count(self) -> int:
        return self.known


def _paginate(request: HttpRequest, queryset: Any, count: int | None = None) -> Page:
    """A page of `queryset`; `count`, when known, spares the COUNT (at 1,000,000 pledges it
    reads every pledge of a large objective or forum: ~0.1–1 s)."""
    if count is None:
        return _page(Paginator(queryset, PER_PAGE), request)
    return _page(KnownCountPaginator(queryset, PER_PAGE, count=count), request)


# --------------------------------------------------------------------------------------------
# Home
# --------------------------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    """What the two compacts are, their objectives and forums, and the headline figures."""
    compacts = list(
        Compact.objects.prefetch_related(
            Prefetch("objectives", queryset=Objective.objects.order_by("number")),
            Prefetch("forums", queryset=Forum.objects.order_by("year", "start_date", "code")),
        ).order_by("code")
    )
    counts = objective_pledge_counts()
    for compact in compacts:
        for objective in compact.objectives.all():
            objective.published_count = counts.get(objective.pk, 0)  # type: ignore[attr-defined]  # for the template only
    return render(
        request,
        "pledges/public/home.html",
        {"compacts": compacts, "figures": pledge_figures(Pledge.objects.published())},
    )


# --------------------------------------------------------------------------------------------
# Pledge browser
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActiveFilter:
    """A filter in effect, shown with a link that removes just that one."""

    legend: str
    label: str
    remove_url: str


def _without(params: QueryDict, key: str, keep: list[str]) -> str:
    """The query string with `key` set to `keep` (and back to page 1)."""
    query = params.copy()
    query.pop("page", None)
    if keep:
        query.setlist(key, keep)
    else:
        query.pop(key, None)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def _active_filters(
    params: QueryDict, facets: list[Facet], filterset: PledgeFilter
) -> list[ActiveFilter]:
    active: list[ActiveFilter] = []
    if filterset.search_text:
        active.append(
            ActiveFilter(
                legend=str(filterset.filters["q"].label),
                label=f"“{filterset.search_text}”",
                remove_url=_without(params, "q", []),
            )
        )
    goal = filterset.cleaned_data.get("goal")
    if goal:
        active.append(
            ActiveFilter(
                legend=str(filterset.filters["goal"].label),
                label=_("no. %(id)s") % {"id": int(goal)},
                remove_url=_without(params, "goal", []),
            )
        )
    # Set by the entity pages' links (no facet: there are thousands of entities).
    for entity in filterset.selected("entity"):
        others = [str(e.public_id) for e in filterset.selected("entity") if e != entity]
        active.append(
            ActiveFilter(
                legend=str(filterset.filters["entity"].label),
                label=entity.name,
                remove_url=_without(params, "entity", others),
            )
        )
    for facet in facets:
        chosen = [o.value for o in facet.options if o.selected]
        for option in facet.options:
            if option.selected:
                # The remaining values are written back canonically (e.g. an objective id
                # becomes GCM-23), which also drops values the form refused.
                keep = [value for value in chosen if value != option.value]
                active.append(
                    ActiveFilter(
                        legend=str(facet.legend),
                        label=option.label,
                        remove_url=_without(params, facet.name, keep),
                    )
                )
    return active


def pledge_list(request: HttpRequest) -> HttpResponse:
    """Search and facet published pledges; all state lives in the query string."""
    queryset = public_pledges(request.user)
    filterset = PledgeFilter(request.GET, queryset=queryset, request=request)
    faceted = pledge_facets(filterset, queryset)
    listed: Any = with_listing_data(filterset.qs)
    if filterset.sort_key == SORT_RELEVANCE:
        # Best match ranks every match before it keeps a page: ranked by id, the sort carries
        # ids and ranks, not every match's full row (a word in most of 1,000,000 pledges: 5.2 s
        # → 2.4 s; docs/performance.md, "Search").
        listed = ListedById(filterset.qs.values("pk"), with_listing_data(queryset))
    paginator = CappedCountPaginator(
        listed,
        PER_PAGE,
        count=faceted.total,
        exact=faceted.total_exact,
    )
    page = _page(paginator, request)
    form = filterset.form
    errors = [
        (name, str(filterset.filters[name].label), message)
        for name, messages in form.errors.items()
        for message in messages
    ]
    return render(
        request,
        "pledges/public/pledge_list.html",
        {
            "filterset": filterset,
            "form": form,
            "errors": errors,
            "error_names": set(form.errors),
            "sort_choices": SORT_CHOICES,
            "facets": faceted.facets,
            "total": faceted.total,
            "total_exact": faceted.total_exact,
            "count_limit": faceted.limit,
            "uncounted": faceted.uncounted,
            "uncounted_names": ", ".join(str(facet.legend) for facet in faceted.uncounted),
            "page": page,
            "paginator": paginator,
            "active_filters": _active_filters(request.GET, faceted.facets, filterset),
            "search_text": filterset.search_text,
            "sort_key": filterset.sort_key,
            "sort_choice": filterset.sort_choice,
            "downloads": browser_download_urls(request, invalid=form.errors),
        },
    )


# --------------------------------------------------------------------------------------------
# Entity, objective and forum pages
# --------------------------------------------------------------------------------------------


def _headline(
    latest: tuple[dt.date, dict[str, Any]] | None, live: Callable[[], PledgeFigures]
) -> dict[str, Any]:
    """The page's headline figures as the progress engine last stored them, with their date
    (as the dashboard shows them); counted live only before the engine has stored any (a fresh
    install), which at 1,000,000 pledges costs seconds."""
    stored = snapshot_pledge_figures(latest[1]) if latest else None
    if latest is None or stored is None:
        return {"figures": live(), "figures_as_of": None}
    return {"figures": stored, "figures_as_of": latest[0]}


def _stored_count(headline: dict[str, Any]) -> int | None:
    """The number of published pledges the list pages through, when the engine stored it:
    incremental runs keep it current within seconds of a change (an additive counter)."""
    return headline["figures"].pledges if headline["figures_as_of"] else None


def entity_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """An entity and the published pledges it stands behind: those it submitted and those it
    joined as a co-pledger."""
    # An unverified entity is only a claim somebody typed in: like the API, show it only to
    # its own members and the secretariat (404 for everyone else, even with the UUID).
    entity = get_object_or_404(
        Entity.objects.visible_to(request.user).select_related("entity_type", "country"),
        public_id=public_id,
    )
    page = _paginate(
        request,
        ListedById(entity_pledge_ids(entity), with_listing_data(public_pledges(request.user))),
        count=entity_pledge_count(entity),
    )
    return render(
        request,
        "pledges/public/entity_detail.html",
        {
            "entity": entity,
            "page": page,
            # The browser's `entity` filter selects exactly these pledges, in the same order.
            "downloads": download_urls("pledges:pledge-export", {"entity": str(entity.public_id)}),
        },
    )


def objective_detail(request: HttpRequest, compact: str, number: int) -> HttpResponse:
    """An objective's official text, its actions, figures and published pledges."""
    objective = get_object_or_404(
        Objective.objects.select_related("compact").prefetch_related("actions"),
        compact__code=compact,
        number=number,
    )
    linked = Pledge.objectives.through.objects.filter(objective=objective).values("pledge_id")
    # The compact is implied (a pledge serves objectives of its own compact): named, it lets
    # the list read its compact's pledges newest first from an index and stop after a page.
    pledges = public_pledges(request.user).filter(pk__in=linked, compact_id=objective.compact_id)
    headline = _headline(
        objective_latest(objective),
        lambda: pledge_figures(Pledge.objects.published().filter(pk__in=linked)),
    )
    page = _paginate(
        request,
        with_listing_data(pledges.order_by(*ORDERINGS["newest"])),
        count=_stored_count(headline),
    )
    return render(
        request,
        "pledges/public/objective_detail.html",
        {
            "objective": objective,
            "page": page,
            **headline,
            "browse_query": QueryDict.fromkeys(
                ["objective"], objective_token(objective)
            ).urlencode(),
            "downloads": download_urls(
                "pledges:pledge-export", {"objective": objective_token(objective)}
            ),
        },
    )


def forum_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A forum: when and where, its official figures, pledge figures and published pledges;
    for a round of GCM regional reviews (and an IMRF, the round before it) the reviews per
    region."""
    forum = get_object_or_404(Forum.objects.select_related("compact"), code=code)
    pledges = public_pledges(request.user).filter(forum=forum)
    headline = _headline(
        forum_latest(forum),
        lambda: pledge_figures(Pledge.objects.published().filter(forum=forum)),
    )
    page = _paginate(
        request,
        with_listing_data(pledges.order_by(*ORDERINGS["newest"])),
        count=_stored_count(headline),
    )
    return render(
        request,
        "pledges/public/forum_detail.html",
        {
            "forum": forum,
            "page": page,
            **headline,
            "browse_query": QueryDict.fromkeys(["forum"], forum.code).urlencode(),
            "downloads": download_urls("pledges:pledge-export", {"forum": forum.code}),
            # Pledges first announced at an earlier forum or between forums and reaffirmed
            # here: counted apart, listed by the browser's `reaffirmed=true`.
            "reaffirmed": Pledge.objects.published()
            .filter(reaffirmations__forum=forum)
            .exclude(forum=forum)
            .count(),
            # A round of GCM regional reviews lists its reviews, one per UN regional commission;
            # an IMRF, those of the round before it.
            "regional_reviews": regional_reviews_for(forum),
        },
    )
