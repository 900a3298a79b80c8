"""The report, its export and the overdue list cost a fixed number of queries: the same for a
handful of pledges as for many (aggregated in the database, nothing fetched per row)."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from pledges.models import Pledge

from .conftest import approve

pytestmark = pytest.mark.django_db

# Session, user and permissions (4); the filter form's lookups (compact, forum) and its select
# options (4: compacts, forums, reporting rounds…); then the report's six queries (statuses and
# counts, new pledges, updates, overdue count and rows, thematic areas) or the list's two
# (count, page).
REPORT_QUERIES = 4 + 2 + 4 + 6
OVERDUE_QUERIES = 4 + 1 + 4 + 2


def _grow(make_pledge: Callable[..., Pledge], themes: tuple[Any, ...], n: int) -> None:
    """`n` more pledges of every kind: overdue with and without contacts, new, updated."""
    for i in range(n):
        pledge = make_pledge(
            status=["", "in_progress", "planning"][i % 3],
            last=None if i % 3 == 0 else dt.date(2025, 1 + i % 12, 1),
            published=dt.date(2024, 1, 1) if i % 2 else dt.date(2026, 2, 1),
            themes=themes[: 1 + i % 3],
            contact_email="" if i % 2 else f"c{i}@example.org",
        )
        approve(
            pledge, status="in_progress", reported=dt.date(2026, 1, 1), approved=dt.date(2026, 2, 1)
        )


@pytest.mark.parametrize("extra", [0, 40])
def test_report_runs_a_fixed_number_of_queries(
    secretariat_client: Client,
    dataset: dict[str, Any],
    make_pledge: Callable[..., Pledge],
    today: dt.date,
    django_assert_num_queries: Any,
    extra: int,
) -> None:
    _grow(make_pledge, (dataset["education"], dataset["health"], dataset["jobs"]), extra)

    with django_assert_num_queries(REPORT_QUERIES):
        response = secretariat_client.get(reverse("reports:report"), {"forum": "GRF23"})
    assert response.context["report"].published == 6 + extra


@pytest.mark.parametrize("extra", [0, 40])
def test_overdue_list_runs_a_fixed_number_of_queries(
    secretariat_client: Client,
    dataset: dict[str, Any],
    make_pledge: Callable[..., Pledge],
    today: dt.date,
    django_assert_num_queries: Any,
    extra: int,
) -> None:
    _grow(make_pledge, (dataset["education"],), extra)

    with django_assert_num_queries(OVERDUE_QUERIES):
        response = secretariat_client.get(reverse("reports:overdue-list"), {"sort": "entity"})
    assert response.context["page"].paginator.count >= 3 + extra // 2


@pytest.mark.parametrize("extra", [0, 40])
def test_exports_run_a_fixed_number_of_queries(
    secretariat_client: Client,
    dataset: dict[str, Any],
    make_pledge: Callable[..., Pledge],
    today: dt.date,
    django_assert_max_num_queries: Any,
    extra: int,
) -> None:
    _grow(make_pledge, (dataset["education"],), extra)

    with django_assert_max_num_queries(REPORT_QUERIES + 3):
        response = secretariat_client.get(reverse("reports:report-xlsx"))
        b"".join(response.streaming_content)
    with django_assert_max_num_queries(OVERDUE_QUERIES):
        response = secretariat_client.get(reverse("reports:overdue-csv"))
        b"".join(response.streaming_content)


def test_the_workbook_does_not_read_the_pages_preview_rows(
    secretariat_client: Client, dataset: dict[str, Any], django_assert_num_queries: Any
) -> None:
    """The page shows the first new and overdue pledges; the workbook lists them all in its
    sheets, so it skips the two preview reads (whole pledge rows, ~0.2 s of a 4 s report at
    100,000 pledges) and reads each sheet's rows once (new pledges, approved updates, overdue)."""
    # Session, user and permissions (4), the form's compact (1), the report's four aggregates
    # (statuses, updates, overdue count, thematic areas), each sheet's rows (3).
    with django_assert_num_queries(4 + 1 + 4 + 3):
        response = secretariat_client.get(reverse("reports:report-xlsx"))
        b"".join(response.streaming_content)
