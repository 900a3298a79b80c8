"""Full-text search in each language: a pledge's text is stemmed by the rules of its language,
its translations by theirs, and the query by the rules of the page's language."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from pledges import search
from pledges.models import Pledge
from pledges.services import TranslationInput, add_translation, remove_translation
from tests.plans import planned

from .pages import references

pytestmark = pytest.mark.django_db


@pytest.fixture
def french(make_pledge: Callable[..., Pledge]) -> Pledge:
    return make_pledge(
        language="fr",
        title="Accueillir les réfugiés dans les écoles",
        description="Des places pour les enfants réfugiés dans les écoles publiques.",
    )


def test_a_french_query_finds_a_french_pledge_by_the_stems_of_its_words(
    client: Client, french: Pledge
) -> None:
    assert references(client.get("/fr/pledges/?q=réfugié+école")) == [french.reference]


def test_a_russian_query_finds_a_russian_pledge_by_another_form_of_a_word(
    client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    pledge = make_pledge(
        language="ru",
        title="Поддержка беженцев в школах",
        description="Обучение детей беженцев.",
    )

    # "беженцам" (dative) and "школа" (nominative) stem like "беженцев" and "школах".
    assert references(client.get("/ru/pledges/?q=беженцам+школа")) == [pledge.reference]


def test_an_arabic_query_finds_an_arabic_pledge_by_an_exact_word(
    client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    pledge = make_pledge(
        language="ar",
        title="دعم اللاجئين في المدارس",
        description="تعليم الأطفال اللاجئين.",
    )

    assert references(client.get("/ar/pledges/?q=اللاجئين")) == [pledge.reference]
    # Its words as written are found from a page in any language.
    assert references(client.get("/pledges/?q=المدارس")) == [pledge.reference]


def test_finds_a_pledge_by_the_words_of_its_translation(
    client: Client, make_pledge: Callable[..., Pledge], secretariat: Any
) -> None:
    pledge = make_pledge(
        title="Fund teachers for refugee schools", description="Salaries for 500 teachers."
    )
    add_translation(
        pledge=pledge,
        data=TranslationInput(
            "es", "Financiar maestros para escuelas de refugiados", "Salarios de maestros."
        ),
        by=secretariat,
    )

    assert references(client.get("/es/pledges/?q=maestro+escuela")) == [pledge.reference]
    # Its own English words still find it.
    assert references(client.get("/pledges/?q=teacher")) == [pledge.reference]


def test_a_removed_translation_no_longer_finds_the_pledge(
    client: Client, make_pledge: Callable[..., Pledge], secretariat: Any
) -> None:
    pledge = make_pledge(title="Fund teachers", description="Salaries.")
    added = add_translation(
        pledge=pledge,
        data=TranslationInput("es", "Financiar maestros", "Salarios."),
        by=secretariat,
    )
    remove_translation(translation=added, by=secretariat)

    assert references(client.get("/es/pledges/?q=maestros")) == []


def test_a_french_word_does_not_find_an_english_pledge_in_english_search(
    client: Client, french: Pledge, make_pledge: Callable[..., Pledge]
) -> None:
    english = make_pledge(title="Schools for refugees", description="Places in schools.")

    assert references(client.get("/pledges/?q=schools")) == [english.reference]


def test_postgresql_uses_the_gin_index_when_searching_in_french(french: Pledge) -> None:
    with translation.override("fr"):
        queryset = search.filter_by_text(Pledge.objects.order_by(), "réfugié école")
        plan = planned(queryset.values("pk"))

    assert "pledge_search_idx" in plan
