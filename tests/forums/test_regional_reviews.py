"""GCM regional reviews (issue 18): one review per UN regional commission and round, under the
round's forum, which stays the parent of the pledges announced at it; the round's page lists
the reviews per region."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from forums.models import Forum, RegionalCommission, RegionalReview
from tests.factories import PledgeRows

pytestmark = pytest.mark.django_db

COMMISSIONS = {"ECA", "ECE", "ECLAC", "ESCAP", "ESCWA"}


def _text(html: bytes) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode()))


def test_each_round_has_one_review_per_commission_with_its_source_when_loaded(
    reference_data: None,
) -> None:
    for code, years in (("GCMRR21", {2020, 2021}), ("GCMRR25", {2024, 2025})):
        reviews = RegionalReview.objects.filter(round__code=code)
        assert {r.commission for r in reviews} == COMMISSIONS
        assert reviews.count() == 5
        for review in reviews:
            assert review.start_date is not None
            assert review.end_date is not None
            assert {review.start_date.year, review.end_date.year} <= years
            assert review.source_url.startswith("https://")
            assert review.name_fr  # translated like the forums
    santiago = RegionalReview.objects.get(round__code="GCMRR25", commission="ECLAC")
    assert (santiago.start_date, santiago.end_date) == (dt.date(2025, 3, 18), dt.date(2025, 3, 20))
    assert santiago.source_url == "https://pactomigracion.cepal.org/2/en/background"
    geneva = RegionalReview.objects.get(round__code="GCMRR25", commission="ECE")
    assert geneva.start_date == geneva.end_date == dt.date(2024, 3, 11)


def test_the_rounds_stay_forums_with_their_pledges_when_reviews_are_added(
    reference_data: None,
) -> None:
    # The round is the parent: a pledge announced at it keeps pointing at it.
    pledge = PledgeRows()(forum="GCMRR21", objectives=(2,))
    assert pledge.forum is not None
    assert pledge.forum.code == "GCMRR21"
    assert Forum.objects.filter(kind="regional_review").count() == 2
    assert set(pledge.forum.regional_reviews.values_list("commission", flat=True)) == COMMISSIONS


def test_round_page_lists_the_reviews_per_region_when_visited(
    reference_data: None, client: Client
) -> None:
    response = client.get("/forums/GCMRR25/")

    assert response.status_code == 200
    page = _text(response.content)
    assert "Reviews per region" in page
    headings = re.findall(r"<h3>([^<]+)</h3>", response.content.decode())
    assert headings == [str(label) for _value, label in RegionalCommission.choices]
    assert "Economic Commission for Latin America and the Caribbean (ECLAC)" in page
    assert "Second regional review of the GCM in Latin America and the Caribbean" in page
    assert "18 March 2025 to 20 March 2025" in page or "March 18, 2025 to March 20, 2025" in page
    assert 'href="https://pactomigracion.cepal.org/2/en/background"' in response.content.decode()


def test_round_page_shows_the_reviews_in_french_when_asked(
    reference_data: None, client: Client
) -> None:
    response = client.get("/fr/forums/GCMRR21/")

    assert "Premier examen régional du Pacte mondial sur les migrations en Afrique" in _text(
        response.content
    )


def test_round_page_says_so_when_no_review_is_recorded(
    reference_data: None, client: Client
) -> None:
    RegionalReview.objects.filter(round__code="GCMRR25").delete()

    page = _text(client.get("/forums/GCMRR25/").content)

    assert "No regional review of this round is recorded yet." in page


def test_imrf_page_lists_the_reviews_of_the_round_before_it(
    reference_data: None, client: Client
) -> None:
    html = client.get("/forums/IMRF26/").content.decode()
    page = _text(html.encode())

    assert "Reviews per region" in page
    assert "Second Africa regional review of the GCM" in page
    assert "First Africa regional review of the GCM" not in page  # the round before IMRF 2022
    assert html.count('href="/forums/GCMRR25/"') == 5
    imrf22 = _text(client.get("/forums/IMRF22/").content)
    assert "First Africa regional review of the GCM" in imrf22
    assert "Second Africa regional review of the GCM" not in imrf22


def test_imrf_page_says_so_when_no_review_before_it_is_recorded(
    reference_data: None, client: Client
) -> None:
    RegionalReview.objects.filter(round__code="GCMRR25").delete()

    page = _text(client.get("/forums/IMRF26/").content)

    assert "No regional review before this forum is recorded yet." in page


def test_other_forum_pages_have_no_review_section(reference_data: None, client: Client) -> None:
    page = _text(client.get("/forums/GRF23/").content)

    assert "Reviews per region" not in page


def test_update_restores_a_review_s_shipped_place_and_a_plain_reload_keeps_an_edit(
    reference_data: None,
) -> None:
    RegionalReview.objects.filter(round__code="GCMRR25", commission="ECA").update(
        place="Nairobi", place_en="Nairobi"
    )

    out = StringIO()
    call_command("load_reference_data", stdout=out)
    assert RegionalReview.objects.get(round__code="GCMRR25", commission="ECA").place == "Nairobi"
    assert "Regional reviews: 0 created, 0 updated, 10 unchanged (1 differs" in out.getvalue()

    call_command("load_reference_data", "--update", stdout=StringIO())
    review = RegionalReview.objects.get(round__code="GCMRR25", commission="ECA")
    assert review.place == "Addis Ababa"

    again = StringIO()
    call_command("load_reference_data", stdout=again)
    assert "Regional reviews: 0 created, 0 updated, 10 unchanged\n" in again.getvalue()


def test_secretariat_edits_a_round_s_reviews_on_the_round_in_the_admin(
    reference_data: None, admin_client: Client
) -> None:
    round_ = Forum.objects.get(code="GCMRR25")
    grf = Forum.objects.get(code="GRF23")

    page = admin_client.get(f"/admin/forums/forum/{round_.pk}/change/").content.decode()
    other = admin_client.get(f"/admin/forums/forum/{grf.pk}/change/").content.decode()

    assert 'name="regional_reviews-TOTAL_FORMS"' in page
    assert 'name="regional_reviews-INITIAL_FORMS" value="5"' in page
    assert "regional_reviews-TOTAL_FORMS" not in other


def test_the_forum_api_lists_a_rounds_reviews_and_none_for_other_forums(
    client: Client, reference_data: None
) -> None:
    round_ = client.get("/api/v1/forums/GCMRR25/").json()
    grf = client.get("/api/v1/forums/GRF23/").json()

    reviews = {review["commission"]: review for review in round_["regional_reviews"]}
    assert set(reviews) == COMMISSIONS
    assert reviews["ECLAC"]["start_date"] == "2025-03-18"
    assert reviews["ECLAC"]["source_url"] == "https://pactomigracion.cepal.org/2/en/background"
    assert grf["regional_reviews"] == []
