"""Every pledge the API sends — list page, detail, write answer, export — is written by the
database from the one definition in `pledges/api/shape.py`. These tests hold that output to
what a partner reads: every key with its exact value for a pledge with every kind of related
row, datetimes in the active time zone as DRF writes them, links with escaped keys, the same
bytes on every path, and the OpenAPI document describing exactly the keys sent."""

import csv
import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from compacts.models import (
    Compact,
    GuidingPrinciple,
    ObjectiveAction,
    SupportPlatform,
    ThematicArea,
)
from core.api.exports import csv_lines
from core.api.prepared import inline_constants
from forums.models import Forum
from pledges.api.reading import PledgeReader
from pledges.api.shape import EXPORT_COLUMNS, KEYS
from pledges.models import (
    Entity,
    ParticipantRole,
    ParticipantStatus,
    Pledge,
    PledgeParticipant,
    PledgeTarget,
    PledgeTranslation,
    ReviewState,
)
from tests.api.conftest import World, utc
from tests.factories import EntityFactory

API = "http://testserver/api/v1"
LIST = "/api/v1/pledges/"


@pytest.fixture
def full(world: World, make_pledge: Callable[..., Pledge], entity_a: Entity) -> Pledge:
    """A GCM pledge with every kind of related row and awkward values."""
    pledge = make_pledge(
        forum="IMRF26",
        title='Quotes " and \\ backslash, ünïcödé, emoji 🌍, line\u2028separator',
        description="Line one\nline two\ttabbed <b>not html</b> & done",
        entity=entity_a,
        objectives=(23, 2),
        countries=("MX", "KE"),
        support_types=("financial", "technical"),
        status="in_progress",
        amount=Decimal("1234567.50"),
        currency_id="EUR",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2028, 12, 31),
        support_platform=SupportPlatform.objects.order_by("code").first(),
        contact_name="Zoë O'Brien",
        contact_email="zoe@example.org",
        updated_at=utc("2025-05-01T10:30:15.123456"),
    )
    Pledge.objects.filter(pk=pledge.pk).update(language="fr")
    PledgeTranslation.objects.create(
        pledge=pledge, language="es", title='Mujeres "en" el trabajo', description="Línea\nuna"
    )
    PledgeTranslation.objects.create(pledge=pledge, language="en", title="Women at work")
    pledge.actions.set(ObjectiveAction.objects.filter(objective__compact__code="GCM")[:1])
    pledge.principles.set(GuidingPrinciple.objects.filter(compact__code="GCM")[:1])
    # The reference data gives the GCM no thematic areas; the rows are set directly.
    pledge.thematic_areas.set(ThematicArea.objects.order_by("slug")[:1])
    PledgeTarget.objects.create(
        pledge=pledge,
        metric="Share of women",
        unit="percent",
        baseline=Decimal("12.5"),
        target_value=Decimal("50"),
        due_date=dt.date(2027, 6, 30),
    )
    PledgeTarget.objects.create(
        pledge=pledge, metric="Workers placed", unit="persons", target_value=Decimal("500")
    )
    for entity, status, role in (
        (world.entity_b, ParticipantStatus.ACCEPTED, ParticipantRole.FUNDER),
        (
            EntityFactory(name="Zeta unverified", is_verified=False),
            ParticipantStatus.ACCEPTED,
            ParticipantRole.CO_PLEDGER,
        ),
        (EntityFactory(), ParticipantStatus.INVITED, ParticipantRole.CO_PLEDGER),
    ):
        PledgeParticipant.objects.create(pledge=pledge, entity=entity, status=status, role=role)
    return Pledge.objects.get(pk=pledge.pk)


