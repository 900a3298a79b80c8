"""The pledge browser's filters name compacts, objectives, forums, entity types, countries,
thematic areas and support types in the page's language, whether their pledges are counted or
there are too many to count (the options then come from the reference tables)."""

import html
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from compacts.models import Compact, Objective, ThematicArea
from core.models import Country
from forums.models import Forum
from pledges.models import EntityType, SupportType

from .conftest import World

pytestmark = pytest.mark.django_db


def _labels(page: str, name: str) -> list[str]:
    """The text of each option label of facet `name` (its count left out)."""
    found = re.findall(
        rf'name="{name}" value="[^"]+"[^>]*>\s*<label for="[^"]+">([^<]*)<', page, flags=re.S
    )
    return [" ".join(html.unescape(label).split()) for label in found]


def _names(language: str) -> dict[str, str]:
    """The names the world's pledges show in the facets, as `language` reads them."""
    with translation.override(language):
        objective = Objective.objects.get(compact__code="GCR", number=1)
        return {
            "compact": Compact.objects.get(code="GCR").name,
            "objective": f"GCR 1. {objective.short_label}",
            "forum": Forum.objects.get(code="GRF23").name,
            "entity_type": EntityType.objects.get(code="state").name,
            "country": Country.objects.get(code="DE").name,
            "thematic_area": ThematicArea.objects.filter(slug="education").first().name,
            "support_type": SupportType.objects.get(code="financial").name,
        }


@pytest.mark.parametrize("counted", [True, False], ids=["counted", "too-many-to-count"])
@pytest.mark.parametrize("language", ["fr", "ar"])
def test_facets_are_named_in_the_page_language(
    client: Client, world: World, settings: Any, language: str, counted: bool
) -> None:
    if not counted:
        settings.PLEDGE_FACET_COUNT_LIMIT = 1
    english, translated = _names("en"), _names(language)

    page = client.get(f"/{language}/pledges/").content.decode()

    for facet, name in translated.items():
        assert name != english[facet], f"{facet}: no {language} name shipped"
        assert name in _labels(page, facet), facet
        assert english[facet] not in _labels(page, facet), facet
