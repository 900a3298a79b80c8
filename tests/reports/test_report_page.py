"""The report's sections on the hand-built data set (see conftest): every figure, the since
date, the filters' validation and the links from numbers to the pledges behind them."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from .conftest import DEFAULT_SINCE

pytestmark = pytest.mark.django_db

URL = reverse("reports:report")


def _report(client: Client, **params: str) -> Any:
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.context["report"]


def test_status_shares_count_published_pledges_of_the_compact_when_no_forum_is_chosen(
    secretariat_client: Client, dataset: dict[str, Any], today: dt.date
) -> None:
    report = _report(secretariat_client)

    assert report.published == 8  # not the draft, not the GCM pledge
    shares = {row.status: (row.count, row.percent) for row in report.statuses}
    assert shares == {
        "not_started": (0, Decimal("0.0")),
        "planning": (1, Decimal("12.5")),
        "in_progress": (3, Decimal("37.5")),
        "fulfilled": (1, Decimal("12.5")),
        "discontinued": (1, Decimal("12.5")),
        "": (2, Decimal("25.0")),
    }


def test_status_shares_narrow_to_one_forum(
    secretariat_client: Client, dataset: dict[str, Any], today: dt.date
) -> None:
    report = _report(secretariat_client, compact="GCR", forum="GRF19")

    assert report.published == 2
    assert {r.status: r.count for r in report.statuses if r.count} == {"in_progress": 2}


def test_new_pledges_and_updates_are_counted_from_the_previous_cycle_by_default(
    secretariat_client: Client, dataset: dict[str, Any], today: dt.date
) -> None:
    report = _report(secretariat_client)

    assert report.since == DEFAULT_SINCE == dt.date(2026, 1, 1)
    assert report.new_count == 1
    assert [p.reference for p in report.new_preview] == [dataset["p5"].reference]
    # Approved on 5 March (p1) and 3 January (p7); p4's was approved in 2025.
    assert report.updates_approved == 2
    assert report.updates_pledges == 2
    assert dict(report.updates_by_status)["In progress"] == 2
    # p2's pending update counts; the GCM pledge's does not.
    assert report.updates_pending == 1


def test_since_date_moves_what_counts_as_new(
    secretariat_client: Client, dataset: dict[str, Any], today: dt.date
) -> None:
    later = _report(secretariat_client, since="2026-03-01")
    assert (later.new_count, later.updates_approved) == (0, 1)  # p1's update of 5 March

    earlier = _report(secretariat_client, since="2025-07-02")
    # Approved on the since day itself counts; so do the later ones.
    assert (earlier.new_count, earlier.updates_approved) == (1, 3)


def test_overdue_section_counts_and_lists_the_longest_overdue_first(
    secretariat_client: Client, dataset: dict[str, Any], today: dt.date
) -> None:
    response = secretariat_client.get(URL)
    report = response.context["report"]

    assert report.overdue_count == 3
    assert [p.reference for p in report.overdue_preview] == [
        dataset["p2"].reference,  # never updated: counted from publication, 15 Jan 2024
        dataset["p4"].reference,  # 30 Jun 2025
        dataset["p8"].reference,  # 22 Nov 2025
    ]
    assert f'href="{reverse("reports:overdue-list")}?compact=GCR"' in response.text


def test_top_thematic_areas_by_published_pledges(
    secretariat_client: Client, dataset: dict[str, Any], today: dt.date
) -> None:
    report = _report(secretariat_client)

    # The draft's education tag does not count.
    assert [(t.area.slug, t.count, t.percent) for t in report.thematic_areas] == [
        ("education", 3, Decimal("37.5")),
        ("health", 1, Decimal("12.5")),
        ("jobs", 1, Decimal("12.5")),
    ]


def test_numbers_link_to_the_pledges_behind_them(
    secretariat_client: Client, dataset: dict[str, Any], today: dt.date
) -> None:
    page = secretariat_client.get(URL, {"compact": "GCR", "forum": "GRF23"}).text
    browse = reverse("pledges:pledge-list")

    assert (
        f'href="{browse}?compact=GCR&amp;forum=GRF23&amp;implementation_status=none">2</a>' in page
    )
    assert f'href="{browse}?compact=GCR&amp;forum=GRF23&amp;thematic_area=education">3</a>' in page
    assert f'href="{browse}?compact=GCR&amp;forum=GRF23">6</a>' in page
    # The link leads to the same pledges in the browser.
    listed = secretariat_client.get(
        browse, {"compact": "GCR", "forum": "GRF23", "implementation_status": "none"}
    )
    assert listed.context["total"] == 2


def test_page_prints_the_filters_in_words_and_the_generation_date(
    secretariat_client: Client, dataset: dict[str, Any], today: dt.date
) -> None:
    page = secretariat_client.get(URL, {"forum": "GRF23", "since": "2026-02-01"}).text

    assert "<dt>Compact</dt><dd>Global Compact on Refugees (GCR)</dd>" in page
    assert "<dt>Forum</dt><dd>Global Refugee Forum 2023</dd>" in page
    assert "<dt>Since</dt><dd>2026-02-01</dd>" in page
    assert '<time datetime="2026-11-23T12:00:00+00:00">' in page


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"since": "2026-13-01"}, "since", "Enter a valid date."),
        ({"since": "2026-12-01"}, "since", "The date cannot be in the future."),
        ({"since": "2015-12-31"}, "since", "The date cannot be before 2016-01-01."),
        ({"compact": "XYZ"}, "compact", "Select a valid choice."),
        ({"forum": "NOPE"}, "forum", "Select a valid choice."),
        ({"compact": "GCR", "forum": "IMRF22"}, "forum", "IMRF22 is a forum of the GCM"),
    ],
)
def test_invalid_filters_are_reported_on_their_field(
    secretariat_client: Client,
    dataset: dict[str, Any],
    today: dt.date,
    params: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = secretariat_client.get(URL, params)

    assert response.status_code == 400
    assert "report" not in response.context
    assert any(message in error for error in response.context["form"].errors[field])
    assert f'id="id_{field}-error"' in response.text


def test_empty_scope_says_so_instead_of_showing_zero_tables(
    secretariat_client: Client, grf19: Any, today: dt.date
) -> None:
    response = secretariat_client.get(URL, {"forum": "GRF19"})

    assert response.status_code == 200
    assert "No published pledge matches these filters." in response.text
