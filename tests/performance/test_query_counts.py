"""Regression guards for issue 7: the number of SQL queries of the hot pages does not grow with the
number of pledges, nor with the rows hanging off a pledge. (Speed itself is measured by
`make bench`, never by a timed unit test: docs/performance.md.)"""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from pledges.duplicates import DraftFields, similar_pledges_sql
from pledges.models import Pledge
from tests.factories import PledgeRows
from tests.plans import planned, reset_planner

from .conftest import count_queries

pytestmark = pytest.mark.django_db

API_LIST = "/api/v1/pledges/?compact=GCR&implementation_status=in_progress&page_size=100"
WEB_LIST = "/pledges/?compact=GCR&implementation_status=in_progress"
# Caps: what the pages cost today (10, 16, 9, 16 and 15 queries), with a little room; never a
# function of the row count. The web list's 16: the capped read of the facet sets, one GROUP BY
# per facet, the countries' footnotes (Kosovo's), the page, its two prefetches and the chosen
# compact. The web detail's 16: issue 20 added the pledge's attachments. The dashboard's 15:
# issue 17 added the reporting rounds' filter choices and the collective goals' panel, issue 22
# the combined filters' four lists of choices (country, objective, MSP, support type).
API_LIST_CAP = 10
WEB_LIST_CAP = 17
API_DETAIL_CAP = 10
WEB_DETAIL_CAP = 16
DASHBOARD_CAP = 15


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
    # 50 pledges, one of them with 50 rows of each related kind: the other pledges need no
    # more than one each to show that the page does not read them (thousands of factory rows
    # cost a minute of the suite).
    large = add_pledges(1, related=50)[0]
    add_pledges(44, related=1)
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


def test_the_hot_list_filter_can_be_read_from_an_index(reference_data: None) -> None:
    """The API list's filter (compact + implementation status of published pledges, newest
    first) has an index that serves it in order; docs/performance.md shows the plan at 1M."""
    # Published pledges of another status, analysed: on an empty table, walking any index of
    # published pledges in id order (the forum page's, pledges 0028) and filtering costs as
    # little as the exact range.
    _copies_of(PledgeRows(first=100)(status="planning"), 3_000)
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


def test_the_browser_capped_facet_read_of_one_status_is_an_index_only_scan(
    reference_data: None,
) -> None:
    """The compact facet of `/pledges/?compact=…&implementation_status=…` reads the ids of the
    published pledges of that status in any compact, up to the facet count limit. Its index
    holds the id, so the read costs limit + 1 index entries and no visit to the table: at 1M
    pledges, a scan of the table read 37k rows for it (docs/performance.md, "Web browser
    facets"; pledges migration 0010)."""
    # 3,000 published pledges of another status, analysed: on an empty table a full read of
    # any partial index on published pledges (the forum page's, pledges 0026) costs as little.
    _copies_of(PledgeRows(first=100)(status="planning"), 3_000)
    capped = Pledge.objects.filter(review_state="published", implementation_status="in_progress")
    # Plain index scans off too: on a never-vacuumed test table an index-only scan costs the
    # same as an index scan of any index on review_state, and the tie went either way.
    plan = planned(
        capped.order_by().values("pk")[:10_001], forbid=("seqscan", "bitmapscan", "indexscan")
    )

    assert "Index Only Scan using pledge_published_by_status_idx " in plan
    assert "Index Cond: (implementation_status = 'in_progress'::text)" in plan


def _copies_of(pledge: Pledge, count: int) -> None:
    """`count` copies of `pledge`'s row with their own id, reference and title (one INSERT)."""
    columns = [
        f.column
        for f in Pledge._meta.concrete_fields
        if f.column != "id" and not f.generated  # PostgreSQL computes generated columns
    ]
    made = {
        "public_id": "gen_random_uuid()",
        "reference": "'GRF23-' || lpad((10000 + n)::text, 5, '0')",
        "title": "'Pledge number ' || n || ' on subject ' || (n %% 97)",
    }
    picked = ", ".join(made.get(column, column) for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO pledges_pledge ({', '.join(columns)}) "  # noqa: S608 — model columns
            f"SELECT {picked} FROM pledges_pledge, generate_series(1, %s) AS n WHERE id = %s",
            [count, pledge.pk],
        )
        cursor.execute("ANALYZE pledges_pledge")


@pytest.mark.parametrize("viewer", ["anonymous", "member", "secretariat"])
def test_the_duplicate_warning_reads_pledges_through_indexes_only(
    viewer: str, reference_data: None, member_a: Any, secretariat: Any
) -> None:
    """`similar_pledges` gathers its candidates by capped reads of the entity's pledges and of
    the title-words GIN index (pledges 0019), then scores only those: no read of the whole
    pledge table, for any viewer (docs/duplicates.md)."""
    entity = member_a.memberships.get().entity
    # 3,000 published pledges of other entities with other titles, analysed: on a nearly empty
    # table the planner reads "every published pledge" from its partial index as cheaply as
    # anything else, and the question is which index serves the reads once that costs.
    _copies_of(PledgeRows(first=100)(title="Another subject"), 3_000)
    subject = DraftFields(
        title="Include refugee children in national schools in Kenya",
        entity_id=entity.pk,
        forum_id=1,
        country_codes=("KE", "UG"),
        pledge_id=1,
    )
    who = {"anonymous": None, "member": member_a, "secretariat": secretariat}[viewer]
    sql, params = similar_pledges_sql(subject, viewer=who, limit=5)
    with connection.cursor() as cursor:
        # Plain index scans off too: on the tests' tiny table a full scan of any index costs
        # next to nothing, and would hide a read that the title index can no longer serve.
        for kind in ("seqscan", "indexscan"):
            cursor.execute(f"SET LOCAL enable_{kind} = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        reset_planner(cursor, ("seqscan", "indexscan"))

    assert "Seq Scan on pledges_pledge " not in plan
    # All words, all but the last, all but the first; and the entity's own pledges.
    assert plan.count("Bitmap Index Scan on pledge_title_words_idx") == 3
    # The entity's index, or for published pledges only its newest-first one (pledges 0030).
    assert any(
        f"Bitmap Index Scan on {index}" in plan
        for index in ("pledges_pledge_entity_id", "pledge_entity_newest_idx")
    )
