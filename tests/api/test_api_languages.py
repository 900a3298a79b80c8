"""The API answers in the language of `Accept-Language` (issue: "the API stays unprefixed and
answers labels in the language of Accept-Language, with Content-Language"): the names of the
reference data a pledge shows (compact, forum, objectives, thematic areas, support types,
countries, platform), the reference resources themselves, and the OpenAPI document's
descriptions. English when no language or an unknown one is asked for; an answer in one
language is never taken for another's (ETag, Vary)."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename
from rest_framework.test import APIClient

from compacts.models import Compact, GuidingPrinciple, Objective, SupportPlatform, ThematicArea
from core.models import Country
from forums.models import Forum
from pledges.models import EntityType, SupportType
from tests.api.conftest import World

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
JSON = {"accept": "application/vnd.oai.openapi+json"}


def _in(language: str, obj: Any, field: str = "name") -> str:
    """`obj.<field>` as stored for `language` (modeltranslation's `<field>_<language>`)."""
    return getattr(obj, f"{field}_{language.replace('-', '_')}") or getattr(obj, field)


def _get(client: APIClient, url: str, language: str | None = None, **params: Any) -> Any:
    headers = {"Accept-Language": language} if language else {}
    response = client.get(url, params, headers=headers)
    assert response.status_code == 200, response.content[:500]
    return response


# --------------------------------------------------------------------------------------------
# Pledges
# --------------------------------------------------------------------------------------------


def _names(pledge: dict[str, Any]) -> dict[str, Any]:
    """What a pledge shows of the reference data, by name."""
    return {
        "compact": pledge["compact"]["name"],
        "forum": pledge["forum"]["name"],
        "objectives": [o["short_label"] for o in pledge["objectives"]],
        "thematic_areas": [t["name"] for t in pledge["thematic_areas"]],
        "support_types": [s["name"] for s in pledge["support_types"]],
        "countries": [c["name"] for c in pledge["beneficiary_countries"]],
    }


def _expected(language: str) -> dict[str, Any]:
    """GRF23-00001 (p1 of the world) as it reads in `language`."""
    return {
        "compact": _in(language, Compact.objects.get(code="GCR")),
        "forum": _in(language, Forum.objects.get(code="GRF23")),
        "objectives": [
            _in(language, Objective.objects.get(compact__code="GCR", number=n), "short_label")
            for n in (1, 2)
        ],
        "thematic_areas": [_in(language, ThematicArea.objects.get(slug="education"))],
        "support_types": [_in(language, SupportType.objects.get(code="financial"))],
        "countries": [_in(language, Country.objects.get(code=c)) for c in ("KE", "UG")],
    }


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_pledge_detail_names_the_reference_data_in_the_callers_language(
    world: World, language: str
) -> None:
    response = _get(APIClient(), f"/api/v1/pledges/{world.p1.reference}/", language)

    names = _names(response.json())
    assert names == _expected(language)
    assert names["compact"] != "Global Compact on Refugees"  # really translated, not fallen back
    assert response["Content-Language"] == language


def test_pledge_list_names_the_reference_data_in_the_callers_language(world: World) -> None:
    response = _get(APIClient(), "/api/v1/pledges/", "fr", compact="GCR")

    pledges = {p["reference"]: p for p in response.json()["results"]}
    assert _names(pledges[world.p1.reference]) == _expected("fr")
    platform = pledges[world.p4.reference]["support_platform"]["name"]
    assert platform == _in("fr", SupportPlatform.objects.get(code="MIRPS"))
    assert response["Content-Language"] == "fr"


@pytest.mark.parametrize("language", [None, "de", "xx-YY"])
def test_pledge_is_in_english_without_a_language_or_with_one_we_do_not_have(
    world: World, language: str | None
) -> None:
    response = _get(APIClient(), f"/api/v1/pledges/{world.p1.reference}/", language)

    assert _names(response.json()) == _expected("en")
    assert response.json()["compact"]["name"] == "Global Compact on Refugees"
    assert response["Content-Language"] == "en"


def test_pledge_answer_to_a_write_is_in_the_callers_language(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    reference = world.draft.reference
    etag = _get(api_as("member_a"), f"/api/v1/pledges/{reference}/", "fr")["ETag"]

    response = api_as("member_a").patch(
        f"/api/v1/pledges/{reference}/",
        {"title": "Titre modifié"},
        headers={"Accept-Language": "fr", "If-Match": etag},
        HTTP_IF_MATCH="*",
    )

    assert response.status_code == 200, response.content[:500]
    assert response.json()["compact"]["name"] == _in("fr", Compact.objects.get(code="GCR"))


def test_if_match_accepts_the_etag_read_in_another_language(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    """An editor who read the pledge in French and writes without the header is not refused
    as stale: the pledge did not change, only the language of its labels."""
    reference = world.draft.reference
    etag = _get(api_as("member_a"), f"/api/v1/pledges/{reference}/", "fr")["ETag"]

    response = api_as("member_a").patch(
        f"/api/v1/pledges/{reference}/",
        {"title": "New title"},
        headers={"If-Match": etag},
        HTTP_IF_MATCH="*",
    )

    assert response.status_code == 200, response.content[:500]
    stale = api_as("member_a").patch(
        f"/api/v1/pledges/{reference}/",
        {"title": "Again"},
        headers={"If-Match": etag},
        HTTP_IF_MATCH="*",
    )
    assert stale.status_code == 412


# --------------------------------------------------------------------------------------------
# Never a French answer for an English caller
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/pledges/", "/api/v1/pledges/GRF23-00001/"])
def test_pledge_answers_in_two_languages_have_different_etags_and_vary(
    world: World, url: str
) -> None:
    client = APIClient()
    french = _get(client, url, "fr")
    english = _get(client, url, "en")

    assert french["ETag"] != english["ETag"]
    for response in (french, english):
        assert "accept-language" in response["Vary"].lower()


def test_french_etag_does_not_answer_304_to_an_english_caller(world: World) -> None:
    url = f"/api/v1/pledges/{world.p1.reference}/"
    client = APIClient()
    french_etag = _get(client, url, "fr")["ETag"]

    english = client.get(url, headers={"Accept-Language": "en", "If-None-Match": french_etag})
    same = client.get(url, headers={"Accept-Language": "fr", "If-None-Match": french_etag})

    assert english.status_code == 200
    assert english.json()["compact"]["name"] == "Global Compact on Refugees"
    assert same.status_code == 304
    assert "accept-language" in same["Vary"].lower()


def test_pledges_alternating_languages_each_get_their_own(world: World) -> None:
    """Statements are prepared once per connection: each language has its own."""
    client = APIClient()
    url = f"/api/v1/pledges/{world.p1.reference}/"
    for language in ["fr", "en", "ar", "fr", "en", "zh-hans"]:
        assert _names(_get(client, url, language).json()) == _expected(language)


# --------------------------------------------------------------------------------------------
# The reference resources
# --------------------------------------------------------------------------------------------


def _reference_names(client: APIClient, language: str | None) -> dict[str, Any]:
    compact = _get(client, "/api/v1/compacts/GCR/", language).json()
    objective = _get(client, "/api/v1/objectives/", language, compact="GCM", number=23).json()
    objective = objective["results"][0]
    principles = _get(client, "/api/v1/principles/", language, page_size=1).json()["results"]
    forum = _get(client, "/api/v1/forums/GRF23/", language).json()
    return {
        "compact": compact["name"],
        "objective": (objective["title"], objective["short_label"], objective["compact"]["name"]),
        "action": objective["actions"][0]["text"],
        "principle": (principles[0]["name"], principles[0]["compact"]["name"]),
        "forum": (forum["name"], forum["compact"]["name"]),
    }


def _reference_expected(language: str) -> dict[str, Any]:
    gcm = Compact.objects.get(code="GCM")
    objective = Objective.objects.get(compact=gcm, number=23)
    principle = GuidingPrinciple.objects.order_by("id").first()
    assert principle is not None
    forum = Forum.objects.get(code="GRF23")
    return {
        "compact": _in(language, Compact.objects.get(code="GCR")),
        "objective": (
            _in(language, objective, "title"),
            _in(language, objective, "short_label"),
            _in(language, gcm),
        ),
        "action": _in(language, objective.actions.order_by("letter").first(), "text"),
        "principle": (_in(language, principle), _in(language, principle.compact)),
        "forum": (_in(language, forum), _in(language, forum.compact)),
    }


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_reference_resources_name_things_in_the_callers_language(
    reference_data: None, language: str
) -> None:
    assert _reference_names(APIClient(), language) == _reference_expected(language)


def test_reference_resources_are_in_english_without_a_language(reference_data: None) -> None:
    assert _reference_names(APIClient(), None) == _reference_expected("en")
    assert _reference_names(APIClient(), "de") == _reference_expected("en")


def test_entity_names_its_type_and_country_in_the_callers_language(world: World) -> None:
    entity = world.entity_b
    entity.country_id = "KE"
    entity.save(update_fields=["country"])

    body = _get(APIClient(), f"/api/v1/entities/{entity.public_id}/", "fr").json()

    assert body["entity_type"]["name"] == _in("fr", EntityType.objects.get(code="state"))
    assert body["country"]["name"] == _in("fr", Country.objects.get(code="KE"))


# --------------------------------------------------------------------------------------------
# The OpenAPI document
# --------------------------------------------------------------------------------------------


def _schema(client: Client, **kwargs: Any) -> dict[str, Any]:
    response = client.get("/api/schema/", kwargs.pop("query", {}), headers={**JSON, **kwargs})
    assert response.status_code == 200
    return response.json()


def _pledge_texts(schema: dict[str, Any]) -> tuple[str, str, str]:
    operation = schema["paths"]["/api/v1/pledges/"]["get"]
    field = schema["components"]["schemas"]["Pledge"]["properties"]["updates_url"]
    return operation["summary"], operation["description"], field["description"]


@pytest.mark.parametrize(
    "how", [{"query": {"lang": "fr"}}, {"Accept-Language": "fr"}], ids=["lang", "header"]
)
def test_schema_describes_pledges_in_french(client: Client, how: dict[str, Any]) -> None:
    english = _pledge_texts(_schema(client))
    french = _pledge_texts(_schema(client, **how))

    assert french[0] == "Lister les engagements"
    for english_text, french_text in zip(english, french, strict=True):
        assert french_text != english_text


def test_schema_answer_says_its_language_and_varies_by_it(client: Client) -> None:
    response = client.get("/api/schema/", {"lang": "fr"}, headers=JSON)

    assert response["Content-Language"] == "fr"
    assert "accept-language" in response["Vary"].lower()


@pytest.mark.parametrize("language", LANGUAGES)
def test_schema_in_every_language_is_a_valid_document(
    client: Client, tmp_path: Path, language: str
) -> None:
    response = client.get("/api/schema/", {"lang": language}, headers=JSON)
    assert response.status_code == 200
    target = tmp_path / "schema.json"
    target.write_bytes(response.content)
    spec, _url = read_from_filename(str(target))

    validate(spec)
