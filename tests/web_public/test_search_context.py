"""Search finds pledges by what they are about, not only by their own words: several words in
any order, across title, description, entity, countries (in the page's language), objectives and
thematic areas (`pledges.search_context`)."""

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from pledges import search
from pledges.models import Pledge
from pledges.search_context import refresh_context_search
from tests.factories import EntityFactory
from tests.plans import planned

from .conftest import World
from .pages import references, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(world: World) -> World:
    # The rows are built directly (no service), so their context is stored here.
    refresh_context_search()
    return world


def test_finds_a_pledge_on_education_benefiting_kenya_when_the_words_are_in_its_context(
    indexed: World, client: Client
) -> None:
    # GRF23-00001 says "schools", is filed under Education and benefits Kenya; IMRF26-00001
    # benefits Kenya too but is not about education.
    assert references(client.get("/pledges/?q=education+Kenya")) == ["GRF23-00001"]
    assert references(client.get("/pledges/?q=Kenya+education")) == ["GRF23-00001"]


def test_finds_countries_by_their_name_in_the_page_language_when_searching_in_french(
    indexed: World, client: Client
) -> None:
    # Jordan is « Jordanie » in French; neither word is in the pledge's own text.
    assert references(client.get("/fr/pledges/?q=Jordanie")) == ["GRF19-00001"]


def test_finds_objectives_by_their_title_in_the_page_language_when_searching_in_spanish(
    indexed: World, client: Client
) -> None:
    # GCM objective 23 is titled « Fortalecer la cooperación internacional… » in Spanish; only
    # IMRF26-00001 is filed under it, and its own text is English.
    assert references(client.get("/es/pledges/?q=fortalecer+cooperación")) == ["IMRF26-00001"]


def test_the_search_button_sorts_by_best_match_when_no_order_was_chosen(
    indexed: World, client: Client
) -> None:
    form = text(client.get("/pledges/"))

    # What the form sends with the first search: best match, not "newest".
    assert '<option value="relevance" selected>' in form


def test_the_stored_context_names_the_beneficiary_countries(indexed: World) -> None:
    pledge = Pledge.objects.get(pk=indexed.p2.pk)

    assert "jordan" in str(pledge.context_search_vector)


def test_the_context_is_stored_once_when_the_search_finds_pledges_by_it(
    indexed: World, client: Client
) -> None:
    # The stored text document leaves the context to its own column: a second copy of it cost
    # 1.9 GB at 1,000,000 pledges (pledges migration 0032).
    pledge = Pledge.objects.get(pk=indexed.p2.pk)

    assert "jordan" not in str(pledge.search_document)
    assert references(client.get("/pledges/?q=Jordan")) == ["GRF19-00001"]


def test_postgresql_uses_the_gin_index_when_words_come_from_several_fields(
    indexed: World,
) -> None:
    queryset = search.filter_by_text(Pledge.objects.order_by(), "education Kenya")

    assert "pledge_search_idx" in planned(queryset.values("pk"))


def test_words_in_the_context_raise_the_rank_when_two_texts_match_alike(
    world: World, make_pledge: Callable[..., Pledge], client: Client
) -> None:
    # The same title; "refugee" also names the older pledge's entity. Best match ranks the text
    # and the context apart and adds them (`pledge_rank()`), so the entity lifts it above the
    # newer one, which ties would put first.
    week_ago = timezone.now() - dt.timedelta(days=7)
    named = make_pledge(
        title="Solar lanterns for refugee camps",
        entity=EntityFactory(name="Refugee Lantern Council"),
        published_at=week_ago,
    )
    plain = make_pledge(title="Solar lanterns for refugee camps")
    refresh_context_search()

    shown = references(client.get("/pledges/?q=lanterns+refugee"))

    assert shown == [named.reference, plain.reference]
