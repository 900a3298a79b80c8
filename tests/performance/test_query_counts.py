"""Regression guards for issue 7: the number of SQL queries of the hot pages does not grow with the
number of pledges, nor with the rows hanging off a pledge. (Speed itself is measured by
`make bench`, never by a timed unit test: docs/performance.md.)"""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from pledges.models import Pledge
from tests.plans import planned

from .conftest import count_queries

pytestmark = pytest.mark.django_db

API_LIST = "/api/v1/pledges/?compact=GCR&implementation_status=in_progress&page_size=100"
WEB_LIST = "/pledges/?compact=GCR&implementation_status=in_progress"
# Caps: what the pages cost today (10, 14, 9, 13 and 9 queries), with a little room; never a
# function of the row count. The web list's 14: the capped read of the facet sets, one GROUP BY
# per facet, the page, its two prefetches and the chosen compact.
API_LIST_CAP = 10
WEB_LIST_CAP = 15
API_DETAIL_CAP = 10
WEB_DETAIL_CAP = 15
DASHBOARD_CAP = 10


def _grows_not(
    add_pledges: Callable[..., list[Pledge]], measure: Callable[[], tuple[int, Any]]
) -> tuple[int, int]:
    add_pledges(5)
    few, response = measure()
    assert response.status_code == 200
    add_pledges(45)
    many, response = measure()
    assert response.status_code == 200
    return few, many


def test_api_list_costs_the_same_queries_for_5_and_50_pledges(
    add_pledges: Callable[..., list[Pledge]],
) -> None:
    client = Client()
    few, many = _grows_not(add_pledges, lambda: count_queries(client, API_LIST))

    assert few == many <= API_LIST_CAP
    assert len(client.get(API_LIST).json()["results"]) == 50


def test_web_list_costs_the_same_queries_for_5_and_50_pledges(
    add_pledges: Callable[..., list[Pledge]],
) -> None:
    client = Client()
    few, many = _grows_not(add_pledges, lambda: count_queries(client, WEB_LIST))

    assert few == many <= WEB_LIST_CAP


def test_web_list_costs_the_same_queries_for_5_and_50_pledges_when_too_many_match_to_count(
    add_pledges: Callable[..., list[Pledge]], settings: Any
) -> None:
    # Above the limit a facet reads its options from a reference table instead of counting:
    # never more queries than counting, and none that grows with the pledges.
    settings.PLEDGE_FACET_COUNT_LIMIT = 3
    client = Client()
    few, many = _grows_not(add_pledges, lambda: count_queries(client, WEB_LIST))

    assert few == many <= WEB_LIST_CAP
    assert "More than 3 pledges" in client.get(WEB_LIST).content.decode()


@pytest.mark.parametrize("url", ["/api/v1/pledges/{ref}/", "/pledges/{ref}/"])
def test_detail_costs_the_same_queries_with_5_and_50_related_rows_and_pledges(
    add_pledges: Callable[..., list[Pledge]], url: str
) -> None:
    client = Client()
    small = add_pledges(5, related=5)[0]
    few, response = count_queries(client, url.format(ref=small.reference))
    assert response.status_code == 200
    large = add_pledges(45, related=50)[0]
    many, response = count_queries(client, url.format(ref=large.reference))
    assert response.status_code == 200

    assert few == many <= (API_DETAIL_CAP if url.startswith("/api/") else WEB_DETAIL_CAP)
    if url.startswith("/api/"):
        assert len(response.json()["targets"]) == 50


def test_dashboard_costs_the_same_queries_for_5_and_50_pledges(
    add_pledges: Callable[..., list[Pledge]], recompute_progress: Callable[[], None]
) -> None:
    client = Client()

    def measure() -> tuple[int, Any]:
        recompute_progress()
        # The dashboard caches its reads: count the page as the first visitor after a change.
        return count_queries(client, "/dashboard/", clear_cache=True)

    few, many = _grows_not(add_pledges, measure)

    assert few == many <= DASHBOARD_CAP


def test_the_hot_list_filter_can_be_read_from_an_index() -> None:
    """The API list's filter (compact + implementation status of published pledges, newest
    first) has an index that serves it in order; docs/performance.md shows the plan at 1M."""
    page = (
        Pledge.objects.filter(
            review_state="published", compact_id=1, implementation_status="in_progress"
        )
        .order_by("-id")
        .values("pk")[:100]
    )
    plan = planned(page, forbid=("seqscan", "sort"))

    assert "pledge_published_status_idx" in plan
    assert "Sort" not in plan


def test_the_browser_capped_facet_read_of_one_status_is_an_index_only_scan() -> None:
    """The compact facet of `/pledges/?compact=…&implementation_status=…` reads the ids of the
    published pledges of that status in any compact, up to the facet count limit. Its index
    holds the id, so the read costs limit + 1 index entries and no visit to the table: at 1M
    pledges, a scan of the table read 37k rows for it (docs/performance.md, "Web browser
    facets"; pledges migration 0010)."""
    capped = Pledge.objects.filter(review_state="published", implementation_status="in_progress")
    # Plain index scans off too: on a never-vacuumed test table an index-only scan costs the
    # same as an index scan of any index on review_state, and the tie went either way.
    plan = planned(
        capped.order_by().values("pk")[:10_001], forbid=("seqscan", "bitmapscan", "indexscan")
    )

    assert "Index Only Scan using pledge_published_by_status_idx " in plan
    assert "Index Cond: (implementation_status = 'in_progress'::text)" in plan
