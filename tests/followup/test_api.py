"""`/api/v1/documents/`: the follow-up documents, public and read-only, filtered by compact,
objective, forum and kind, each addressed by its code."""

import pytest
from rest_framework.test import APIClient

from followup.models import FollowUpDocument

pytestmark = pytest.mark.django_db

URL = "/api/v1/documents/"


@pytest.fixture
def api(reference_data: None) -> APIClient:
    return APIClient()


def slugs(api: APIClient, **query: str) -> set[str]:
    response = api.get(URL, {"page_size": 100, **query})
    assert response.status_code == 200, response.content
    return {d["slug"] for d in response.json()["results"]}


def test_anyone_lists_every_document(api: APIClient) -> None:
    assert len(slugs(api)) == 10


def test_list_filters_by_compact_forum_kind_and_objective(api: APIClient) -> None:
    assert slugs(api, compact="gcm") == {
        "sg-gcm-report-a-75-542",
        "sg-gcm-report-a-76-642",
        "imrf-2022-progress-declaration",
    }
    assert slugs(api, forum="HLOM21") == {"gcr-indicator-report-2021", "hlom-2021-outcome"}
    assert slugs(api, kind="gcr_indicator_report") == {
        "gcr-indicator-report-2021",
        "gcr-indicator-report-2023",
        "gcr-indicator-report-2025",
    }
    assert slugs(api, objective="GCR-3", kind="hc_annual_report") == {
        "hc-report-a-74-12",
        "hc-report-a-76-12",
    }


def test_detail_is_addressed_by_code_with_its_links(api: APIClient) -> None:
    response = api.get(f"{URL}sg-gcm-report-a-76-642/")

    document = response.json()
    assert response.status_code == 200
    assert document["symbol"] == "A/76/642"
    assert document["kind"] == "sg_gcm_report"
    assert document["document_url"] == "https://undocs.org/en/A/76/642"
    assert document["languages"] == ["ar", "zh-hans", "en", "fr", "ru", "es"]
    assert document["forums"] == ["IMRF22"]
    assert document["compacts"] == ["GCM"]
    assert len(document["objectives"]) == 23
    assert document["url"].endswith(f"{URL}sg-gcm-report-a-76-642/")
    assert document["source"].startswith("https://")


def test_unknown_document_answers_404(api: APIClient) -> None:
    assert api.get(f"{URL}no-such-report/").status_code == 404


def test_bad_filter_values_answer_400_naming_them(api: APIClient) -> None:
    response = api.get(URL, {"kind": "blog_post", "objective": "GCM-99", "forum": "XX1"})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"kind", "objective", "forum"}


def test_documents_cannot_be_written_through_the_api(api: APIClient) -> None:
    response = api.post(URL, {"slug": "x", "title": "X"}, format="json")

    assert response.status_code in {401, 403, 405}


def test_list_reads_a_fixed_number_of_queries(
    api: APIClient, django_assert_max_num_queries: object
) -> None:
    with django_assert_max_num_queries(8):  # type: ignore[operator]  # pytest-django fixture
        api.get(URL, {"page_size": 100})


def test_list_answers_not_modified_when_the_etag_matches(api: APIClient) -> None:
    first = api.get(URL)

    again = api.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304


def test_detail_answers_not_modified_only_while_its_links_are_unchanged(api: APIClient) -> None:
    url = f"{URL}grf-2023-co-hosts-summary/"
    first = api.get(url)
    assert api.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    FollowUpDocument.objects.get(slug="grf-2023-co-hosts-summary").forums.clear()

    changed = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed.json()["forums"] == []
