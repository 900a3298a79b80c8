"""`/fr/dashboard/` and `/ar/dashboard/` read entirely in their language: the breakdown charts'
titles, table headings and captions included (they were built once, in English, at import)."""

import html

import pytest
from django.test import Client
from django.utils import translation

pytestmark = pytest.mark.django_db

BREAKDOWN_TEXTS = ["Pledges per forum", "Pledges per region", "Pledges per entity type"]


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_breakdown_charts_are_titled_in_the_page_language(
    client: Client, world: None, language: str
) -> None:
    response = client.get(f"/{language}/dashboard/")

    assert response.status_code == 200
    text = html.unescape(response.text)
    for english in BREAKDOWN_TEXTS:
        with translation.override(language):
            translated = translation.gettext(english)
        assert translated != english
        assert translated in text
        assert english not in text


def test_breakdown_charts_are_titled_in_english_on_the_english_page(
    client: Client, world: None
) -> None:
    client.get("/fr/dashboard/")  # a French page first must not leave its titles behind

    response = client.get("/dashboard/")

    for english in BREAKDOWN_TEXTS:
        assert english in response.text
