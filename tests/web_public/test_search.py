"""Full-text search of the public browser (`?q=`): words, phrases, entity names, references."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from pledges import search
from pledges.filters import ORDERINGS
from pledges.models import Pledge
from pledges.search_context import refresh_context_search
from pledges.search_documents import pledge_rank, pledge_text_document
from tests.plans import planned

from .conftest import World
from .pages import facet_counts, references, text, total

pytestmark = pytest.mark.django_db


def test_finds_pledges_by_word_stem_when_searching_words(world: World, client: Client) -> None:
    # "school" finds "schools" in the title: PostgreSQL stems English words.
    assert references(client.get("/pledges/?q=school")) == ["GRF23-00001"]


def test_all_words_must_match_when_searching_several(world: World, client: Client) -> None:
    assert references(client.get("/pledges/?q=refugee+apprenticeships")) == ["GRF19-00001"]


def test_excludes_words_when_prefixed_with_minus(world: World, client: Client) -> None:
    response = client.get("/pledges/?q=refugee+-youth")

    assert references(response) == ["GRF23-00001"]


def test_finds_the_pledge_when_searching_its_exact_reference(world: World, client: Client) -> None:
    response = client.get("/pledges/?q=GRF19-00001")

    assert references(response) == ["GRF19-00001"]
    assert total(response) == 1


def test_finds_the_pledge_when_the_reference_is_typed_in_lower_case(
    world: World, client: Client
) -> None:
    assert references(client.get("/pledges/?q=+grf23-00002+")) == ["GRF23-00002"]


def test_finds_pledges_by_entity_name_when_the_words_are_only_in_the_name(
    world: World, client: Client
) -> None:
    entity = world.p4.entity
    entity.name = "Federal Republic of Germany"
    entity.save()

    assert references(client.get("/pledges/?q=federal+republic")) == ["GRF23-00002"]


@pytest.mark.parametrize("who", ["anonymous", "member_a", "secretariat"])
def test_never_finds_a_draft_when_searching_its_words_or_reference(
    world: World, as_user: Callable[[str], Client], who: str
) -> None:
    client = as_user(who)

    assert references(client.get("/pledges/?q=Nauru")) == []
    assert references(client.get(f"/pledges/?q={world.draft.reference}")) == []


def test_best_match_is_the_default_order_when_searching(world: World, client: Client) -> None:
    response = client.get("/pledges/?q=refugee")

    assert '<option value="relevance" selected>' in text(response)
    # The title and description of the school pledge both say "refugee"; it ranks first.
    assert references(response)[0] == "GRF23-00001"
    assert set(references(response)) == {"GRF23-00001", "GRF19-00001"}


def test_best_match_ranks_as_the_text_computed_afresh_would_when_reading_the_stored_document(
    world: World, make_pledge: Callable[..., Pledge], client: Client
) -> None:
    # The rank reads `Pledge.search_document`; the order must be the one ranking the text
    # document computed from each pledge's text gives.
    for title, description in [
        ("Refugee schools", "Schools for refugee children, refugee teachers and schools."),
        ("Teacher training", "Training teachers of refugee children in two schools."),
        ("Refugee housing", "Housing near the schools where refugees study."),
        ("School meals for refugee pupils", "Meals."),
    ]:
        make_pledge(title=title, description=description)
    refresh_context_search()
    query = search.pledge_query("refugee schools")
    computed = (
        search.filter_by_text(Pledge.objects.published(), "refugee schools")
        .annotate(rank=pledge_rank(query, text=pledge_text_document()))
        .order_by("-rank", *ORDERINGS["newest"])
    )

    shown = references(client.get("/pledges/?q=refugee+schools"))

    assert shown == [pledge.reference for pledge in computed]
    assert len({round(pledge.rank, 6) for pledge in computed}) >= 4  # a real ordering


def test_best_match_sorts_newest_first_when_not_searching(world: World, client: Client) -> None:
    response = client.get("/pledges/?sort=relevance")

    assert references(response)[0] == "GRF23-00002"  # newest first


def test_facets_count_search_matches_only_when_searching(world: World, client: Client) -> None:
    response = client.get("/pledges/?q=refugee")

    assert facet_counts(response, "forum") == {"GRF23": 1, "GRF19": 1}


def test_empty_state_offers_to_remove_the_search_when_nothing_matches(
    world: World, client: Client
) -> None:
    response = client.get("/pledges/?q=zanzibar")

    assert "No published pledge matches these filters." in text(response)
    assert "Remove filter </span>Search: “zanzibar”" in text(response)


def test_malformed_search_syntax_answers_200_when_quotes_and_operators_are_unbalanced(
    world: World, client: Client
) -> None:
    response = client.get('/pledges/?q="refugee OR -& ( :*')

    assert response.status_code == 200


def test_postgresql_uses_the_gin_index_when_searching_text(world: World) -> None:
    # Without the review-state filter, whose own index the planner may prefer on a tiny table.
    queryset = search.filter_by_text(Pledge.objects.order_by(), "refugee schools")
    # It cannot if the query and Pledge.Meta.indexes drift apart.
    plan = planned(queryset.values("pk"))

    assert "pledge_search_idx" in plan


def test_postgresql_uses_the_gin_index_when_matching_entity_names(world: World) -> None:
    """The entity side of a search looks entities up through their own index (entity_search_idx):
    at 1M pledges a scan computed the document of 300,000 entities per search."""
    plan = planned(search.entities_matching("ministry").values("pk"))

    assert "entity_search_idx" in plan


def test_search_document_and_context_stay_in_the_row_when_a_pledge_is_stored(
    world: World,
) -> None:
    """Ranking reads each match's document and context: kept in the row (STORAGE MAIN, pledges
    0029 and 0032), not fetched out of TOAST (docs/performance.md, measurement 13). A migration
    that drops and adds the generated column again (the only way to change its expression)
    silently resets this."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = "
            "'pledges_pledge'::regclass AND attname IN "
            "('search_document', 'context_search_vector') ORDER BY attname"
        )
        storage = dict(cursor.fetchall())

    assert storage == {"context_search_vector": "m", "search_document": "m"}


