"""Which text of a language is the UN's: `official` names the title and the short label apart,
and the unofficial marker, which pages put beside an objective's title, follows the title."""

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from bootstrap import reference
from bootstrap.reference import ReferenceDataError, load_reference_data
from compacts.models import Objective, ObjectiveAction

pytestmark = pytest.mark.django_db

MARKER = 'class="unofficial-translation"'
SOURCE = "A/RES/73/195, objective 3, as published by the UN: https://example.org/ru/3"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped data files that a test may edit before loading them."""
    data = tmp_path / "data"
    shutil.copytree(reference.DATA_DIR, data)
    monkeypatch.setattr(reference, "DATA_DIR", data)
    return data


def ship_russian_gcm3(data: Path, official: Any, source: str = SOURCE) -> None:
    path = data / "objectives.json"
    rows = json.loads(path.read_text(encoding="utf-8"))
    (row,) = [r for r in rows if r["compact"] == "GCM" and r["number"] == 3]
    row["translations"]["ru"].update(official=official, source=source)
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_an_official_title_with_a_project_short_label_has_no_marker_beside_the_title(
    client: Client, reference_data: None, shipped: Path
) -> None:
    ship_russian_gcm3(shipped, {"title": True, "short_label": False})

    load_reference_data(update=True)

    objective = Objective.objects.get(compact__code="GCM", number=3)
    assert "ru" not in objective.unofficial_languages
    html = page(client, "/ru/objectives/GCM/3/")
    assert objective.title_ru in html
    assert MARKER not in html


def test_an_unofficial_title_with_an_official_short_label_is_marked(
    client: Client, reference_data: None, shipped: Path
) -> None:
    ship_russian_gcm3(shipped, {"title": False, "short_label": True})

    load_reference_data(update=True)

    objective = Objective.objects.get(compact__code="GCM", number=3)
    assert "ru" in objective.unofficial_languages
    assert MARKER in page(client, "/ru/objectives/GCM/3/")


def test_an_official_title_needs_its_source(reference_data: None, shipped: Path) -> None:
    ship_russian_gcm3(shipped, {"title": True, "short_label": False}, source="")

    with pytest.raises(ReferenceDataError, match=r"objectives\.json item 7: translations: ru"):
        load_reference_data(update=True)


@pytest.mark.parametrize(
    "official",
    [{"title": True}, {"title": True, "short_label": "yes"}, {"title": True, "label": False}],
)
def test_official_must_name_each_shipped_field_with_a_bool(
    reference_data: None, shipped: Path, official: dict[str, Any]
) -> None:
    ship_russian_gcm3(shipped, official)

    with pytest.raises(ReferenceDataError, match="official: name each shipped field"):
        load_reference_data(update=True)


def test_a_title_left_empty_falls_back_to_english_without_a_marker_even_with_a_label(
    client: Client, reference_data: None
) -> None:
    objective = Objective.objects.get(compact__code="GCM", number=3)
    assert "ar" in objective.unofficial_languages
    objective.title_ar = ""
    objective.save()

    html = page(client, "/ar/objectives/GCM/3/")

    assert "Provide accurate and timely information at all stages of migration" in html
    assert MARKER not in html


def test_the_spanish_titles_read_on_the_un_pages_are_shipped_as_official(
    client: Client, reference_data: None
) -> None:
    html = page(client, "/es/objectives/GCM/12/")

    assert (
        "Aumentar la certidumbre y previsibilidad de los procedimientos migratorios para la"
        " adecuada verificación de antecedentes, evaluación y derivación" in html
    )
    assert MARKER not in html


def test_the_spanish_gcr_titles_read_on_unhcrs_page_are_official_and_their_labels_stay_marked(
    client: Client, reference_data: None
) -> None:
    """A/73/12 (Part II) para. 7 in Spanish, as UNHCR publishes it: the title is the UN's, the
    project's short label is not, so no marker stands beside the title."""
    objective = Objective.objects.get(compact__code="GCR", number=3)
    assert "es" not in objective.unofficial_languages

    html = page(client, "/es/objectives/GCR/3/")

    assert "Ampliar el acceso a las soluciones que impliquen a terceros países" in html
    assert MARKER not in html


@pytest.mark.parametrize("language", ["ar", "zh-hans", "fr", "ru", "es"])
def test_objective_23_actions_are_translated_and_marked_unofficial(
    reference_data: None, language: str
) -> None:
    actions = ObjectiveAction.objects.filter(objective__compact__code="GCM", objective__number=23)

    with translation.override(language):
        texts = {action.letter: action.text for action in actions}
        marked = {action.letter for action in actions if action.shows_unofficial_translation}

    assert sorted(texts) == ["a", "b", "c", "d", "e"]
    assert not any(text.startswith("Support other States") for text in texts.values())
    assert marked == {"a", "b", "c", "d", "e"}
