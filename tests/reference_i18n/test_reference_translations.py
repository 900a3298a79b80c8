"""Reference data in the six UN languages (issue 16, item 4): official UN texts where published,
translations marked unofficial otherwise, CLDR country names, English when a text is missing."""

from collections.abc import Iterator

import babel
import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from accounts.models import User
from compacts.models import Objective
from core.models import Country, Currency
from forums.models import Forum

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Pages activate their language for the thread; each test starts in English."""
    with translation.override("en"):
        yield


MARKER = 'class="unofficial-translation"'
OFFICIAL_FR_TITLE = (
    "Collecter et utiliser des données précises et ventilées qui serviront à l’élaboration"
    " de politiques fondées sur la connaissance des faits"
)


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_french_objective_page_shows_the_official_french_title_without_a_marker(
    client: Client, reference_data: None
) -> None:
    html = page(client, "/fr/objectives/GCM/1/")

    assert OFFICIAL_FR_TITLE in html
    assert "Données" in html
    assert MARKER not in html


def test_spanish_objective_page_shows_the_official_spanish_title_without_a_marker(
    client: Client, reference_data: None
) -> None:
    html = page(client, "/es/objectives/GCM/2/")

    assert (
        "Minimizar los factores adversos y estructurales que obligan a las personas a abandonar"
        " su país de origen" in html
    )
    assert MARKER not in html


def test_an_unofficial_translation_is_marked_on_the_objective_pages(
    client: Client, reference_data: None
) -> None:
    spanish = page(client, "/es/objectives/GCM/3/")
    english = page(client, "/objectives/GCM/3/")
    progress = page(client, "/es/dashboard/GCM/objectives/3/")

    assert "Proporcionar información exacta y oportuna" in spanish
    assert MARKER in spanish
    assert MARKER in progress
    assert MARKER not in english


def test_an_empty_translation_falls_back_to_the_english_text_without_a_marker(
    client: Client, reference_data: None
) -> None:
    objective = Objective.objects.get(compact__code="GCM", number=3)
    objective.title_ru = ""
    objective.short_label_ru = ""
    objective.save()

    html = page(client, "/ru/objectives/GCM/3/")

    assert "Provide accurate and timely information at all stages of migration" in html
    assert MARKER not in html
    with translation.override("ru"):
        assert Forum.objects.get(code="GRF23").name == "Глобальный форум по беженцам 2023 года"


@pytest.mark.parametrize("language", ["ar", "zh-hans", "fr", "ru", "es"])
def test_countries_are_named_by_cldr_in_each_language(reference_data: None, language: str) -> None:
    cldr = babel.Locale.parse(translation.to_locale(language)).territories

    with translation.override(language):
        names = dict(Country.objects.values_list("code", "name"))

    assert names["DE"] == cldr["DE"]
    assert all(names[code] == cldr[code] for code in names if code in cldr)


@pytest.mark.parametrize("language", ["ar", "zh-hans", "fr", "ru", "es"])
def test_currencies_are_named_by_cldr_in_each_language(
    client: Client, member_a: User, reference_data: None, language: str
) -> None:
    cldr = babel.Locale.parse(translation.to_locale(language)).currencies
    with translation.override(language):
        names = dict(Currency.objects.values_list("code", "name"))
    assert names["KES"] == cldr["KES"] != "Kenyan Shilling"
    assert all(names[code] == cldr[code] for code in names if code in cldr)

    client.force_login(member_a)  # the pledge editor's currency list
    html = page(client, f"/{language}/my/pledges/new/")

    assert cldr["KES"] in html
    assert "Kenyan Shilling" not in html


def test_countries_keep_their_iso_names_in_english(reference_data: None) -> None:
    with translation.override("fr"):
        assert Country.objects.get(code="DE").name == "Allemagne"
    with translation.override("en"):
        assert Country.objects.get(code="DE").name == "Germany"


def test_update_refreshes_a_changed_translation_and_a_default_run_keeps_it(
    reference_data: None,
) -> None:
    objective = Objective.objects.get(compact__code="GCM", number=1)
    objective.title_fr = "Titre modifié par le secrétariat"
    objective.save()

    call_command("load_reference_data", verbosity=0)
    objective.refresh_from_db()
    assert objective.title_fr == "Titre modifié par le secrétariat"

    call_command("load_reference_data", update=True, verbosity=0)
    objective.refresh_from_db()
    assert objective.title_fr.startswith("Collecter et utiliser des données précises")
    assert Objective.objects.rewrite(False).filter(pk=objective.pk, title=objective.title_en)


def test_a_missing_translation_is_filled_without_update_and_marked_unofficial(
    reference_data: None,
) -> None:
    Objective.objects.filter(compact__code="GCM", number=5).update(
        title_zh_hans=None, unofficial_languages=[]
    )

    call_command("load_reference_data", verbosity=0)

    objective = Objective.objects.get(compact__code="GCM", number=5)
    assert objective.title_zh_hans == "增加正常移民途径的可用性和灵活性"
    assert "zh-hans" in objective.unofficial_languages


def test_editing_a_title_in_the_french_admin_keeps_the_untranslated_column_english(
    client: Client, site_admin: User, reference_data: None
) -> None:
    objective = Objective.objects.get(compact__code="GCR", number=2)
    data = {
        "compact": objective.compact_id,
        "number": objective.number,
        "description": "",
        "unofficial_languages": "[]",
        "actions-TOTAL_FORMS": "0",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "1000",
    }
    for field in ("title", "short_label"):
        for language in ("ar", "zh_hans", "en", "fr", "ru", "es"):
            data[f"{field}_{language}"] = getattr(objective, f"{field}_{language}") or ""
    data["title_fr"] = "Renforcer l’autonomie des réfugiés (révisé)"
    client.force_login(site_admin)

    response = client.post(
        f"/admin/compacts/objective/{objective.pk}/change/", data, HTTP_ACCEPT_LANGUAGE="fr"
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    untranslated = Objective.objects.rewrite(False).values_list("title", flat=True)
    assert untranslated.get(pk=objective.pk) == "Enhance refugee self-reliance"
    with translation.override("fr"):
        assert Objective.objects.get(pk=objective.pk).title.endswith("(révisé)")
