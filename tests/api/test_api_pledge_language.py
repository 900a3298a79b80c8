"""A pledge's language and its translations through the API: `language` is read and written
(POST defaults to English, PATCH changes it, a PUT that leaves it out keeps it, a code the site
does not have is refused with nothing changed), exported, and documented with its codes;
`translations` lists the pledge's title and description in other languages, seen exactly by
those who see the pledge. The OpenAPI document's review actions and help texts are read in the
caller's language."""

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.models import User
from pledges.models import Entity, Pledge, PledgeTranslation
from pledges.services import PledgeInput, create_pledge
from tests.api.conftest import OUTSIDERS, World

pytestmark = pytest.mark.django_db

URL = "/api/v1/pledges/"
CODES = [code for code, _name in settings.LANGUAGES]

VALID = {
    "title": "Include refugee children in national schools",
    "description": "We will enrol 10,000 refugee children in national schools by 2027.",
    "compact": "GCR",
    "forum": "GRF23",
    "objectives": [2],
    "thematic_areas": ["education"],
    "support_types": ["financial"],
    "beneficiary_countries": ["KE"],
    "contact_name": "Amina Yusuf",
    "contact_email": "amina@example.org",
}


@pytest.fixture
def french_draft(make_input: Callable[..., PledgeInput], member_a: User) -> Pledge:
    """A complete GCR draft of entity A written in French, made through the service."""
    return create_pledge(data=make_input(language="fr"), by=member_a)


def _edit(client: APIClient, pledge: Pledge, method: str, data: dict[str, Any]) -> Any:
    url = f"{URL}{pledge.reference}/"
    etag = client.get(url)["ETag"]
    return getattr(client, method)(url, data, format="json", HTTP_IF_MATCH=etag)


def _stored(pledge: Pledge) -> tuple[str, int, str]:
    fresh = Pledge.objects.get(pk=pledge.pk)
    return fresh.language, fresh.version, fresh.title


# --------------------------------------------------------------------------------------------
# language: read and written
# --------------------------------------------------------------------------------------------


def test_the_pledge_says_the_language_it_is_written_in(
    french_draft: Pledge, api_as: Callable[[str], APIClient]
) -> None:
    body = api_as("member_a").get(f"{URL}{french_draft.reference}/").json()

    assert body["language"] == "fr"


