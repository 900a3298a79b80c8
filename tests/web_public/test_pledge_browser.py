"""The public pledge browser at /pledges/: published pledges only, facets with counts that
follow the other filters, several values per facet, sorting, pagination and errors."""

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from compacts.models import Objective
from pledges.filters import ORDERINGS
from pledges.models import Pledge
from tests.plans import planned

from .conftest import CAST, DRAFT_TITLE, World
from .pages import checked, facet_counts, references, remove_links, text, total

pytestmark = pytest.mark.django_db

ALL = ["GRF23-00002", "IMRF26-00001", "GRF19-00001", "GRF23-00001"]  # newest first


@pytest.mark.parametrize("who", CAST)
def test_lists_published_pledges_newest_first_when_viewed_by_anyone(
    world: World, as_user: Callable[[str], Client], who: str
) -> None:
    response = as_user(who).get("/pledges/")

    assert response.status_code == 200
    assert references(response) == ALL
    assert total(response) == 4
    # Even its own member and the secretariat see the draft only in the workspace.
    assert DRAFT_TITLE not in text(response)
    assert 'href="/pledges/GRF23-00001/"' in text(response)


@pytest.mark.parametrize("who", CAST)
def test_facet_counts_match_hand_counts_when_nothing_is_filtered(
    world: World, as_user: Callable[[str], Client], who: str
) -> None:
    response = as_user(who).get("/pledges/")

    assert facet_counts(response, "compact") == {"GCM": 1, "GCR": 3}
    assert facet_counts(response, "objective") == {
        "GCM-23": 1,
        "GCR-1": 1,
        "GCR-2": 2,
        "GCR-3": 1,
    }
    assert facet_counts(response, "forum") == {"IMRF26": 1, "GRF23": 2, "GRF19": 1}
    assert facet_counts(response, "entity_type") == {"state": 2, "ngo": 1, "private_sector": 1}
    assert facet_counts(response, "implementation_status") == {
        "in_progress": 2,
        "fulfilled": 1,
        "none": 1,
    }
    # KE is in two pledges (one of them also has UG, both in Africa): Africa counts 2 pledges.
    assert facet_counts(response, "region") == {"002": 2, "019": 1, "142": 1, "150": 1}
    assert facet_counts(response, "country") == {"KE": 2, "UG": 1, "JO": 1, "MX": 1, "DE": 1}
    assert facet_counts(response, "thematic_area") == {
        "education": 1,
        "jobs-and-livelihoods": 1,
    }
    assert facet_counts(response, "support_type") == {
        "financial": 1,
        "technical": 1,
        "policy": 1,
        "places": 1,
    }


def test_draft_never_shows_in_facets_when_its_entity_member_browses(
    world: World, as_user: Callable[[str], Client]
) -> None:
    response = as_user("member_a").get("/pledges/")

    assert "NR" not in facet_counts(response, "country")
    assert "009" not in facet_counts(response, "region")
    assert "solutions" not in facet_counts(response, "thematic_area")
    assert "material" not in facet_counts(response, "support_type")
    assert "planning" not in facet_counts(response, "implementation_status")


def test_own_facet_ignores_its_filter_when_a_compact_is_chosen(
    world: World, client: Client
) -> None:
    response = client.get("/pledges/?compact=GCR")

    assert references(response) == ["GRF23-00002", "GRF19-00001", "GRF23-00001"]
    assert total(response) == 3
    # Ticking GCM as well would add its one pledge: the compact facet keeps both counts.
    assert facet_counts(response, "compact") == {"GCM": 1, "GCR": 3}
    assert checked(response, "compact") == {"GCR"}
    # Other facets follow the compact filter.
    assert facet_counts(response, "objective") == {"GCR-1": 1, "GCR-2": 2, "GCR-3": 1}
    assert facet_counts(response, "region") == {"002": 1, "142": 1, "150": 1}
    assert facet_counts(response, "country") == {"KE": 1, "UG": 1, "JO": 1, "DE": 1}


def test_facets_are_anded_across_and_counted_under_the_others_when_two_filters_combine(
    world: World, client: Client
) -> None:
    response = client.get("/pledges/?compact=GCR&region=002")

    assert references(response) == ["GRF23-00001"]
    # Compact counts under region=Africa: the GCR pledge in Kenya/Uganda, the GCM one in Kenya.
    assert facet_counts(response, "compact") == {"GCM": 1, "GCR": 1}
    # Region counts under compact=GCR.
    assert facet_counts(response, "region") == {"002": 1, "142": 1, "150": 1}


