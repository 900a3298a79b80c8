"""The pledge editor asks for the language of the title and description; the pledge page names
it."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from pledges.models import Pledge

pytestmark = pytest.mark.django_db

EditorData = Callable[..., dict[str, Any]]


def test_a_new_pledge_defaults_to_the_language_of_the_page(
    logged_in: Any, member_a: Any, reference_data: None
) -> None:
    page = logged_in(member_a).get("/fr/my/pledges/new/").content.decode()

    assert '<option value="fr" selected>' in page
    # Each language is named in the page's language, and in its own when that differs.
    assert "Arabe (العربيّة)" in page or "Arabic (العربيّة)" in page


def test_saves_the_chosen_language_when_creating(
    logged_in: Any, member_a: Any, editor_data: EditorData
) -> None:
    response = logged_in(member_a).post("/my/pledges/new/", editor_data(language="es"))

    assert response.status_code == 302
    assert Pledge.objects.get().language == "es"


def test_shows_a_field_error_when_the_language_is_not_one_of_the_sites(
    logged_in: Any, member_a: Any, editor_data: EditorData
) -> None:
    response = logged_in(member_a).post("/my/pledges/new/", editor_data(language="de"))

    page = response.content.decode()
    assert response.status_code == 200
    assert not Pledge.objects.exists()
    assert 'id="id_language_error"' in page or "id_language" in page
    assert "Select a valid choice. de is not one of the available choices." in page


def test_keeps_the_language_when_an_edit_leaves_it_out(
    logged_in: Any, member_a: Any, draft: Pledge, editor_data: EditorData
) -> None:
    Pledge.objects.filter(pk=draft.pk).update(language="ru")
    draft.refresh_from_db()

    response = logged_in(member_a).post(
        f"/pledges/{draft.reference}/edit/", editor_data(pledge=draft, title="Новое название")
    )

    assert response.status_code == 302
    assert Pledge.objects.get(pk=draft.pk).language == "ru"


def test_pledge_page_names_the_original_language_in_the_pages_language(
    client: Client, published: Pledge
) -> None:
    Pledge.objects.filter(pk=published.pk).update(language="fr")

    english = client.get(f"/pledges/{published.reference}/").content.decode()
    french = client.get(f"/fr/pledges/{published.reference}/").content.decode()

    assert "Written in French" in english
    assert f'<h1 lang="fr" dir="ltr">{published.title}</h1>' in english
    # On a French page the original needs no note.
    assert '<h1 lang="fr" dir="ltr">' in french
    assert "Written in" not in french