def expected(pledge: Pledge, *, insider: bool) -> dict[str, Any]:
    """What a partner must read of `full`, key by key, written out from the rows it was made of."""
    entity, funder = (
        pledge.entity,
        PledgeParticipant.objects.get(pledge=pledge, role=ParticipantRole.FUNDER).entity,
    )
    action = pledge.actions.get()
    principle = pledge.principles.get()
    area = pledge.thematic_areas.get()
    platform = pledge.support_platform
    objectives = sorted(pledge.objectives.all(), key=lambda o: o.number)
    share, workers = PledgeTarget.objects.filter(pledge=pledge).order_by("id")
    return {
        "url": f"{API}/pledges/{pledge.reference}/",
        "reference": pledge.reference,
        "id": str(pledge.public_id),
        "title": pledge.title,
        "description": pledge.description,
        "language": "fr",
        # In the order of their language codes.
        "translations": [
            {"language": "en", "title": "Women at work", "description": ""},
            {"language": "es", "title": 'Mujeres "en" el trabajo', "description": "Línea\nuna"},
        ],
        "compact": {
            "code": "GCM",
            "name": pledge.compact.name,
            "url": f"{API}/compacts/GCM/",
        },
        "forum": {"code": "IMRF26", "name": pledge.forum.name, "url": f"{API}/forums/IMRF26/"},
        "reaffirmations": [],
        "entity": {
            "id": str(entity.public_id),
            "name": entity.name,
            "acronym": entity.acronym,
            "entity_type": entity.entity_type.code,
            "url": f"{API}/entities/{entity.public_id}/",
        },
        # Only the accepted co-pledger of a verified entity.
        "co_pledgers": [
            {
                "id": str(funder.public_id),
                "name": funder.name,
                "role": "funder",
                "url": f"{API}/entities/{funder.public_id}/",
            }
        ],
        "objectives": [
            {
                "id": o.pk,
                "code": f"GCM-{o.number}",
                "number": o.number,
                "short_label": o.short_label,
                "url": f"{API}/objectives/{o.pk}/",
            }
            for o in objectives
        ],
        "actions": [
            {
                "code": f"GCM-{action.objective.number}({action.letter})",
                "text": action.text,
            }
        ],
        "principles": [{"number": principle.number, "name": principle.name}],
        "thematic_areas": [{"slug": area.slug, "name": area.name}],
        "support_types": [
            {"code": t.code, "name": t.name}
            for t in pledge.support_types.order_by("position", "name")
        ],
        "geography_scope": pledge.geography_scope,
        "beneficiary_countries": [
            {"code": "KE", "name": "Kenya"},
            {"code": "MX", "name": "Mexico"},
        ],
        "support_platform": {"code": platform.code, "name": platform.name},
        "start_date": "2026-01-01",
        "end_date": "2028-12-31",
        "amount": "1234567.50",
        "currency": "EUR",
        "announced_on": None if pledge.announced_on is None else pledge.announced_on.isoformat(),
        "targets": [
            {
                "id": share.pk,
                "metric": "Share of women",
                "unit": "percent",
                "baseline": "12.50",
                "target_value": "50.00",
                "due_date": "2027-06-30",
            },
            {
                "id": workers.pk,
                "metric": "Workers placed",
                "unit": "persons",
                "baseline": None,
                "target_value": "500.00",
                "due_date": None,
            },
        ],
        "links": [],  # filled in tests/changefeed/test_tombstones_and_gone.py
        # Filled in test_pledge_api_msps_and_matching.py.
        "multistakeholder_pledges": [],
        "support": [],
        "matches": [],
        "attachments": [],
        "review_state": "published",
        "implementation_status": "in_progress",
        "last_update_on": None
        if pledge.last_update_on is None
        else pledge.last_update_on.isoformat(),
        "submitted_at": _drf(pledge.submitted_at),
        "published_at": _drf(pledge.published_at),
        "created_at": _drf(pledge.created_at),
        "updated_at": "2025-05-01T10:30:15.123456Z",
        "version": pledge.version,
        "contact_name": "Zoë O'Brien" if insider else None,
        "contact_email": "zoe@example.org" if insider else None,
        "updates_url": f"{API}/pledge-updates/?pledge={pledge.reference}",
    }


