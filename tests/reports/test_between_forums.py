"""The report and the overdue list can be read for the pledges announced between forums (no
forum, the GCR-C- series): the forum picker offers it, and it narrows every figure to them."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from pledges.models import Pledge

pytestmark = pytest.mark.django_db

REPORT = reverse("reports:report")
OVERDUE = reverse("reports:overdue-list")


@pytest.fixture
def between(dataset: dict[str, Any], make_pledge: Callable[..., Pledge]) -> Pledge:
    """A published GCR pledge announced outside any forum, never reported on (overdue)."""
    pledge = make_pledge(status="planning", last=dt.date(2025, 1, 10))
    Pledge.objects.filter(pk=pledge.pk).update(forum=None, reference="GCR-C-000001")
    return Pledge.objects.get(pk=pledge.pk)


def test_the_forum_picker_offers_between_forums_after_all_forums(
    secretariat_client: Client, between: Pledge, today: dt.date
) -> None:
    page = secretariat_client.get(REPORT).content.decode()

    picker = page[page.index('name="forum"') : page.index("</select>", page.index('name="forum"'))]
    options = picker.split("<option")[1:]
    assert 'value=""' in options[0]
    assert "All forums" in options[0]
    assert 'value="none"' in options[1]
    assert "Not at a forum (between forums)" in options[1]
    assert 'value="GRF19"' in picker


def test_between_forums_counts_only_the_pledges_without_a_forum(
    secretariat_client: Client, between: Pledge, today: dt.date
) -> None:
    response = secretariat_client.get(REPORT, {"compact": "GCR", "forum": "none"})

    assert response.status_code == 200
    report = response.context["report"]
    assert report.published == 1
    assert {r.status: r.count for r in report.statuses if r.count} == {"planning": 1}
    assert [p.reference for p in report.overdue_preview] == ["GCR-C-000001"]
    text = response.content.decode()
    assert '<option value="none" selected>' in text
    # Numbers link to the same pledges in the browser, and the download keeps the filter.
    assert "/pledges/?compact=GCR&amp;forum=none" in text
    assert "forum=none" in response.context["export_query"]
    # All forums still counts it with the others.
    everything = secretariat_client.get(REPORT, {"compact": "GCR"}).context["report"]
    assert everything.published == 9


def test_the_overdue_list_and_its_csv_read_between_forums(
    secretariat_client: Client, between: Pledge, today: dt.date
) -> None:
    page = secretariat_client.get(OVERDUE, {"compact": "GCR", "forum": "none"})
    assert page.status_code == 200
    assert [p.reference for p in page.context["page"]] == ["GCR-C-000001"]

    csv = secretariat_client.get(
        reverse("reports:overdue-csv"), {"compact": "GCR", "forum": "none"}
    )
    assert csv.status_code == 200
    assert "between-forums" in csv["Content-Disposition"]
    lines = b"".join(csv.streaming_content).decode().splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["GCR-C-000001"]


def test_the_workbook_cover_names_the_filter_in_words(
    secretariat_client: Client, between: Pledge, today: dt.date
) -> None:
    response = secretariat_client.get(REPORT, {"compact": "GCR", "forum": "none"})

    assert ("Forum", "Not at a forum (between forums)") in response.context["filters"]
    assert "Between forums" in response.content.decode().split("</title>")[0]
