"""The dashboard reads snapshots only, in a fixed number of queries whatever the number of
pledges and days of history; it is cached briefly, and a recompute makes it fresh at once."""

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from .conftest import FIRST
from .test_dashboard_page import headline

pytestmark = pytest.mark.django_db

# Filter choices (compacts, forums, entity types, reporting rounds, countries, objectives,
# multistakeholder pledges, types of support), objectives, the as-of date,
# the history, the compact's slices on that date, the objectives' score history, their latest
# figures, the collective goals with their latest progress.
QUERIES = 15
# A cached dashboard still validates its filters against the reference data (and the rounds).
CACHED_QUERIES = 8
FORUMS = ["GRF23", "GRF19"]
TYPES = ["state", "ngo", "academia"]
COUNTRIES = [("KE",), ("JO", "LB"), ("UG",), ("CO", "PE", "EC"), ("DE",)]


QUERIES_TRIED = ["", "?forum=GRF23", "?region=002&year=2026", "?compact=GCM"]


def test_same_queries_with_few_and_with_many_pledges_and_dates(
    client: Client,
    world: None,
    add_pledge: Callable[..., Any],
    recompute: Callable[[dt.date], None],
    django_assert_num_queries: Any,
) -> None:
    # Every filter is read before and after the same 150 pledges and 5 runs (built once: it is
    # the slow part).
    few = {}
    for query in QUERIES_TRIED:
        with django_assert_num_queries(QUERIES):
            few[query] = client.get(f"/dashboard/{query}")
        assert few[query].status_code == 200

    variety = itertools.cycle(itertools.product(FORUMS, TYPES, COUNTRIES, [(1,), (2, 3), (4,)]))
    for day in range(1, 6):
        for _ in range(30):
            forum, entity_type, countries, objectives = next(variety)
            add_pledge(
                forum=forum,
                entity_type=entity_type,
                countries=countries,
                objectives=objectives,
                status="in_progress",
                amount="100",
            )
        recompute(FIRST + dt.timedelta(days=day))

    for query in QUERIES_TRIED:
        with django_assert_num_queries(QUERIES):
            many = client.get(f"/dashboard/{query}")
        assert many.status_code == 200
        if "GCM" not in query:
            assert many.content != few[query].content, query
        if not query:
            assert headline(many)["Published pledges"] == "153"
            assert "6 dates of history" in many.text


def test_a_cached_dashboard_runs_fewer_queries(
    client: Client, world: None, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(QUERIES):
        first = client.get("/dashboard/?entity_type=ngo")
    with django_assert_num_queries(CACHED_QUERIES):
        again = client.get("/dashboard/?entity_type=ngo")

    assert dashboard_part(again) == dashboard_part(first)


def dashboard_part(response: Any) -> str:
    """The page without the language form's CSRF token, which differs on every request."""
    return response.content.decode().split('<div id="dashboard"')[1].split("</main>")[0]


def test_other_filters_are_cached_apart(client: Client, world: None) -> None:
    assert headline(client.get("/dashboard/?forum=GRF23"))["Published pledges"] == "2"
    assert headline(client.get("/dashboard/?forum=GRF19"))["Published pledges"] == "1"


def test_a_recompute_shows_at_once_despite_the_cache(
    client: Client,
    world: None,
    add_pledge: Callable[..., Any],
    recompute: Callable[[dt.date], None],
    django_assert_num_queries: Any,
) -> None:
    assert headline(client.get("/dashboard/"))["Published pledges"] == "3"
    add_pledge(countries=("JO",))

    recompute(FIRST)  # same day: the snapshot rows are overwritten, the token changes

    with django_assert_num_queries(QUERIES):
        fresh = client.get("/dashboard/")
    assert headline(fresh)["Published pledges"] == "4"
    csv = client.get("/dashboard/csv/status/").content.decode()
    assert "No update yet,2," in csv