def test_a_pledge_row_of_three_kilobytes_is_stored_without_compression(
    make_pledge: Callable[..., Pledge],
) -> None:
    """A pledge row with its search vectors is ~2.6 kB, over PostgreSQL's default toast target
    (2,032 bytes): every write then tried to compress the vectors and the description, which
    failed for most rows and halved the speed of inserting pledges (pledges 0033,
    docs/performance.md "Loader", session 22). Rows up to half a page are stored as they are:
    this description would compress well, and is not compressed."""
    pledge = make_pledge(description="Refugee education and livelihoods. " * 80)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_size(p.*), pg_column_compression(description) "
            "FROM pledges_pledge p WHERE id = %s",
            [pledge.pk],
        )
        row_size, compression = cursor.fetchone()

    assert 2032 < row_size < 4080
    assert compression is None


def test_the_second_page_of_a_best_match_search_continues_the_ranking(
    world: World, make_pledge: Callable[..., Pledge], client: Client
) -> None:
    # Best match pages over the ranked ids, then reads each page's rows (`ListedById`): the
    # two pages together are the whole ranking, once each, in order.
    for n in range(1, 28):
        make_pledge(title=f"Lanterns {n}", description=" ".join(["lantern"] * n))
    refresh_context_search()
    query = search.pledge_query("lantern")
    ranked = [
        pledge.reference
        for pledge in search.filter_by_text(Pledge.objects.published(), "lantern")
        .annotate(rank=pledge_rank(query, text=pledge_text_document()))
        .order_by("-rank", *ORDERINGS["newest"])
    ]

    statements: list[str] = []

    def record(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        statements.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(record):
        first = references(client.get("/pledges/?q=lantern"))
    second = references(client.get("/pledges/?q=lantern&page=2"))

    assert len(first) == 25
    assert first + second == ranked
    assert len(ranked) == 27
    # The query that ranks reads no listed column: at 1,000,000 pledges, sorting every match's
    # full row was most of a broad search's time (docs/performance.md, "Search").
    ranking = [sql for sql in statements if "ts_rank" in sql]
    assert ranking
    assert not any('"pledges_pledge"."description"' in sql for sql in ranking)
