"""The public library: full-text search and facets, the objective page's block, the API and
the Atom feed, published resources only."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_search_and_facets_find_published_resources_when_filtered(client, make_resource) -> None:
    make_resource(
        "Recruitment fees toolkit",
        objectives=("GCM-6",),
        resource_type="tool",
        languages=["fr"],
        summary="Des recruteurs équitables.",
    )
    make_resource("Cooperation report", objectives=("GCM-23",), languages=["en"])
    make_resource("Unpublished note", publish=False)
    listing = reverse("resources:list")
    page = client.get(listing).content.decode()
    assert "Recruitment fees toolkit" in page
    assert "Unpublished note" not in page
    found = client.get(listing, {"q": "toolkit"}).content.decode()
    assert "Recruitment fees toolkit" in found
    assert "Cooperation report" not in found
    # Stemmed by the page's language: "recruteur" finds "recruteurs" on /fr/.
    assert (
        "Recruitment fees toolkit"
        in client.get("/fr/resources/", {"q": "recruteur"}).content.decode()
    )
    by_type = client.get(listing, {"type": "tool", "objective": "GCM-6"})
    assert by_type.context["total"] == 1
    type_facet = next(f for f in by_type.context["facets"] if f.name == "type")
    # The type facet counts what ticking each type would show, given the other filters.
    assert {o.value: o.count for o in type_facet.options} == {"tool": 1}
    empty = client.get(listing, {"q": "zzzz"}).content.decode()
    assert "No published resource matches these filters." in empty
    bad = client.get(listing, {"type": "podcast"})
    assert bad.status_code == 200
    assert "Some filters could not be applied" in bad.content.decode()


def test_objective_page_api_and_feed_list_its_resources_when_published(
    client, make_resource
) -> None:
    make_resource("Cooperation report", objectives=("GCM-23",))
    make_resource("Draft on cooperation", objectives=("GCM-23",), publish=False)
    page = client.get(reverse("pledges:objective-detail", args=["GCM", 23])).content.decode()
    assert "Resources on this objective" in page
    assert "Cooperation report" in page
    assert "Draft on cooperation" not in page
    assert "/resources/?objective=GCM-23" in page

    api = client.get("/api/v1/resources/", {"objective": "GCM-23"})
    assert api.status_code == 200
    assert [r["title"] for r in api.json()["results"]] == ["Cooperation report"]
    assert api["ETag"]
    assert client.get("/api/v1/resources/", {"objective": "GCM-6"}).json()["results"] == []

    feed = client.get(reverse("resources:objective-feed", args=["GCM", 23]))
    assert feed["Content-Type"].startswith("application/atom+xml")
    body = feed.content.decode()
    assert "Cooperation report" in body
    assert "Draft on cooperation" not in body


def test_the_secretariat_curates_a_resource_when_using_the_pages(
    client, reference_data, secretariat, member_a
) -> None:
    client.force_login(member_a)
    assert client.get(reverse("resources:create")).status_code == 403
    client.force_login(secretariat)
    missing = client.post(reverse("resources:create"), {"title": "Guide", "resource_type": "tool"})
    assert missing.status_code == 400
    assert "address" in missing.content.decode()
    created = client.post(
        reverse("resources:create"),
        {"title": "Guide", "resource_type": "tool", "url": "https://example.org/guide"},
    )
    assert created.status_code == 302
    from resources.models import Resource

    guide = Resource.objects.get()
    decision = reverse("resources:decision", args=[guide.public_id])
    client.post(decision, {"action": "publish"})
    client.post(decision, {"action": "unpublish", "reason": "Link broken."})
    guide.refresh_from_db()
    assert guide.state == "unpublished"


def test_the_browser_and_the_api_cost_a_bounded_number_of_queries_when_listing(
    client, make_resource, django_assert_max_num_queries
) -> None:
    for number in range(1, 8):
        make_resource(f"Guide {number}", objectives=(f"GCM-{number}",), countries=[])
    with django_assert_max_num_queries(20):
        assert client.get(reverse("resources:list"), {"q": "guide"}).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/resources/").status_code == 200
