"""Issue 18's reference data: the stakeholder types the compacts name, each with its source
paragraph, and countries named as the UN names them, Kosovo with the UN's footnote."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from bootstrap import reference
from core.models import Country
from pledges.models import EntityType
from tests.factories import EntityFactory, PledgeRows

pytestmark = pytest.mark.django_db

KOSOVO_NOTE = (
    "References to Kosovo shall be understood to be in the context of United Nations Security"
    " Council resolution 1244 (1999)."
)


def _text(html: bytes) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode()))


@pytest.mark.parametrize(
    ("code", "name", "source"),
    [
        ("trade_union", "Trade union", "GCM ¶44: trade unions"),
        ("nhri", "National human rights institution", "GCM ¶44: national human rights"),
        ("red_cross", "Red Cross and Red Crescent Movement", "GCM ¶44: the International Red"),
        ("media", "Media", "GCM ¶44: the media"),
        ("migrant_diaspora", "Migrant or diaspora organisation", "GCM ¶44: migrant and diaspora"),
        ("regional_org", "Regional organisation", "GCR ¶28–30"),
        ("women_led", "Women-led organisation", "GCR ¶33"),
        ("ngo", "Local or national NGO / civil society", "GCR ¶33"),
        ("ngo_international", "International NGO", "GCR ¶33"),
    ],
)
def test_stakeholder_type_names_its_source_paragraph_when_loaded(
    reference_data: None, code: str, name: str, source: str
) -> None:
    entity_type = EntityType.objects.get(code=code)

    assert entity_type.name == name
    assert source in entity_type.source
    # Translated like the other types, in the five other languages.
    for language in ("ar", "zh_hans", "fr", "ru", "es"):
        assert getattr(entity_type, f"name_{language}")


def test_every_entity_type_names_a_source_when_loaded(reference_data: None) -> None:
    assert not EntityType.objects.filter(source="").exists()
    assert EntityType.objects.count() == 21


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("BO", "Bolivia (Plurinational State of)"),
        ("CD", "Democratic Republic of the Congo"),
        ("CI", "Côte d'Ivoire"),
        ("FM", "Micronesia (Federated States of)"),
        ("GB", "United Kingdom of Great Britain and Northern Ireland"),
        ("IR", "Iran (Islamic Republic of)"),
        ("KP", "Democratic People's Republic of Korea"),
        ("KR", "Republic of Korea"),
        ("LA", "Lao People's Democratic Republic"),
        ("MD", "Republic of Moldova"),
        ("NL", "Netherlands (Kingdom of the)"),
        ("PS", "State of Palestine"),
        ("RU", "Russian Federation"),
        ("SY", "Syrian Arab Republic"),
        ("TR", "Türkiye"),
        ("TZ", "United Republic of Tanzania"),
        ("VE", "Venezuela (Bolivarian Republic of)"),
    ],
)
def test_country_has_its_un_name_when_loaded(reference_data: None, code: str, name: str) -> None:
    assert Country.objects.get(code=code).name == name


def test_kosovo_is_listed_with_the_un_footnote_when_loaded(reference_data: None) -> None:
    kosovo = Country.objects.get(code="XK")

    assert (kosovo.iso3, kosovo.name, kosovo.region) == ("XKX", "Kosovo", "150")
    assert kosovo.footnote == KOSOVO_NOTE
    # Other languages name it from CLDR, like every country.
    assert kosovo.name_ru == "Косово"
    assert Country.objects.filter(footnote__gt="").count() == 1


def test_pledge_browser_shows_kosovo_with_its_footnote_when_a_pledge_benefits_it(
    reference_data: None, client: Client
) -> None:
    PledgeRows()(countries=("XK", "KE"))

    response = client.get("/pledges/")
    html = response.content.decode()

    assert 'id="facet-country-xk"' in html
    assert 'aria-describedby="facet-country-xk-note"' in html
    note = re.search(r'<small class="footnote" id="facet-country-xk-note">(.*?)</small>', html)
    assert note is not None
    assert KOSOVO_NOTE in _text(note.group(1).encode())
    # Countries without a footnote have none.
    assert 'aria-describedby="facet-country-ke-note"' not in html


def test_entity_page_shows_the_footnote_of_its_country(
    reference_data: None, client: Client
) -> None:
    entity = EntityFactory(
        name="Pristina Refugee Support",
        entity_type=EntityType.objects.get(code="ngo"),
        country=Country.objects.get(code="XK"),
    )

    page = _text(client.get(f"/entities/{entity.public_id}/").content)

    assert "Kosovo" in page
    assert KOSOVO_NOTE in page


def test_a_second_load_changes_nothing_in_any_table(reference_data: None) -> None:
    out = StringIO()
    call_command("load_reference_data", stdout=out)

    lines = out.getvalue().strip().splitlines()
    assert lines
    for line in lines:
        assert re.search(r": 0 created, 0 updated, \d+ unchanged$", line), line


def test_kosovo_footnote_is_filled_in_a_language_once_the_catalogs_translate_it(
    reference_data: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As loaded before the catalogs had the footnote in French and Arabic.
    Country.objects.filter(code="XK").update(footnote_fr="", footnote_ar="")

    def catalogs(text: str) -> str:  # the French catalog, once the translation is merged
        return f"[fr] {text}" if translation.get_language() == "fr" else text

    monkeypatch.setattr(reference, "gettext", catalogs)
    call_command("load_reference_data", stdout=StringIO())

    kosovo = Country.objects.get(code="XK")
    assert kosovo.footnote_fr == f"[fr] {KOSOVO_NOTE}"
    assert kosovo.footnote_ar in (None, "")  # not translated: the page shows the English text
    assert kosovo.footnote == KOSOVO_NOTE
