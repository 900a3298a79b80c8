"""The home page tells visitors what the two compacts are and lists their objectives."""

from html import escape

import pytest
from django.test import Client

from compacts.models import Objective

pytestmark = pytest.mark.django_db


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


def test_home_shows_empty_state_when_no_reference_data(client: Client) -> None:
    response = client.get("/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "No compacts are loaded yet" in page
    assert 'class="compact"' not in page


def test_home_declares_english_when_browser_asks_for_nothing_in_particular(
    client: Client,
) -> None:
    response = client.get("/")

    assert '<html lang="en" dir="ltr">' in response.content.decode()


def test_home_declares_arabic_right_to_left_when_browser_prefers_arabic(client: Client) -> None:
    response = client.get("/", headers={"accept-language": "ar"})

    assert '<html lang="ar" dir="rtl">' in response.content.decode()