def test_values_of_one_facet_are_ored_when_several_are_chosen(world: World, client: Client) -> None:
    response = client.get("/pledges/?country=JO&country=DE")

    assert references(response) == ["GRF23-00002", "GRF19-00001"]
    assert checked(response, "country") == {"JO", "DE"}


def test_pledge_is_listed_once_when_it_matches_two_chosen_objectives(
    world: World, client: Client
) -> None:
    response = client.get("/pledges/?objective=GCR-1&objective=GCR-2")

    assert references(response) == ["GRF19-00001", "GRF23-00001"]
    assert total(response) == 2


def test_objective_filter_accepts_an_id_when_given_one(world: World, client: Client) -> None:
    objective = Objective.objects.get(compact__code="GCM", number=23)

    response = client.get(f"/pledges/?objective={objective.pk}")

    assert references(response) == ["IMRF26-00001"]
    assert checked(response, "objective") == {"GCM-23"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("implementation_status=none", ["GRF19-00001"]),
        (
            "implementation_status=in_progress&implementation_status=fulfilled",
            [
                "GRF23-00002",
                "IMRF26-00001",
                "GRF23-00001",
            ],
        ),
        ("thematic_area=education", ["GRF23-00001"]),
        ("support_type=places", ["GRF23-00002"]),
        ("entity_type=private_sector", ["IMRF26-00001"]),
        ("forum=GRF19", ["GRF19-00001"]),
        ("country=KE", ["IMRF26-00001", "GRF23-00001"]),
        ("region=019", ["IMRF26-00001"]),
        ("compact=GCM&compact=GCR", ALL),
    ],
)
def test_each_filter_narrows_the_list_when_used_alone(
    world: World, client: Client, query: str, expected: list[str]
) -> None:
    assert references(client.get(f"/pledges/?{query}")) == expected


@pytest.mark.parametrize(
    "query",
    [
        "compact=NOPE",
        "objective=GCM-99",
        "objective=banana",
        "objective=99999999999999999999999",
        "region=999",
        "country=ZZ",
        "implementation_status=overdue",
        "sort=price",
        "page=abc",
        "q=" + "x" * 300,
    ],
)
def test_page_answers_200_when_a_filter_value_is_invalid(
    world: World, client: Client, query: str
) -> None:
    response = client.get(f"/pledges/?{query}")

    assert response.status_code == 200


def test_error_summary_names_the_bad_value_and_keeps_the_valid_filters_when_one_is_invalid(
    world: World, client: Client
) -> None:
    response = client.get("/pledges/?compact=GCR&country=ZZ")

    page = text(response)
    assert 'role="alert"' in page
    assert "Some filters could not be applied" in page
    assert "ZZ is not one of the available choices" in page
    assert 'href="#facet-country"' in page
    assert references(response) == ["GRF23-00002", "GRF19-00001", "GRF23-00001"]


def test_no_error_summary_when_every_filter_is_valid(world: World, client: Client) -> None:
    assert 'role="alert"' not in text(client.get("/pledges/?compact=GCR&country=KE"))


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("oldest", list(reversed(ALL))),
        ("newest", ALL),
        ("reference", ["GRF19-00001", "GRF23-00001", "GRF23-00002", "IMRF26-00001"]),
        ("title", ["GRF23-00001", "IMRF26-00001", "GRF23-00002", "GRF19-00001"]),
    ],
)
def test_list_follows_the_chosen_order_when_sorted(
    world: World, client: Client, sort: str, expected: list[str]
) -> None:
    response = client.get(f"/pledges/?sort={sort}")

    assert references(response) == expected
    assert f'<option value="{sort}" selected>' in text(response)


def test_empty_state_explains_when_nothing_matches(world: World, client: Client) -> None:
    response = client.get("/pledges/?country=DE&compact=GCM")

    assert references(response) == []
    assert total(response) == 0
    assert "No published pledge matches these filters." in text(response)


def test_each_active_filter_has_a_link_removing_only_it_when_several_are_active(
    world: World, client: Client
) -> None:
    response = client.get("/pledges/?compact=GCR&country=KE&country=DE&page=1")

    links = remove_links(response)
    assert links["Compact: Global Compact on Refugees"] == "?country=KE&country=DE"
    assert links["Country (beneficiary): Kenya"] == "?compact=GCR&country=DE"
    assert links["Country (beneficiary): Germany"] == "?compact=GCR&country=KE"
    assert references(client.get("/pledges/" + links["Country (beneficiary): Kenya"])) == [
        "GRF23-00002"
    ]
    assert 'href="/pledges/">Clear all filters' in text(response)


