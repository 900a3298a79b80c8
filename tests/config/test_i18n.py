import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_six_un_languages_are_offered() -> None:
    assert [code for code, _ in settings.LANGUAGES] == ["ar", "zh-hans", "en", "fr", "ru", "es"]


def test_page_is_served_in_the_language_the_browser_asks_for(client: Client) -> None:
    response = client.get("/", headers={"accept-language": "fr"}, follow=True)

    assert response.redirect_chain == [("/fr/", 302)]
    assert response.status_code == 200
    assert '<html lang="fr" dir="ltr">' in response.text


def test_arabic_pages_are_laid_out_right_to_left(client: Client) -> None:
    response = client.get("/", headers={"accept-language": "ar"}, follow=True)

    assert '<html lang="ar" dir="rtl">' in response.text


def test_language_chooser_switches_the_language(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/"}, follow=True)

    assert '<html lang="es" dir="ltr">' in response.text
