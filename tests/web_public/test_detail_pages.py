"""The public pages of an entity, an objective and a forum: their facts and their published
pledges, paginated; unknown codes answer 404."""

import re
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format
from pytest_django import DjangoAssertNumQueries

from indicators import delta
from pledges.models import Entity, ParticipantStatus, Pledge, PledgeParticipant
from tests.factories import EntityFactory, MembershipFactory

from .conftest import CAST, DRAFT_TITLE, World
from .pages import references, text

pytestmark = pytest.mark.django_db


# --- entity ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", CAST)
def test_entity_page_lists_its_published_pledges_and_not_its_draft_when_viewed_by_anyone(
    world: World,
    entity_a: Entity,
    make_pledge: Callable[..., Pledge],
    as_user: Callable[[str], Client],
    who: str,
) -> None:
    published = make_pledge(entity=entity_a, title="Published pledge of entity A")

    response = as_user(who).get(f"/entities/{entity_a.public_id}/")

    assert response.status_code == 200
    assert references(response) == [published.reference]
    assert DRAFT_TITLE not in text(response)
    assert "1 published pledge" in text(response)


def test_entity_page_shows_type_country_website_and_verified_badge_when_verified(
    world: World, client: Client
) -> None:
    entity = world.p1.entity
    entity.website = "https://example.org/ministry"
    entity.save()

    page = text(client.get(f"/entities/{entity.public_id}/"))

    assert f"<h1>{entity.name}" in page
    assert "State" in page
    assert "Kenya" in page
    assert 'href="https://example.org/ministry"' in page
    assert "Verified by the secretariat" in page


def test_unverified_entity_page_is_shown_to_its_members_and_the_secretariat_only(
    client: Client, reference_data: None, member_a: object, secretariat: object
) -> None:
    entity = EntityFactory(is_verified=False)
    MembershipFactory(entity=entity, user=member_a)
    url = f"/entities/{entity.public_id}/"

    assert client.get(url).status_code == 404  # a stranger with the UUID learns nothing
    for who in (member_a, secretariat):
        client.force_login(who)
        page = text(client.get(url))
        assert "Not yet verified by the secretariat" in page
        assert "This entity has no published pledges yet." in page


def test_entity_page_lists_joint_pledges_when_the_entity_accepted_as_co_pledger(
    world: World, member_b: object, client: Client
) -> None:
    entity_b = world.p1.participants.get(entity__memberships__user=member_b).entity
    PledgeParticipant.objects.create(
        pledge=world.p2, entity=entity_b, status=ParticipantStatus.INVITED
    )

    response = client.get(f"/entities/{entity_b.public_id}/")

    # Accepted on p1; merely invited on p2, so p2 is not (yet) theirs.
    assert references(response) == ["GRF23-00001"]


def test_entity_page_answers_404_when_the_id_is_unknown(client: Client) -> None:
    assert client.get(f"/entities/{uuid.uuid4()}/").status_code == 404


# --- objective ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", CAST)
def test_objective_page_shows_official_text_and_published_pledges_when_viewed_by_anyone(
    world: World, as_user: Callable[[str], Client], who: str
) -> None:
    response = as_user(who).get("/objectives/GCR/1/")

    page = text(response)
    assert response.status_code == 200
    assert "Ease pressures on host countries" in page
    assert references(response) == ["GRF23-00001"]
    assert DRAFT_TITLE not in page
    assert 'href="/pledges/?objective=GCR-1"' in page


def test_objective_page_lists_its_gcm_actions_when_the_objective_has_them(
    world: World, client: Client
) -> None:
    page = text(client.get("/objectives/GCM/23/"))

    assert '<h2 id="actions-heading">Actions</h2>' in page
    assert "<strong>(a)</strong>" in page
    assert "<strong>(e)</strong>" in page
    assert "International cooperation" in page


def test_objective_page_has_no_actions_section_when_the_objective_has_none(
    world: World, client: Client
) -> None:
    assert 'id="actions-heading"' not in text(client.get("/objectives/GCR/2/"))


