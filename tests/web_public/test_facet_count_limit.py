"""The pledge browser counts facets only over at most PLEDGE_FACET_COUNT_LIMIT pledges (issue #7):
above it, a facet lists its options without counts and the page says so once; the number of
matches reads "More than N"; filters, chips and page links work as before."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from pledges.models import Pledge
from pledges.views.public import MAX_PAGES, CappedCountPaginator

from .conftest import World
from .pages import (
    checked,
    facet_counts,
    fieldset,
    more_than,
    options,
    references,
    remove_links,
    text,
    total,
)

pytestmark = pytest.mark.django_db

ALL = ["GRF23-00002", "IMRF26-00001", "GRF19-00001", "GRF23-00001"]  # newest first
FACETS = [
    "compact",
    "objective",
    "forum",
    "entity_type",
    "implementation_status",
    "region",
    "country",
    "thematic_area",
    "support_type",
]
TOO_MANY = "More than 3 pledges match: narrow your search to see how many each option has."


@pytest.fixture
def limit(settings: Any) -> Callable[[int], None]:
    def set_limit(value: int) -> None:
        settings.PLEDGE_FACET_COUNT_LIMIT = value

    return set_limit


def test_options_show_without_counts_and_the_page_says_why_when_more_match_than_the_limit(
    world: World, client: Client, limit: Callable[[int], None]
) -> None:
    limit(3)

    response = client.get("/pledges/")

    assert more_than(response) == 3
    assert references(response) == ALL
    assert text(response).count(TOO_MANY) == 1
    for name in FACETS:
        assert facet_counts(response, name) == {}, name
        assert options(response, name), name
        assert 'aria-describedby="facet-count-limit"' in fieldset(response, name)
    assert '<p class="notice" id="facet-count-limit">' in text(response)
    assert options(response, "compact") == ["GCM", "GCR"]
    # Every possible value is offered, also those no pledge has yet.
    assert {"GCM-23", "GCR-1", "GCR-4"} <= set(options(response, "objective"))
    assert options(response, "implementation_status") == [
        "not_started",
        "planning",
        "in_progress",
        "fulfilled",
        "discontinued",
        "none",
    ]


def test_counts_are_exact_without_a_notice_when_exactly_the_limit_matches(
    world: World, client: Client, limit: Callable[[int], None]
) -> None:
    limit(4)

    response = client.get("/pledges/")

    assert total(response) == 4
    assert facet_counts(response, "compact") == {"GCM": 1, "GCR": 3}
    assert facet_counts(response, "country") == {"KE": 2, "UG": 1, "JO": 1, "MX": 1, "DE": 1}
    # Options nobody pledged under are left out when counting, as before.
    assert "GCR-4" not in options(response, "objective")
    assert "facet-count-limit" not in text(response)


def test_only_the_facets_over_the_limit_lose_their_counts_when_the_matches_are_few(
    world: World, client: Client, limit: Callable[[int], None]
) -> None:
    limit(3)

    # Three GCR pledges match; the compact facet counts over all four (it ignores its own filter).
    response = client.get("/pledges/?compact=GCR")

    assert total(response) == 3
    assert more_than(response) is None
    assert facet_counts(response, "compact") == {}
    assert options(response, "compact") == ["GCM", "GCR"]
    assert checked(response, "compact") == {"GCR"}
    assert facet_counts(response, "objective") == {"GCR-1": 1, "GCR-2": 2, "GCR-3": 1}
    assert facet_counts(response, "country") == {"KE": 1, "UG": 1, "JO": 1, "DE": 1}
    notice = "No counts for Compact: more than 3 pledges match your other filters."
    assert text(response).count(notice) == 1
    assert 'aria-describedby="facet-count-limit"' in fieldset(response, "compact")
    assert "aria-describedby" not in fieldset(response, "objective")


def test_chosen_values_stay_ticked_and_chips_keep_the_other_filters_when_not_counted(
    world: World, client: Client, limit: Callable[[int], None]
) -> None:
    limit(1)

    response = client.get("/pledges/?compact=GCR&country=KE&country=DE")

    assert more_than(response) == 1
    assert references(response) == ["GRF23-00002", "GRF23-00001"]
    assert checked(response, "compact") == {"GCR"}
    assert checked(response, "country") == {"KE", "DE"}
    links = remove_links(response)
    assert links["Compact: Global Compact on Refugees"] == "?country=KE&country=DE"
    assert links["Country (beneficiary): Kenya"] == "?compact=GCR&country=DE"
    # Under compact=GCR, objectives and forums of the other compact would match nothing.
    assert "GCM-23" not in options(response, "objective")
    assert "GCR-1" in options(response, "objective")
    assert "IMRF26" not in options(response, "forum")
    assert "GRF19" in options(response, "forum")


def test_a_chosen_value_missing_from_the_options_stays_ticked_when_not_counted(
    world: World, client: Client, limit: Callable[[int], None]
) -> None:
    limit(1)

    # GCM-23 is not an objective of GCR, so it is not among the offered values: still listed.
    response = client.get("/pledges/?compact=GCR&objective=GCM-23&objective=GCR-2")

    assert checked(response, "objective") == {"GCM-23", "GCR-2"}


def test_pages_link_forward_and_back_keeping_every_filter_when_the_matches_are_not_counted(
    make_pledge: Callable[..., Pledge], client: Client, limit: Callable[[int], None]
) -> None:
    limit(5)
    for _ in range(30):
        make_pledge(countries=("KE",))
    make_pledge(forum="IMRF26", objectives=(23,))
    url = "/pledges/?compact=GCR&country=KE&sort=reference"

    first = client.get(url)
    second = client.get(url + "&page=2")
    past_the_end = client.get(url + "&page=9")

    assert more_than(first) == 5
    assert references(first) == [f"GRF23-{n:05d}" for n in range(1, 26)]
    assert 'href="?compact=GCR&amp;country=KE&amp;sort=reference&amp;page=2" rel="next"' in (
        text(first)
    )
    assert references(second) == [f"GRF23-{n:05d}" for n in range(26, 31)]
    assert 'href="?compact=GCR&amp;country=KE&amp;sort=reference&amp;page=1" rel="prev"' in (
        text(second)
    )
    assert 'rel="next"' not in text(second)
    assert 'aria-current="page"><span class="visually-hidden">Page </span>2<' in text(second)
    # Where the list ends was never counted: a page past it shows the last page known to exist.
    assert past_the_end.status_code == 200
    assert references(past_the_end) == references(first)


def test_paginator_numbers_pages_up_to_the_deepest_offered_when_more_match_than_it_lists() -> None:
    rows = list(range(30_000))

    counted = CappedCountPaginator(rows, 25, count=15_000, exact=True)
    not_counted = CappedCountPaginator(rows, 25, count=10_001, exact=False)
    last = not_counted.get_page(MAX_PAGES)

    assert counted.num_pages == MAX_PAGES
    assert counted.truncated
    assert last.object_list == rows[(MAX_PAGES - 1) * 25 : MAX_PAGES * 25]
    assert not last.has_next()
    assert not_counted.num_pages == MAX_PAGES
    assert not_counted.truncated


def test_paginator_shows_no_further_page_when_an_uncounted_list_ends_early() -> None:
    paginator = CappedCountPaginator(list(range(7)), 5, count=6, exact=False)

    page = paginator.get_page(2)

    assert list(page.object_list) == [5, 6]
    assert not page.has_next()
    assert paginator.num_pages == 2
    assert not paginator.truncated
