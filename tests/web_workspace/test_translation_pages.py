"""The translations page of a pledge: list, add, change and remove, with field errors, an
empty state and a confirmation before removal; only for those who may edit the pledge's text."""

import re
from typing import Any

import pytest

from pledges.models import Pledge, PledgeTranslation
from pledges.services import TranslationInput, add_translation

pytestmark = pytest.mark.django_db


def url(pledge: Pledge, tail: str = "") -> str:
    return f"/pledges/{pledge.reference}/translations/{tail}"


def test_shows_the_empty_state_and_offers_only_the_other_languages(
    logged_in: Any, member_a: Any, draft: Pledge
) -> None:
    page = logged_in(member_a).get(url(draft)).content.decode()

    assert "This pledge has no translations yet." in page
    select = re.search(r'<select name="language".*?</select>', page, re.S)
    assert select is not None
    offered = re.findall(r'<option value="([^"]*)"', select.group(0))
    assert offered == ["ar", "zh-hans", "fr", "ru", "es"]  # not English, the pledge's own


def test_adds_a_translation_and_lists_it(logged_in: Any, member_a: Any, draft: Pledge) -> None:
    client = logged_in(member_a)

    response = client.post(
        url(draft), {"language": "es", "title": "Escuelas", "description": "Texto."}
    )

    assert response.status_code == 302
    page = client.get(url(draft)).content.decode()
    assert "Translation into Spanish added." in page
    assert '<span lang="es" dir="ltr">Escuelas</span>' in page
    assert "Yes, remove the translation into Spanish" in page  # behind a confirmation


def test_shows_field_errors_and_keeps_the_input_when_invalid(
    logged_in: Any, member_a: Any, draft: Pledge
) -> None:
    response = logged_in(member_a).post(
        url(draft), {"language": "fr", "title": "", "description": "Gardé."}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_title"' in page  # the error summary links to the field
    assert "Gardé." in page
    assert not PledgeTranslation.objects.exists()


def test_changes_a_translation(logged_in: Any, member_a: Any, draft: Pledge) -> None:
    add_translation(pledge=draft, data=TranslationInput("fr", "Avant", ""), by=member_a)
    client = logged_in(member_a)

    assert 'value="Avant"' in client.get(url(draft, "fr/")).content.decode()
    response = client.post(url(draft, "fr/"), {"title": "Après", "description": ""})

    assert response.status_code == 302
    assert PledgeTranslation.objects.get().title == "Après"


def test_removes_a_translation(logged_in: Any, member_a: Any, draft: Pledge) -> None:
    add_translation(pledge=draft, data=TranslationInput("fr", "Titre", ""), by=member_a)

    response = logged_in(member_a).post(url(draft, "fr/remove/"))

    assert response.status_code == 302
    assert not PledgeTranslation.objects.exists()


def test_pledge_page_and_editor_link_to_the_translations_for_editors(
    logged_in: Any, member_a: Any, draft: Pledge
) -> None:
    client = logged_in(member_a)

    assert url(draft) in client.get(f"/pledges/{draft.reference}/").content.decode()
    assert url(draft) in client.get(f"/pledges/{draft.reference}/edit/").content.decode()


def test_members_cannot_change_translations_of_a_submitted_pledge(
    logged_in: Any, member_a: Any, submitted: Pledge
) -> None:
    client = logged_in(member_a)

    assert client.get(url(submitted)).status_code == 403
    assert client.post(url(submitted), {"language": "fr", "title": "T"}).status_code == 403


def test_other_entities_do_not_find_a_drafts_translations(
    logged_in: Any, member_b: Any, member_a: Any, draft: Pledge
) -> None:
    add_translation(pledge=draft, data=TranslationInput("fr", "Titre", ""), by=member_a)
    client = logged_in(member_b)

    assert client.get(url(draft)).status_code == 404
    assert client.post(url(draft, "fr/remove/")).status_code == 404
    assert PledgeTranslation.objects.exists()


def test_sends_anonymous_visitors_to_sign_in(client: Any, draft: Pledge) -> None:
    response = client.get(url(draft))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
