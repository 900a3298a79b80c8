"""Follow-up documents on the public pages: the forum and objective pages list theirs, and
`/documents/` lists them all, filtered, newest first, paginated, with empty states."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from compacts.models import Compact
from followup.models import DocumentKind, FollowUpDocument
from followup.views import PER_PAGE

pytestmark = pytest.mark.django_db

LIST = "/documents/"
SUMMARY = "Summary of the Global Refugee Forum 2023 by the co-hosts and co-convenors"
SUMMARY_URL = (
    "https://www.unhcr.org/news/speeches-and-statements/"
    "summary-global-refugee-forum-2023-co-hosts-and-co-convenors"
)


def test_forum_page_lists_its_documents_with_external_links(
    client: Client, reference_data: None
) -> None:
    response = client.get(reverse("pledges:forum-detail", kwargs={"code": "GRF23"}))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Follow-up documents" in html
    assert f'<a href="{SUMMARY_URL}" rel="noopener external">{SUMMARY}</a>' in html
    assert "Global Compact on Refugees Indicator Report 2023" in html
    # Another forum's documents are not listed here.
    assert "Global Compact on Refugees Indicator Report 2021" not in html
    assert '<time datetime="2023-12-15">' in html


def test_forum_page_says_so_when_no_document_is_recorded(
    client: Client, reference_data: None
) -> None:
    response = client.get(reverse("pledges:forum-detail", kwargs={"code": "GRF27"}))

    assert "No follow-up document is recorded for this forum yet." in response.content.decode()


def test_objective_page_lists_the_documents_that_address_it(
    client: Client, reference_data: None
) -> None:
    url = reverse("pledges:objective-detail", kwargs={"compact": "GCM", "number": 23})

    html = client.get(url).content.decode()

    assert "A/76/642" in html
    assert "Progress Declaration of the International Migration Review Forum" in html
    assert "Arabic, Chinese, English, French, Russian, Spanish" in html
    # GCR documents do not address GCM objectives.
    assert "Indicator Report 2023" not in html
    assert f"{LIST}?objective=GCM-23" in html


def test_document_dated_only_by_month_shows_the_month_not_a_day(
    client: Client, reference_data: None
) -> None:
    html = client.get(LIST, {"kind": DocumentKind.GCR_INDICATOR_REPORT}).content.decode()

    assert '<time datetime="2023-11">November 2023</time>' in html
    assert '<time datetime="2025">2025</time>' in html


def test_list_shows_newest_first_with_undated_last(client: Client, reference_data: None) -> None:
    response = client.get(LIST)

    documents = list(response.context["page"].object_list)
    dates = [d.date for d in documents if d.date]
    assert dates == sorted(dates, reverse=True)
    assert documents[-1].date is None
    assert "10 documents, newest first" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            {"compact": "GCM"},
            {"sg-gcm-report-a-75-542", "sg-gcm-report-a-76-642", "imrf-2022-progress-declaration"},
        ),
        ({"forum": "GRF23"}, {"gcr-indicator-report-2023", "grf-2023-co-hosts-summary"}),
        ({"kind": "hc_annual_report"}, {"hc-report-a-74-12", "hc-report-a-76-12"}),
        (
            {"objective": "GCM-5", "forum": "IMRF22"},
            {"sg-gcm-report-a-76-642", "imrf-2022-progress-declaration"},
        ),
    ],
    ids=["compact", "forum", "kind", "objective-and-forum"],
)
def test_list_shows_only_matching_documents_when_filtered(
    client: Client, reference_data: None, query: dict[str, str], expected: set[str]
) -> None:
    response = client.get(LIST, query)

    assert {d.slug for d in response.context["page"].object_list} == expected


def test_list_says_nothing_matches_and_offers_to_clear_filters(
    client: Client, reference_data: None
) -> None:
    html = client.get(LIST, {"forum": "GRF27"}).content.decode()

    assert "No follow-up document matches these filters." in html
    assert "Clear filters" in html


def test_bad_filter_value_is_shown_on_its_field_not_ignored(
    client: Client, reference_data: None
) -> None:
    response = client.get(LIST, {"kind": "blog_post"})

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []
    assert "Select a valid choice" in response.content.decode()


def test_list_says_so_when_no_document_is_recorded(client: Client, reference_data: None) -> None:
    FollowUpDocument.objects.all().delete()

    html = client.get(LIST).content.decode()

    assert "No follow-up document is recorded yet." in html


def test_list_is_paginated_and_keeps_the_filter_on_the_next_page(
    client: Client, reference_data: None
) -> None:
    gcr = Compact.objects.get(code="GCR")
    for number in range(PER_PAGE + 1):
        document = FollowUpDocument.objects.create(
            slug=f"note-{number}",
            kind=DocumentKind.OTHER,
            title=f"Note {number}",
            date=dt.date(2024, 1, 1),
            url="https://example.org/",
        )
        document.compacts.add(gcr)

    first = client.get(LIST, {"compact": "GCR", "kind": "other"})
    second = client.get(LIST, {"compact": "GCR", "kind": "other", "page": 2})

    assert len(first.context["page"].object_list) == PER_PAGE
    assert "compact=GCR&amp;kind=other&amp;page=2" in first.content.decode()
    assert len(second.context["page"].object_list) == 1


def test_list_page_reads_a_fixed_number_of_queries(
    client: Client, reference_data: None, django_assert_max_num_queries: object
) -> None:
    with django_assert_max_num_queries(12):  # type: ignore[operator]  # pytest-django fixture
        client.get(LIST)


def test_navigation_links_to_the_documents(client: Client, reference_data: None) -> None:
    html = client.get(reverse("pledges:home")).content.decode()

    assert f'href="{LIST}"' in html
