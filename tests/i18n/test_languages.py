"""Pages carry their language in the URL, the first visit follows the browser, the menu switches
language on the same page, Arabic is right-to-left, and the API answers in Accept-Language."""

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

LANGUAGES = ("ar", "zh-hans", "en", "fr", "ru", "es")


def _says(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_has_its_url_its_words_and_its_direction(
    client: Client, reference_data: None, language: str
) -> None:
    prefix = "" if language == "en" else f"/{language}"
    response = client.get(f"{prefix}/pledges/")
    assert response.status_code == 200
    html = response.content.decode()
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in html
    log_in = _says(language, "Log in")
    assert log_in in html
    if language != "en":
        assert log_in != "Log in"
        assert ">Log in<" not in html
    assert response["Content-Language"] == language


def test_the_head_names_the_page_in_every_language(client: Client, reference_data: None) -> None:
    html = client.get("/fr/pledges/").content.decode()
    alternates = dict(re.findall(r'hreflang="([^"]+)" href="([^"]+)"', html))
    assert alternates == {
        "ar": "http://testserver/ar/pledges/",
        "zh-hans": "http://testserver/zh-hans/pledges/",
        "en": "http://testserver/pledges/",
        "fr": "http://testserver/fr/pledges/",
        "ru": "http://testserver/ru/pledges/",
        "es": "http://testserver/es/pledges/",
        "x-default": "http://testserver/pledges/",
    }


def test_a_first_visit_follows_the_browser_s_language(client: Client, reference_data: None) -> None:
    response = client.get("/pledges/?compact=GCM", HTTP_ACCEPT_LANGUAGE="fr-CH, fr;q=0.9, en;q=0.5")
    assert response.status_code == 302
    assert response["Location"] == "/fr/pledges/?compact=GCM"
    assert "Accept-Language" in response["Vary"]
    # English browsers, and programs that send no preference, stay where they are.
    assert client.get("/pledges/", HTTP_ACCEPT_LANGUAGE="en-GB,en").status_code == 200
    assert client.get("/pledges/").status_code == 200


def _menu_next(client: Client, path: str) -> str:
    html = client.get(path).content.decode()
    return re.search(r'<input name="next" type="hidden" value="([^"]*)">', html).group(1)


def test_the_menu_switches_language_on_the_same_page_and_the_choice_sticks(
    client: Client, reference_data: None
) -> None:
    french_page = client.post(
        "/i18n/setlang/", {"language": "fr", "next": _menu_next(client, "/pledges/?q=water")}
    )
    assert french_page["Location"] == "/fr/pledges/?q=water"
    arabic_page = client.post(
        "/i18n/setlang/", {"language": "ar", "next": _menu_next(client, "/fr/pledges/")}
    )
    assert arabic_page["Location"] == "/ar/pledges/"
    english_page = client.post(
        "/i18n/setlang/", {"language": "en", "next": _menu_next(client, "/ar/pledges/")}
    )
    assert english_page["Location"] == "/pledges/"
    # English chosen in the menu wins over a French browser.
    assert client.get("/pledges/", HTTP_ACCEPT_LANGUAGE="fr").status_code == 200


def test_the_api_answers_in_the_language_asked_for_and_says_so(
    client: Client, reference_data: None
) -> None:
    english = client.get("/api/v1/pledges/", {"page_size": 0})
    french = client.get("/api/v1/pledges/", {"page_size": 0}, HTTP_ACCEPT_LANGUAGE="fr")
    assert english.status_code == french.status_code == 400
    assert english["Content-Language"] == "en"
    assert french["Content-Language"] == "fr"
    assert french.json()["errors"]["page_size"] == ["Indiquez un nombre entier de 1 à 500."]
    assert french.json()["detail"] == _says("fr", english.json()["detail"])
    # The API is never prefixed nor redirected.
    assert client.get("/api/v1/", HTTP_ACCEPT_LANGUAGE="ar").status_code == 200
    assert client.get("/fr/api/v1/").status_code == 404


def test_the_api_ignores_the_language_cookie_since_answers_vary_by_accept_language_only(
    client: Client, reference_data: None
) -> None:
    # A shared cache keys API answers on Accept-Language (Vary); a language chosen by cookie
    # would put a French answer where an English caller gets it.
    client.cookies["django_language"] = "fr"

    response = client.get("/api/v1/compacts/")

    assert response["Content-Language"] == "en"
    assert client.get("/api/v1/compacts/", HTTP_ACCEPT_LANGUAGE="fr")["Content-Language"] == "fr"


def test_arabic_pages_do_not_place_anything_by_left_or_right(settings: Any) -> None:
    """The stylesheets use logical properties, so that right-to-left pages mirror."""
    from pathlib import Path

    for sheet in (Path(settings.BASE_DIR) / "static" / "css").glob("*.css"):
        text = sheet.read_text()
        assert not re.search(
            r"(?<![\w-])(left|right)\s*:|(margin|padding|border)-(left|right)", text
        ), sheet.name
        assert not re.search(r"text-align:\s*(left|right)", text), sheet.name