def _drf(value: dt.datetime | None) -> str | None:
    """A datetime as DRF writes it in the active time zone."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _item(client: APIClient, reference: str) -> dict[str, Any]:
    results = client.get(LIST, {"page_size": 50}).json()["results"]
    return next(item for item in results if item["reference"] == reference)


@pytest.mark.parametrize(
    ("who", "insider"), [("anonymous", False), ("member_a", True), ("secretariat", True)]
)
def test_a_pledge_shows_every_key_with_its_value_to_each_caller(
    who: str, insider: bool, full: Pledge, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as(who)
    detail = client.get(f"{LIST}{full.reference}/")
    assert detail.status_code == 200
    assert detail.json() == expected(full, insider=insider)
    assert list(detail.json()) == [key.name for key in KEYS]
    assert _item(client, full.reference) == detail.json()


def test_a_bare_pledge_has_null_objects_and_empty_lists(
    world: World, make_pledge: Callable[..., Pledge], api_as: Callable[[str], APIClient]
) -> None:
    bare = make_pledge(
        forum="GRF19",
        title="Bare pledge",
        entity=EntityFactory(name="Ärzte ohne Grenzen", acronym=""),
        objectives=(),
        countries=(),
        state=ReviewState.PUBLISHED,
        status="",
        amount=None,
        currency_id=None,
        support_platform=None,
    )
    body = api_as("anonymous").get(f"{LIST}{bare.reference}/").json()
    assert body["support_platform"] is None
    assert body["amount"] is None
    assert body["currency"] is None
    assert body["implementation_status"] == ""
    assert body["entity"]["acronym"] == ""
    assert body["language"] == "en"
    for name in (
        "objectives",
        "actions",
        "principles",
        "thematic_areas",
        "targets",
        "translations",
        "links",
        "multistakeholder_pledges",
        "support",
        "matches",
        "attachments",
    ):
        assert body[name] == [], name


def test_the_list_page_and_the_detail_send_the_same_bytes(
    full: Pledge, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("member_a")
    detail = client.get(f"{LIST}{full.reference}/").content
    page = client.get(LIST, {"page_size": 50}).content
    assert detail in page
    # U+2028 is escaped by the renderer, as in every other JSON answer.
    assert b"\\u2028" in detail
    assert "\u2028".encode() not in detail


def test_a_write_answers_the_bytes_and_etag_a_get_then_shows(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("member_a")
    url = f"{LIST}{world.draft.reference}/"
    etag = client.get(url)["ETag"]
    answer = client.patch(url, {"title": "Renamed draft"}, format="json", HTTP_IF_MATCH=etag)
    assert answer.status_code == 200, answer.content
    get = client.get(url)
    assert answer.content == get.content
    assert answer["ETag"] == get["ETag"] != etag
    assert get.json()["title"] == "Renamed draft"


@pytest.mark.parametrize(
    ("zone", "suffix"),
    [("America/Mexico_City", "-06:00"), ("Asia/Kolkata", "+05:30"), ("Europe/London", "Z")],
)
def test_datetimes_are_written_in_the_active_time_zone_as_drf_writes_them(
    zone: str, suffix: str, full: Pledge, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("member_a")
    with timezone.override(ZoneInfo(zone)):
        detail = client.get(f"{LIST}{full.reference}/").json()
        item = _item(client, full.reference)
        want = {name: _drf(getattr(full, name)) for name in ("created_at", "published_at")}
    # 2025-05-01 10:30:15.123456 UTC, written in that zone.
    local = dt.datetime(2025, 5, 1, 10, 30, 15, 123456, tzinfo=dt.UTC).astimezone(ZoneInfo(zone))
    assert detail["updated_at"] == item["updated_at"]
    assert detail["updated_at"].startswith(local.strftime("%Y-%m-%dT%H:%M:%S.123456"))
    if zone != "Europe/London":  # in May London is at +01:00
        assert detail["updated_at"].endswith(suffix)
    for name, value in want.items():
        assert detail[name] == value, name


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [
        (Pledge, "reference", "GCM 26/ü-00001"),
        (Forum, "code", "IMRF 2/ü"),
        (Compact, "code", "G/M"),
    ],
)
def test_the_database_refuses_link_keys_that_would_need_escaping(
    full: Pledge, model: Any, field: str, value: str
) -> None:
    """The SQL writes links without percent-encoding their keys; the constraints make it safe."""
    row = {Pledge: full, Forum: full.forum, Compact: full.compact}[model]
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=row.pk).update(**{field: value})


def test_the_export_has_the_declared_columns_and_the_pledge_s_cells(
    full: Pledge, api_as: Callable[[str], APIClient]
) -> None:
    response = api_as("member_a").get(LIST, {"format": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    row = next(r for r in rows if r["reference"] == full.reference)
    shown = expected(full, insider=True)
    assert row == {
        "reference": full.reference,
        "id": str(full.public_id),
        "title": full.title,
        "language": "fr",
        "compact": "GCM",
        "forum": "IMRF26",
        "reaffirmations": "",
        "entity": full.entity.name,
        "entity_id": str(full.entity.public_id),
        "entity_type": full.entity.entity_type.code,
        "co_pledgers": shown["co_pledgers"][0]["name"],
        "objectives": "; ".join(o["code"] for o in shown["objectives"]),
        "thematic_areas": shown["thematic_areas"][0]["slug"],
        "support_types": "; ".join(t["code"] for t in shown["support_types"]),
        "geography_scope": full.geography_scope,
        "beneficiary_countries": "KE; MX",
        "support_platform": full.support_platform.code,
        "start_date": "2026-01-01",
        "end_date": "2028-12-31",
        "amount": "1234567.50",
        "currency": "EUR",
        "announced_on": shown["announced_on"] or "",
        "links": "",
        "multistakeholder_pledges": "",
        "matches": "",
        "review_state": "published",
        "implementation_status": "in_progress",
        "last_update_on": shown["last_update_on"] or "",
        "published_at": shown["published_at"] or "",
        "updated_at": "2025-05-01T10:30:15.123456Z",
        "description": full.description,
        "url": shown["url"],
    }


def test_the_csv_the_database_writes_is_the_one_the_csv_module_writes_of_the_cells(
    full: Pledge, make_pledge: Callable[..., Pledge], api_as: Callable[[str], APIClient]
) -> None:
    """The export's CSV is written by PostgreSQL (COPY): byte for byte the file Python's csv
    module writes of the same cells — quoting, empty cells, CRLF, neutralised formulas."""
    hostile = make_pledge(title="-12.5", description="@SUM(A1)\r\n=1", entity=full.entity)
    Entity.objects.filter(pk=full.entity_id).update(name="=cmd|' /C calc'!A0", acronym="")
    request = APIRequestFactory().get(LIST)
    request.user = AnonymousUser()
    pledges = Pledge.objects.visible_to(None).order_by("-id")
    cells = PledgeReader({"request": Request(request)}).export_rows(pledges)
    written_by_python = "".join(csv_lines(EXPORT_COLUMNS, cells)).encode()

    response = api_as("anonymous").get(LIST, {"format": "csv"})

    assert b"".join(response.streaming_content) == written_by_python
    assert f"{hostile.reference},".encode() in written_by_python
    assert b"'=cmd|" in written_by_python


def test_the_openapi_document_describes_exactly_the_keys_sent(
    full: Pledge, api_as: Callable[[str], APIClient]
) -> None:
    schema = api_as("anonymous").get("/api/schema/", {"format": "json"}).json()
    pledge = schema["components"]["schemas"]["Pledge"]
    sent = api_as("member_a").get(f"{LIST}{full.reference}/").json()
    assert list(pledge["properties"]) == list(sent)
    assert sorted(pledge["required"]) == sorted(sent)
    assert all(p.get("readOnly") for p in pledge["properties"].values())


def test_the_page_query_is_prepared_once_and_logged_with_its_values(
    full: Pledge, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("anonymous")
    with CaptureQueriesContext(connection) as captured:
        for _ in range(3):
            assert client.get(LIST, {"page_size": 50, "compact": "GCM"}).status_code == 200
    pages = [q["sql"] for q in captured.captured_queries if "AS body" in q["sql"]]
    assert len(pages) == 3
    assert "'published'" in pages[0]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%AS body%"],
        )
        assert cursor.fetchone()[0] == 1


def test_the_list_is_the_same_when_prepared_statements_are_turned_off(
    full: Pledge, api_as: Callable[[str], APIClient], settings: Any
) -> None:
    client = api_as("member_a")
    prepared = client.get(LIST, {"page_size": 50}).content
    settings.DATABASE_PREPARED_STATEMENTS = False
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    assert client.get(LIST, {"page_size": 50}).content == prepared
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] == 0


def test_only_choices_written_in_code_are_inlined_when_a_statement_is_prepared() -> None:
    sql, params = inline_constants(
        "SELECT 1 WHERE a = %s AND b = %s AND c LIKE '%%x' AND d = %s",
        [ReviewState.PUBLISHED, "published", 7],
    )
    assert sql == "SELECT 1 WHERE a = 'published' AND b = %s AND c LIKE '%%x' AND d = %s"
    assert params == ("published", 7)