def test_objective_figures_count_each_pledge_and_its_money_once_when_it_serves_two_objectives(
    world: World, client: Client
) -> None:
    page = text(client.get("/objectives/GCR/2/"))

    # p1 (1,000 USD, objectives 1 and 2) and p2 (500 EUR × 1.10): 1,550 USD, two pledges.
    assert "USD 1,550" in page
    assert references(client.get("/objectives/GCR/2/")) == ["GRF19-00001", "GRF23-00001"]


@pytest.mark.parametrize(
    "path", ["/objectives/GCM/24/", "/objectives/XYZ/1/", "/objectives/gcm/1/"]
)
def test_objective_page_answers_404_when_compact_or_number_is_unknown(
    reference_data: None, client: Client, path: str
) -> None:
    assert client.get(path).status_code == 404


def test_objective_page_paginates_and_keeps_a_bounded_query_count_when_many_pledges_exist(
    make_pledge: Callable[..., Pledge],
    client: Client,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    for _ in range(27):
        make_pledge(objectives=(1, 2), countries=("KE", "UG"))

    # 13: the resource library's block costs one (its latest resources with their count).
    with django_assert_max_num_queries(13):
        first = client.get("/objectives/GCR/2/")
    second = client.get("/objectives/GCR/2/?page=2")

    assert len(references(first)) == 25
    assert len(references(second)) == 2
    assert "27 pledges with an amount" not in text(first)


# --- forum ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", CAST)
def test_forum_page_shows_dates_place_figures_and_published_pledges_when_viewed_by_anyone(
    world: World, as_user: Callable[[str], Client], who: str
) -> None:
    response = as_user(who).get("/forums/GRF23/")

    page = text(response)
    assert response.status_code == 200
    assert "Global Refugee Forum 2023" in page
    assert "Geneva (Palexpo)" in page
    assert "4,200" in page  # participants in person
    assert "Dec. 13, 2023 to Dec. 15, 2023" in page
    assert references(response) == ["GRF23-00002", "GRF23-00001"]
    assert DRAFT_TITLE not in page
    assert 'href="/pledges/?forum=GRF23"' in page


def test_forum_page_shows_empty_state_when_no_pledge_was_published_there(
    reference_data: None, client: Client
) -> None:
    page = text(client.get("/forums/HLOM21/"))

    assert "No published pledge was announced at this forum yet." in page


def test_forum_page_answers_404_when_the_code_is_unknown(
    reference_data: None, client: Client
) -> None:
    assert client.get("/forums/GRF99/").status_code == 404


def test_forum_page_paginates_when_more_than_25_pledges_exist(
    make_pledge: Callable[..., Pledge], client: Client
) -> None:
    for _ in range(26):
        make_pledge(forum="GRF19")

    assert len(references(client.get("/forums/GRF19/"))) == 25
    assert len(references(client.get("/forums/GRF19/?page=2"))) == 1


# --- headline figures from the progress snapshots --------------------------------------------


def _figures(response: HttpResponse) -> list[tuple[str, str]]:
    """(link, number) of each headline figure, as the visitor reads and follows them."""
    block = re.search(r'<dl class="figures">(.*?)</dl>', text(response), flags=re.S)
    assert block, "figures missing"
    return re.findall(r'<a (?:class="amount" )?href="([^"]+)">([^<]+)</a>', block.group(1))


@pytest.mark.parametrize(
    ("path", "query"),
    [("/objectives/GCR/2/", "objective=GCR-2"), ("/forums/GRF23/", "forum=GRF23")],
)
def test_detail_figures_are_the_snapshots_as_of_its_date_and_link_to_their_pledges(
    world: World,
    make_pledge: Callable[..., Pledge],
    client: Client,
    django_capture_on_commit_callbacks: Any,
    path: str,
    query: str,
) -> None:
    live = _figures(client.get(path))  # no snapshot yet: counted from the pledges
    with django_capture_on_commit_callbacks(execute=True):
        delta.rebuild(on=timezone.localdate())
    make_pledge(objectives=(2,), countries=("FR",), amount=Decimal("7"), currency_id="USD")

    response = client.get(path)

    # The engine counts what the page counted (co-pledgers and countries included), and the
    # page shows the snapshot's figures, not the pledge published since, with their date.
    assert _figures(response) == live
    assert {link for link, _n in live} == {f"/pledges/?{query}"}
    assert f"As of {date_format(timezone.localdate(), 'j F Y')}." in text(response)