def test_chosen_value_stays_visible_with_zero_when_other_filters_exclude_it(
    world: World, client: Client
) -> None:
    response = client.get("/pledges/?compact=GCM&country=DE")

    assert facet_counts(response, "country")["DE"] == 0
    assert checked(response, "country") == {"DE"}


def test_pagination_keeps_every_filter_when_moving_to_the_next_page(
    make_pledge: Callable[..., Pledge], client: Client
) -> None:
    for _ in range(30):
        make_pledge(countries=("KE",))
    make_pledge(forum="IMRF26", objectives=(23,))

    first = client.get("/pledges/?compact=GCR&country=KE&sort=reference")
    second = client.get("/pledges/?compact=GCR&country=KE&sort=reference&page=2")

    assert total(first) == 30
    assert len(references(first)) == 25
    assert 'href="?compact=GCR&amp;country=KE&amp;sort=reference&amp;page=2" rel="next"' in (
        text(first)
    )
    assert references(second) == [f"GRF23-{n:05d}" for n in range(26, 31)]
    assert 'aria-current="page"><span class="visually-hidden">Page </span>2<' in text(second)


def test_last_page_is_shown_when_the_page_number_is_past_the_end(
    world: World, client: Client
) -> None:
    assert references(client.get("/pledges/?page=99")) == ALL


def test_every_checkbox_and_field_has_a_label_when_the_form_renders(
    world: World, client: Client
) -> None:
    page = text(client.get("/pledges/?q=school"))

    ids = re.findall(r'<(?:input|select)[^>]*\sid="([^"]+)"', page)
    assert ids
    for input_id in ids:
        assert f'<label for="{input_id}"' in page, input_id
    assert (
        page.count("<fieldset") == page.count("<legend>") == 11
    )  # nine facets, the multistakeholder pledge one, then the support filters
    assert '<form method="get"' in page
    assert "<script>" not in page


@pytest.mark.parametrize("who", ["anonymous", "member_a", "secretariat"])
def test_query_count_does_not_grow_with_pledges_when_every_filter_is_used(
    make_pledge: Callable[..., Pledge],
    as_user: Callable[[str], Client],
    django_assert_max_num_queries: DjangoAssertNumQueries,
    who: str,
) -> None:
    client = as_user(who)
    url = (
        "/pledges/?q=refugee&compact=GCR&objective=GCR-1&forum=GRF23&entity_type=ngo"
        "&implementation_status=none&region=002&country=KE&thematic_area=education"
        "&support_type=financial&sort=title"
    )

    def build(count: int) -> int:
        for _ in range(count):
            make_pledge(
                title="Refugee schools",
                countries=("KE", "UG"),
                thematic_areas=("education",),
                support_types=("financial",),
                objectives=(1, 2),
            )
        client.get(url)  # warm up: sessions, permissions and content types are cached
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert total(response) == Pledge.objects.published().count()
        return len(queries)

    few = build(5)
    many = build(35)

    assert few == many
    with django_assert_max_num_queries(30):
        client.get(url)


def test_newest_first_page_can_be_read_from_an_index_when_not_filtered(world: World) -> None:
    page = Pledge.objects.published().order_by(*ORDERINGS["newest"]).values("pk")[:25]
    # It cannot serve the default order if ORDERINGS and Pledge.Meta.indexes drift apart.
    plan = planned(page, forbid=("seqscan", "sort"))

    assert "pledge_published_newest_idx" in plan


def test_overdue_filter_lists_published_pledges_late_with_their_report(
    world: World, client: Client
) -> None:
    three_years_ago = timezone.now() - dt.timedelta(days=3 * 365)
    # p1: never reported, published three years ago → overdue. p2: just as old but fulfilled
    # → owes nothing. p3: old, but reported last month → not overdue.
    Pledge.objects.filter(pk=world.p1.pk).update(published_at=three_years_ago)
    Pledge.objects.filter(pk=world.p2.pk).update(
        published_at=three_years_ago, implementation_status="fulfilled"
    )
    Pledge.objects.filter(pk=world.p3.pk).update(
        published_at=three_years_ago,
        implementation_status="in_progress",
        last_update_on=timezone.localdate() - dt.timedelta(days=30),
    )

    late = client.get("/pledges/?overdue=true")
    on_time = client.get("/pledges/?overdue=false")
    api = client.get("/api/v1/pledges/?overdue=true", HTTP_ACCEPT="application/json")

    assert references(late) == [world.p1.reference]
    assert world.p1.reference not in references(on_time)
    assert len(references(on_time)) == total(client.get("/pledges/")) - 1
    assert [p["reference"] for p in api.json()["results"]] == [world.p1.reference]