@pytest.mark.parametrize(("sent", "stored"), [({"language": "es"}, "es"), ({}, "en")])
def test_create_takes_the_language_given_and_english_when_none_is(
    reference_data: None,
    entity_a: Entity,
    api_as: Callable[[str], APIClient],
    sent: dict[str, str],
    stored: str,
) -> None:
    response = api_as("member_a").post(URL, {**VALID, **sent}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["language"] == stored
    assert Pledge.objects.get(reference=response.json()["reference"]).language == stored


def test_patch_changes_the_language(
    french_draft: Pledge, api_as: Callable[[str], APIClient]
) -> None:
    response = _edit(api_as("member_a"), french_draft, "patch", {"language": "ar"})

    assert response.status_code == 200, response.content
    assert response.json()["language"] == "ar"
    assert _stored(french_draft)[0] == "ar"


def test_put_that_leaves_the_language_out_keeps_it(
    french_draft: Pledge, api_as: Callable[[str], APIClient]
) -> None:
    # A client written before pledges had a language must not turn a French pledge English.
    response = _edit(api_as("member_a"), french_draft, "put", {**VALID, "title": "Écoles"})

    assert response.status_code == 200, response.content
    assert response.json()["language"] == "fr"
    assert _stored(french_draft)[::2] == ("fr", "Écoles")


@pytest.mark.parametrize("method", ["post", "patch", "put"])
def test_a_language_the_site_does_not_have_is_refused_and_nothing_changes(
    french_draft: Pledge, api_as: Callable[[str], APIClient], method: str
) -> None:
    client = api_as("member_a")
    before = _stored(french_draft)
    count = Pledge.objects.count()
    data = {**VALID, "title": "Neuer Titel", "language": "de"}

    if method == "post":
        response = client.post(URL, data, format="json")
    else:
        response = _edit(client, french_draft, method, data)

    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == ["language"]
    assert response.json()["errors"]["language"]
    assert _stored(french_draft) == before
    assert Pledge.objects.count() == count


def test_the_export_has_each_pledge_s_language(
    french_draft: Pledge, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("member_a")
    response = client.get(URL, {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {r["reference"]: r["language"] for r in rows} == {french_draft.reference: "fr"}

    xlsx = client.get(URL, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    header, row = list(sheet.iter_rows(values_only=True))[:2]
    assert dict(zip(header, row, strict=True))["language"] == "fr"


def test_the_openapi_document_gives_the_language_codes(client: Client) -> None:
    schema = client.get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]

    def codes(properties: dict[str, Any]) -> list[str]:
        ref = properties["language"].get("$ref") or properties["language"]["allOf"][0]["$ref"]
        return components[ref.rsplit("/", 1)[1]]["enum"]

    assert codes(components["Pledge"]["properties"]) == CODES
    assert codes(components["PledgeWriteRequest"]["properties"]) == CODES
    assert codes(components["PledgeTranslation"]["properties"]) == CODES
    assert "language" not in components["PledgeWriteRequest"].get("required", [])


# --------------------------------------------------------------------------------------------
# translations: read only, as visible as the pledge
# --------------------------------------------------------------------------------------------


def _translate(pledge: Pledge) -> None:
    # Rows written directly: the API shows them, the services that write them are tested apart.
    PledgeTranslation.objects.create(
        pledge=pledge, language="fr", title="Scolariser les enfants", description="Dix mille."
    )
    PledgeTranslation.objects.create(pledge=pledge, language="ar", title="تعليم الأطفال")


EXPECTED = [
    {"language": "ar", "title": "تعليم الأطفال", "description": ""},
    {"language": "fr", "title": "Scolariser les enfants", "description": "Dix mille."},
]


def test_the_pledge_lists_its_translations_in_the_list_and_the_detail(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    _translate(world.p1)
    client = api_as("anonymous")

    detail = client.get(f"{URL}{world.p1.reference}/").json()
    page = {p["reference"]: p for p in client.get(URL).json()["results"]}

    assert detail["translations"] == EXPECTED
    assert page[world.p1.reference]["translations"] == EXPECTED
    assert page[world.p2.reference]["translations"] == []


@pytest.mark.parametrize("who", OUTSIDERS)
def test_a_draft_s_translations_are_invisible_to_outsiders(
    world: World, api_as: Callable[[str], APIClient], who: str
) -> None:
    _translate(world.draft)
    client = api_as(who)

    detail = client.get(f"{URL}{world.draft.reference}/")
    listed = client.get(URL, {"search": "Scolariser"}).content + client.get(URL).content

    assert detail.status_code == 404
    assert b"Scolariser" not in listed + detail.content


@pytest.mark.parametrize("who", ["member_a", "secretariat"])
def test_a_draft_s_translations_are_shown_to_those_who_see_the_draft(
    world: World, api_as: Callable[[str], APIClient], who: str
) -> None:
    _translate(world.draft)

    body = api_as(who).get(f"{URL}{world.draft.reference}/").json()

    assert body["translations"] == EXPECTED


def test_translations_sent_back_are_ignored_like_every_read_only_key(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    """They are written on the web pages; a client may send back what it read."""
    response = _edit(
        api_as("member_a"),
        world.draft,
        "patch",
        {"translations": [{"language": "fr", "title": "Titre", "description": ""}]},
    )

    assert response.status_code == 200, response.content
    assert response.json()["translations"] == []
    assert not PledgeTranslation.objects.filter(pledge=world.draft).exists()


# --------------------------------------------------------------------------------------------
# The OpenAPI document in French
# --------------------------------------------------------------------------------------------


def _texts(client: Client, language: str) -> dict[str, str]:
    schema = client.get("/api/schema/", {"lang": language, "format": "json"}).json()
    paths = schema["paths"]
    components = schema["components"]["schemas"]
    publish = paths["/api/v1/pledges/{reference}/publish/"]["post"]
    approve = paths["/api/v1/pledge-updates/{id}/approve/"]["post"]
    platform = next(
        p for p in paths["/api/v1/pledges/"]["get"]["parameters"] if p["name"] == "support_platform"
    )
    return {
        "title": schema["info"]["title"],
        "description": schema["info"]["description"],
        "publish": publish["summary"],
        "publish_description": publish["description"],
        "approve": approve["summary"],
        "approve_description": approve["description"],
        "report": paths["/api/v1/pledge-updates/"]["post"]["summary"],
        "filter": platform["description"],
        "compact_field": components["PledgeWriteRequest"]["properties"]["compact"]["description"],
        "indicators": paths["/api/v1/indicators/"]["get"]["summary"],
        "indicator_field": components["IndicatorValue"]["properties"]["country"]["description"],
        "root": paths["/api/v1/"]["get"]["summary"],
        "not_found": paths["/api/v1/pledges/{reference}/"]["get"]["responses"]["404"][
            "description"
        ],
        "error_field": components["Error"]["properties"]["detail"]["description"],
        "if_none_match": next(
            p["description"]
            for p in paths["/api/v1/pledges/"]["get"]["parameters"]
            if p["name"] == "If-None-Match"
        ),
    }


def test_the_review_actions_and_the_filters_are_described_in_french(client: Client) -> None:
    english = _texts(client, "en")
    french = _texts(client, "fr")

    assert english["filter"] == "Code of a regional support platform, e.g. MIRPS."
    assert french["filter"] == "Code d'une plateforme d'appui régionale, par exemple MIRPS."
    assert (english["publish"], english["approve"]) == ("Publish (publish)", "Approve (approve)")
    assert (french["publish"], french["approve"]) == ("Publier (publish)", "Approuver (approve)")


def test_every_text_of_the_openapi_document_is_read_in_french(client: Client) -> None:
    english = _texts(client, "en")
    french = _texts(client, "fr")

    for name, text in english.items():
        assert french[name] != text, name
