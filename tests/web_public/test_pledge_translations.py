"""Pages show a pledge in the reader's language when it has that translation, and otherwise
the original, marked with its language (`lang`, `dir`, "Written in …")."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from pledges.models import Pledge, ReviewState
from pledges.services import TranslationInput, add_translation

from .pages import text

pytestmark = pytest.mark.django_db

ORIGINAL = "Accueillir les réfugiés dans les écoles"
ENGLISH = "Welcome refugees in schools"


@pytest.fixture
def french(make_pledge: Callable[..., Pledge], secretariat: Any) -> Pledge:
    """A published French pledge with an English translation of its title and description."""
    pledge = make_pledge(language="fr", title=ORIGINAL, description="Des places à l’école.")
    add_translation(
        pledge=pledge,
        data=TranslationInput("en", ENGLISH, "Places at school."),
        by=secretariat,
    )
    return pledge


def test_pledge_page_shows_the_translation_into_the_readers_language(
    client: Client, french: Pledge
) -> None:
    page = text(client.get(f"/pledges/{french.reference}/"))

    assert f"<h1>{ENGLISH}</h1>" in page
    assert "Translated from French" in page
    assert "Places at school." in page
    assert ORIGINAL not in page


def test_pledge_page_shows_the_original_marked_with_its_language_without_a_translation(
    client: Client, french: Pledge
) -> None:
    page = text(client.get(f"/es/pledges/{french.reference}/"))

    assert f'<h1 lang="fr" dir="ltr">{ORIGINAL}</h1>' in page
    assert '<div class="description" lang="fr" dir="ltr">' in page
    assert ENGLISH not in page


def test_an_arabic_original_is_marked_right_to_left(
    client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    pledge = make_pledge(language="ar", title="دعم اللاجئين", description="تعليم.")

    page = text(client.get(f"/pledges/{pledge.reference}/"))

    assert '<h1 lang="ar" dir="rtl">دعم اللاجئين</h1>' in page
    assert "Written in Arabic" in page


def test_list_rows_show_the_translated_title_or_the_marked_original(
    client: Client, french: Pledge
) -> None:
    english = text(client.get("/pledges/"))
    russian = text(client.get("/ru/pledges/"))

    assert f">{ENGLISH}</a></h3>" in english
    assert f'<span lang="fr" dir="ltr">{ORIGINAL}</span>' in russian
    assert 'class="language-note"' in russian


def test_entity_page_shows_the_translated_title(client: Client, french: Pledge) -> None:
    page = text(client.get(f"/entities/{french.entity.public_id}/"))

    assert ENGLISH in page


def test_a_drafts_translation_stays_as_private_as_the_draft(
    client: Client, make_pledge: Callable[..., Pledge], member_a: Any, entity_a: Any
) -> None:
    draft = make_pledge(
        state=ReviewState.DRAFT, entity=entity_a, language="fr", title="Brouillon secret"
    )
    add_translation(
        pledge=draft,
        data=TranslationInput("en", "Secret draft", ""),
        by=member_a,
    )

    assert client.get(f"/pledges/{draft.reference}/").status_code == 404
    assert "Secret draft" not in text(client.get("/pledges/?q=secret+draft"))
    client.force_login(member_a)
    assert "<h1>Secret draft</h1>" in text(client.get(f"/pledges/{draft.reference}/"))
