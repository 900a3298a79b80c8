"""The home page describes the compacts and their forums in the page's language: a compact's
summary and adoption note and a forum's place are translated like its name, and the English page
keeps the English texts. A project translation of the summary does not make the compact's
official name unofficial (the marker follows the name)."""

from collections.abc import Iterator
from html import escape

import pytest
from django.test import Client
from django.utils import translation

from compacts.models import Compact

pytestmark = pytest.mark.django_db

ENGLISH = {
    "summary": "A cooperative framework covering all dimensions of international migration",
    "adoption": "Adopted in Marrakech on 10 December 2018",
    "gcr_adoption": "Affirmed by the United Nations General Assembly on 17 December 2018.",
    "geneva": "— Geneva",
    "regional": "— regional",
}

TRANSLATED = {
    "fr": {
        "summary": "Un cadre de coopération couvrant toutes les dimensions des migrations"
        " internationales",
        "adoption": "Adopté à Marrakech le 10 décembre 2018",
        "gcr_adoption": "Affirmé par l'Assemblée générale des Nations Unies le 17 décembre 2018.",
        "geneva": "— Genève",
        "regional": "— au niveau régional",
    },
    "ar": {
        "summary": "إطار تعاوني يشمل جميع أبعاد الهجرة الدولية",
        "adoption": "اعتُمد في مراكش في 10 كانون الأول/ديسمبر 2018",
        "gcr_adoption": "أكدته الجمعية العامة للأمم المتحدة في 17 كانون الأول/ديسمبر 2018.",
        "geneva": "— جنيف",
        "regional": "— على الصعيد الإقليمي",
    },
}


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Pages activate their language for the thread; each test starts in English."""
    with translation.override("en"):
        yield


def shown(text: str) -> str:
    """`text` as the page prints it; a forum's place ends its line's muted span."""
    return escape(text) + ("</span>" if text.startswith("— ") else "")


def home(client: Client, prefix: str) -> str:
    response = client.get(f"{prefix}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_home_describes_the_compacts_and_forums_in_the_pages_language(
    client: Client, reference_data: None, language: str
) -> None:
    page = home(client, f"/{language}")

    for text in TRANSLATED[language].values():
        assert shown(text) in page
    for text in ENGLISH.values():
        assert shown(text) not in page


def test_english_home_keeps_the_english_descriptions(client: Client, reference_data: None) -> None:
    page = home(client, "")

    for text in ENGLISH.values():
        assert shown(text) in page


def test_a_project_summary_leaves_the_marker_on_the_compacts_name(reference_data: None) -> None:
    """The GCM's name is the UN's in every language but Chinese, the GCR's in French only; the
    summaries and adoption notes are the project's everywhere. The marker follows the name."""
    gcm = Compact.objects.get(code="GCM")
    gcr = Compact.objects.get(code="GCR")

    assert gcm.unofficial_languages == ["zh-hans"]
    assert gcr.unofficial_languages == ["ar", "es", "ru", "zh-hans"]
    with translation.override("fr"):
        assert not gcm.shows_unofficial_translation
        assert not gcr.shows_unofficial_translation
        assert gcm.summary.startswith("Un cadre de coopération")
    with translation.override("es"):
        assert gcr.shows_unofficial_translation
