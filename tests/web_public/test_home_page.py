"""The home page says what the two compacts are, links each objective and forum to its page, and
shows headline figures computed from published pledges only."""

import re
from collections.abc import Callable
from decimal import Decimal
from html import escape

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from compacts.models import Objective

from .conftest import CAST, DRAFT_TITLE, World

pytestmark = pytest.mark.django_db


def figure(page: str, label: str) -> str:
    """The visible text of the figure labelled `label` (its <dd>), whitespace collapsed."""
    start = page.index(f"<dt>{label}</dt>")
    dd = page[page.index("<dd>", start) + 4 : page.index("</dd>", start)]
    return " ".join(re.sub(r"<[^>]+>", " ", dd).split())


def test_home_lists_both_compacts_and_all_27_objectives_when_reference_data_loaded(
    client: Client, reference_data: None
) -> None:
    response = client.get("/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Global Compact on Refugees" in page
    assert "Global Compact for Safe, Orderly and Regular Migration" in page
    objectives = list(Objective.objects.values_list("title", flat=True))
    assert len(objectives) == 27
    for title in objectives:
        assert escape(title) in page
    assert "No compacts are loaded yet" not in page


def test_home_links_every_objective_and_forum_to_its_page_when_reference_data_loaded(
    client: Client, reference_data: None
) -> None:
    page = client.get("/").content.decode()

    assert 'href="/objectives/GCM/23/"' in page
    assert 'href="/objectives/GCR/4/"' in page
    assert page.count('href="/objectives/') == 27
    assert 'href="/forums/GRF23/"' in page
    assert 'href="/forums/IMRF26/"' in page


def test_home_shows_empty_state_when_no_reference_data(
    client: Client, no_reference_data: None
) -> None:
    response = client.get("/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "No compacts are loaded yet" in page
    assert 'class="compact"' not in page


def test_home_is_served_under_the_pledges_namespace_when_reversed() -> None:
    assert reverse("pledges:home") == "/"


def test_home_declares_english_when_browser_asks_for_nothing_in_particular(
    client: Client,
) -> None:
    response = client.get("/")

    assert '<html lang="en" dir="ltr">' in response.content.decode()


def test_home_declares_arabic_right_to_left_when_browser_prefers_arabic(client: Client) -> None:
    response = client.get("/", headers={"accept-language": "ar"}, follow=True)

    assert response.redirect_chain == [("/ar/", 302)]
    assert '<html lang="ar" dir="rtl">' in response.content.decode()


@pytest.mark.parametrize("who", CAST)
def test_headline_figures_count_published_pledges_only_when_viewed_by_anyone(
    world: World, as_user: Callable[[str], Client], who: str
) -> None:
    page = as_user(who).get("/").content.decode()

    assert figure(page, "Published pledges") == "4"
    # Submitting entities of the four pledges, plus the two co-pledgers of the first one.
    assert figure(page, "Entities pledging") == "6"
    # KE, UG, JO, MX, DE: Nauru is only in the draft.
    assert figure(page, "Beneficiary countries") == "5"
    assert DRAFT_TITLE not in page


def test_usd_figure_converts_at_the_rate_dated_on_or_before_announcement_when_rates_exist(
    world: World, client: Client
) -> None:
    page = client.get("/").content.decode()

    # 1,000 USD + 500 EUR × 1.10 (the rate of 1 Dec 2019, not the later ones) = 1,550.
    assert "USD 1,550" in figure(page, "Pledged in US dollars")


def test_usd_figure_reports_unconverted_pledges_when_a_currency_has_no_rate(
    world: World, client: Client
) -> None:
    usd = figure(client.get("/").content.decode(), "Pledged in US dollars")

    # The XAF pledge is neither added as zero nor dropped silently.
    assert "1 pledge not converted (no exchange rate)" in usd
    assert "from 3 pledges with an amount" in usd


def test_usd_figure_shows_only_unconverted_count_when_no_pledge_could_be_converted(
    make_pledge: Callable[..., object], client: Client
) -> None:
    make_pledge(amount=Decimal("100"), currency_id="XAF")

    usd = figure(client.get("/").content.decode(), "Pledged in US dollars")

    assert "USD 0" not in usd
    assert "1 pledge not converted" in usd


def test_objective_lists_its_published_pledge_count_when_pledges_exist(
    world: World, client: Client
) -> None:
    page = client.get("/").content.decode()

    gcr1 = page[page.index('href="/objectives/GCR/1/"') :]
    # The draft also serves GCR 1 but is not counted.
    assert "(1 pledge)" in gcr1[: gcr1.index("</li>")]


def test_home_runs_a_fixed_number_of_queries_when_many_pledges_exist(
    world: World,
    make_pledge: Callable[..., object],
    client: Client,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    for _ in range(20):
        make_pledge(objectives=(1, 2, 3), countries=("KE", "UG"))

    with django_assert_max_num_queries(8):
        assert client.get("/").status_code == 200


def test_usd_figure_says_no_amount_when_no_published_pledge_states_one(
    make_pledge: Callable[..., object], client: Client
) -> None:
    make_pledge()

    usd = figure(client.get("/").content.decode(), "Pledged in US dollars")

    assert "No pledge states an amount yet." in usd
    assert "USD" not in usd


def test_pledge_is_not_converted_when_its_currency_has_only_rates_dated_after_announcement(
    world: World, make_pledge: Callable[..., object], client: Client
) -> None:
    # HLS 2019 was in October 2019; the first EUR rate is dated 1 December 2019.
    make_pledge(forum="HLS19", amount=Decimal("800"), currency_id="EUR")

    usd = figure(client.get("/").content.decode(), "Pledged in US dollars")

    assert "USD 1,550" in usd
    assert "2 pledges not converted (no exchange rate)" in usd
