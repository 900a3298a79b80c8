"""Reading /api/v1/pledges/: who sees what, every filter against hand-computed expectations,
strict parameters, cursor pagination, conditional requests, exports and query caps."""

import csv
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from compacts.models import Objective
from matching.models import Match, SupportPosition
from partnerships.models import MultistakeholderMembership, MultistakeholderPledge
from pledges.models import Pledge, PledgeParticipant, PledgeTarget, ReviewState, SupportType
from tests.factories import EntityFactory

from .conftest import DRAFT_TITLE, OUTSIDERS, PUBLISHED, World, refs

pytestmark = pytest.mark.django_db

URL = "/api/v1/pledges/"
DRAFT = "GRF23-00003"


def csv_rows(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content[:300]
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


# --------------------------------------------------------------------------------------------
# Visibility
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", PUBLISHED),
        ("partner", PUBLISHED),
        ("member_b", PUBLISHED),
        ("member_a", [DRAFT, *PUBLISHED]),
        ("secretariat", [DRAFT, *PUBLISHED]),
    ],
)
def test_list_shows_published_pledges_plus_own_drafts_when_viewed_by_each_role(
    world: World, api_as: Callable[[str], APIClient], who: str, expected: list[str]
) -> None:
    assert refs(api_as(who).get(URL)) == expected


@pytest.mark.parametrize("who", OUTSIDERS)
def test_draft_answers_404_when_an_outsider_asks_for_it(
    world: World, api_as: Callable[[str], APIClient], who: str
) -> None:
    response = api_as(who).get(f"{URL}{DRAFT}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert DRAFT_TITLE not in response.content.decode()


@pytest.mark.parametrize("who", ["member_a", "secretariat"])
def test_draft_is_readable_when_its_member_or_the_secretariat_asks(
    world: World, api_as: Callable[[str], APIClient], who: str
) -> None:
    body = api_as(who).get(f"{URL}{DRAFT}/").json()

    assert body["title"] == DRAFT_TITLE
    assert body["review_state"] == "draft"


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("anonymous", False),
        ("partner", False),
        ("member_b", False),  # a co-pledger, but not the submitting entity
        ("member_a", True),
        ("secretariat", True),
    ],
)
def test_contact_details_are_shown_only_when_the_submitter_or_secretariat_reads(
    world: World, api_as: Callable[[str], APIClient], who: str, shown: bool
) -> None:
    body = api_as(who).get(f"{URL}GRF23-00001/").json()

    expected = ("Amina Yusuf", "amina@example.org") if shown else (None, None)
    assert (body["contact_name"], body["contact_email"]) == expected


def test_detail_shows_compact_references_with_links_when_read(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    body = api_as("anonymous").get(f"{URL}GRF23-00001/").json()

    assert body["url"] == "http://testserver/api/v1/pledges/GRF23-00001/"
    assert body["compact"] == {
        "code": "GCR",
        "name": "Global Compact on Refugees",
        "url": "http://testserver/api/v1/compacts/GCR/",
    }
    assert body["forum"]["url"] == "http://testserver/api/v1/forums/GRF23/"
    assert body["entity"]["id"] == str(world.entity_a.public_id)
    assert body["entity"]["url"].endswith(f"/api/v1/entities/{world.entity_a.public_id}/")
    assert [o["code"] for o in body["objectives"]] == ["GCR-1", "GCR-2"]
    objective = Objective.objects.get(compact__code="GCR", number=1)
    assert body["objectives"][0]["url"].endswith(f"/api/v1/objectives/{objective.pk}/")
    assert [c["code"] for c in body["beneficiary_countries"]] == ["KE", "UG"]
    assert body["co_pledgers"] == [
        {
            "id": str(world.entity_b.public_id),
            "name": world.entity_b.name,
            "role": "co_pledger",
            "url": f"http://testserver/api/v1/entities/{world.entity_b.public_id}/",
        }
    ]
    assert (body["amount"], body["currency"]) == ("1000.00", "USD")
    assert body["updates_url"] == "http://testserver/api/v1/pledge-updates/?pledge=GRF23-00001"
    # The links are real: following one answers 200.
    assert api_as("anonymous").get(body["entity"]["url"]).status_code == 200


def test_nested_links_resolve_when_followed(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("anonymous")
    body = client.get(f"{URL}GRF23-00001/").json()

    for url in (body["compact"]["url"], body["forum"]["url"], body["objectives"][0]["url"]):
        assert client.get(url).status_code == 200
    assert client.get(body["updates_url"]).status_code == 200


# --------------------------------------------------------------------------------------------
# Filters
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"compact": "GCM"}, ["IMRF26-00001"]),
        ({"compact": "GCR"}, ["GRF23-00002", "GRF19-00001", "GRF23-00001"]),
        ({"compact": "GCM", "objective": "23"}, ["IMRF26-00001"]),
        ({"compact": "GCR", "objective": "2"}, ["GRF19-00001", "GRF23-00001"]),
        ({"objective": "GCR-2"}, ["GRF19-00001", "GRF23-00001"]),
        ({"objective": ["GCR-1", "GCR-3"]}, ["GRF23-00002", "GRF23-00001"]),
        ({"compact": ["GCR", "GCM"], "objective": "23"}, ["IMRF26-00001"]),
        ({"forum": "GRF19"}, ["GRF19-00001"]),
        ({"forum": ["GRF23", "IMRF26"]}, ["GRF23-00002", "IMRF26-00001", "GRF23-00001"]),
        ({"entity_type": "state"}, ["GRF23-00002", "GRF19-00001"]),
        ({"entity_type": "private_sector"}, ["IMRF26-00001"]),
        ({"implementation_status": "none"}, ["GRF19-00001"]),
        (
            {"implementation_status": ["in_progress", "fulfilled"]},
            ["GRF23-00002", "IMRF26-00001", "GRF23-00001"],
        ),
        ({"review_state": "published"}, PUBLISHED),
        ({"review_state": "draft"}, []),
        ({"country": "KE"}, ["IMRF26-00001", "GRF23-00001"]),
        ({"country": ["JO", "GT"]}, ["GRF23-00002", "GRF19-00001"]),
        ({"region": "019"}, ["GRF23-00002", "IMRF26-00001"]),
        ({"region": "142"}, ["GRF19-00001"]),
        ({"support_platform": "MIRPS"}, ["GRF23-00002"]),
        ({"thematic_area": "education"}, ["GRF23-00001"]),
        ({"support_type": "places"}, ["GRF23-00002"]),
        ({"support_type": ["policy", "technical"]}, ["IMRF26-00001", "GRF19-00001"]),
        ({"updated_since": "2025-02-01"}, ["GRF23-00002", "IMRF26-00001"]),
        ({"updated_since": "2025-02-01T09:00:00Z"}, ["IMRF26-00001"]),
        # 09:00 at UTC+2 is 07:00 UTC, before GRF23-00002's 08:00 UTC; at UTC-2 it is after.
        ({"updated_since": "2025-02-01T09:00:00+02:00"}, ["GRF23-00002", "IMRF26-00001"]),
        ({"updated_since": "2025-02-01T09:00:00-02:00"}, ["IMRF26-00001"]),
        ({"search": "schools"}, ["GRF23-00001"]),
        ({"search": "GRF19-00001"}, ["GRF19-00001"]),
        ({"search": "resettlement -Nauru"}, ["GRF23-00002"]),
        ({"compact": "GCR", "country": "KE"}, ["GRF23-00001"]),
        ({"compact": "GCM", "support_type": "places"}, []),
    ],
)
def test_each_filter_selects_the_hand_counted_pledges_when_used(
    world: World, api_as: Callable[[str], APIClient], query: dict[str, Any], expected: list[str]
) -> None:
    assert refs(api_as("anonymous").get(URL, query)) == expected


def test_objective_id_filter_takes_the_objective_id_when_given(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    objective = Objective.objects.get(compact__code="GCR", number=3)

    assert refs(api_as("anonymous").get(URL, {"objective_id": objective.pk})) == ["GRF23-00002"]


def test_entity_filter_selects_submitted_and_co_pledged_pledges_when_given_an_entity(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    response = api_as("anonymous").get(URL, {"entity": str(world.entity_b.public_id)})

    # B submitted GRF23-00002 and co-pledges GRF23-00001 (accepted).
    assert refs(response) == ["GRF23-00002", "GRF23-00001"]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", []),
        ("partner", []),
        ("member_b", []),
        ("member_a", [DRAFT]),
        ("secretariat", [DRAFT]),
    ],
)
def test_filters_never_reveal_a_draft_when_an_outsider_filters_for_it(
    world: World, api_as: Callable[[str], APIClient], who: str, expected: list[str]
) -> None:
    client = api_as(who)

    for query in (
        {"review_state": "draft"},
        {"country": "NR"},
        {"region": "009"},
        {"search": "Nauru"},
        {"thematic_area": "solutions"},
        {"updated_since": "2025-03-15"},
        {"entity": str(world.entity_a.public_id), "support_type": "material"},
    ):
        assert refs(client.get(URL, query)) == expected, query


def test_unknown_parameter_answers_400_naming_it_and_the_known_ones(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    response = api_as("anonymous").get(URL, {"objectif": "GCM-23"})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    [message] = body["errors"]["objectif"]
    assert message.startswith("Unknown filter. Known ones: ")
    for name in ("compact", "objective", "search", "updated_since", "support_platform"):
        assert name in message


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"compact": "NOPE"}, "compact", "NOPE is not one of the available choices"),
        ({"objective": "GCM-99"}, "objective", "There is no objective “GCM-99”."),
        ({"objective": "banana"}, "objective", "“BANANA” is not an objective"),
        ({"objective": "23"}, "objective", "say which compact"),
        ({"compact": "GCR", "objective": "23"}, "objective", "no objective “23” in GCR"),
        ({"compact": "GCR", "objective": "GCM-23"}, "objective", "not an objective of the"),
        ({"objective_id": "999999"}, "objective_id", "not one of the available choices"),
        ({"forum": "GRF99"}, "forum", "not one of the available choices"),
        ({"entity": "not-a-uuid"}, "entity", "“not-a-uuid” is not a valid UUID."),
        ({"entity_type": "martian"}, "entity_type", "not one of the available choices"),
        ({"implementation_status": "overdue"}, "implementation_status", "not one of"),
        ({"review_state": "lost"}, "review_state", "not one of the available choices"),
        ({"country": "ZZ"}, "country", "ZZ is not one of the available choices"),
        ({"region": "999"}, "region", "not one of the available choices"),
        ({"support_platform": "NOPE"}, "support_platform", "not one of the available choices"),
        ({"thematic_area": "cooking"}, "thematic_area", "not one of the available choices"),
        ({"support_type": "hugs"}, "support_type", "not one of the available choices"),
        ({"updated_since": "yesterday"}, "updated_since", "Enter a valid date/time."),
        ({"search": "x" * 201}, "search", "at most 200 characters"),
        ({"ordering": "title"}, "ordering", "Order by one of: id, reference"),
        ({"ordering": "entity__name"}, "ordering", "Order by one of"),
    ],
)
def test_bad_filter_value_answers_400_with_a_message_on_its_parameter(
    world: World,
    api_as: Callable[[str], APIClient],
    query: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = api_as("anonymous").get(URL, query)

    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert message in " ".join(errors[field]), errors


# --------------------------------------------------------------------------------------------
# Ordering and cursor pagination
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("reference", ["GRF19-00001", "GRF23-00001", "GRF23-00002", "IMRF26-00001"]),
        ("-reference", ["IMRF26-00001", "GRF23-00002", "GRF23-00001", "GRF19-00001"]),
        ("updated_at", ["GRF19-00001", "GRF23-00001", "GRF23-00002", "IMRF26-00001"]),
        ("-updated_at", ["IMRF26-00001", "GRF23-00002", "GRF23-00001", "GRF19-00001"]),
        ("id", list(reversed(PUBLISHED))),
    ],
)
def test_list_is_ordered_by_the_requested_field_when_ordering_is_given(
    world: World, api_as: Callable[[str], APIClient], ordering: str, expected: list[str]
) -> None:
    assert refs(api_as("anonymous").get(URL, {"ordering": ordering})) == expected


@pytest.mark.parametrize("ordering", ["-id", "reference", "updated_at"])
def test_cursor_pages_stay_stable_when_pledges_are_added_between_pages(
    world: World,
    api_as: Callable[[str], APIClient],
    make_pledge: Callable[..., Pledge],
    ordering: str,
) -> None:
    client = api_as("anonymous")
    first = client.get(URL, {"page_size": 2, "ordering": ordering}).json()
    seen = [row["reference"] for row in first["results"]]
    # New pledges arrive while the client walks the pages, sorting before (new ids, or an old
    # reference) or after (fresh updated_at) the rows already read.
    make_pledge(forum="GRF19")
    make_pledge(forum="HLS19")
    url = first["next"]
    while url:
        body = client.get(url).json()
        seen += [row["reference"] for row in body["results"]]
        url = body["next"]

    originals = [r for r in seen if r in PUBLISHED]
    assert sorted(originals) == sorted(PUBLISHED)  # every original row, once
    assert len(seen) == len(set(seen))  # nothing twice


def test_page_size_is_honoured_up_to_500_when_given(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("anonymous")

    assert len(client.get(URL, {"page_size": 3}).json()["results"]) == 3
    assert len(client.get(URL, {"page_size": 500}).json()["results"]) == 4
    # Beyond the maximum: refused like a bad filter (tests/api/test_error_shape.py).
    assert client.get(URL, {"page_size": 100000}).status_code == 400
    assert set(client.get(URL).json()) == {"next", "previous", "results"}  # no count


# --------------------------------------------------------------------------------------------
# Conditional requests
# --------------------------------------------------------------------------------------------


def test_detail_answers_304_when_its_etag_is_sent_back_unchanged(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("partner")
    first = client.get(f"{URL}GRF23-00001/")

    again = client.get(f"{URL}GRF23-00001/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert first["Last-Modified"] == "Fri, 10 Jan 2025 12:00:00 GMT"


def test_detail_answers_200_with_a_new_etag_when_the_pledge_changed(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("anonymous")
    first = client.get(f"{URL}GRF23-00001/")
    Pledge.objects.filter(pk=world.p1.pk).update(title="Schools for all", version=2)

    again = client.get(f"{URL}GRF23-00001/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert again.json()["title"] == "Schools for all"


def test_list_answers_304_when_nothing_changed_and_200_when_a_row_changed(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("anonymous")
    first = client.get(URL, {"compact": "GCR"})

    assert client.get(URL, {"compact": "GCR"}, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    # A list's date cannot show rows that left it: no Last-Modified (issue 14, item 20).
    assert "Last-Modified" not in first
    PledgeTarget.objects.create(
        pledge=world.p2, metric="Apprentices", unit="persons", target_value=Decimal("40")
    )
    assert client.get(URL, {"compact": "GCR"}, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_member_gets_a_different_etag_than_the_public_when_contacts_differ(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    public = api_as("anonymous").get(f"{URL}GRF23-00001/")
    member = api_as("member_a").get(f"{URL}GRF23-00001/", HTTP_IF_NONE_MATCH=public["ETag"])

    assert member.status_code == 200
    assert member.json()["contact_name"] == "Amina Yusuf"


# --------------------------------------------------------------------------------------------
# Exports
# --------------------------------------------------------------------------------------------


def test_csv_export_has_every_visible_filtered_pledge_in_flat_columns(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    response = api_as("anonymous").get(URL, {"format": "csv", "compact": "GCR"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="pledges-')
    rows = csv_rows(response)
    assert [r["reference"] for r in rows] == ["GRF23-00002", "GRF19-00001", "GRF23-00001"]
    p1 = rows[2]
    assert p1["compact"] == "GCR"
    assert p1["forum"] == "GRF23"
    assert p1["objectives"] == "GCR-1; GCR-2"
    assert p1["beneficiary_countries"] == "KE; UG"
    assert p1["co_pledgers"] == world.entity_b.name
    assert (p1["amount"], p1["currency"]) == ("1000.00", "USD")
    assert p1["url"] == "http://testserver/api/v1/pledges/GRF23-00001/"
    assert rows[0]["support_platform"] == "MIRPS"
    assert "contact_email" not in p1


@pytest.mark.parametrize(("who", "has_draft"), [("member_b", False), ("member_a", True)])
def test_csv_export_includes_the_draft_only_when_its_member_exports(
    world: World, api_as: Callable[[str], APIClient], who: str, has_draft: bool
) -> None:
    rows = csv_rows(api_as(who).get(URL, {"format": "csv"}))

    assert (DRAFT in [r["reference"] for r in rows]) is has_draft
    assert len(rows) == 4 + has_draft


def test_xlsx_export_has_a_header_and_numbers_as_numbers(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    response = api_as("partner").get(URL, {"format": "xlsx", "country": "KE"})

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("reference", "id", "title")
    by_ref = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_ref) == {"IMRF26-00001", "GRF23-00001"}
    assert by_ref["GRF23-00001"]["amount"] == 1000
    assert by_ref["IMRF26-00001"]["objectives"] == "GCM-23"


def test_an_export_without_rows_still_has_its_header_line(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("anonymous")
    full = b"".join(client.get(URL, {"format": "csv"}).streaming_content).decode()

    response = client.get(URL, {"format": "csv", "country": "AF"})  # valid, but no pledge

    empty = b"".join(response.streaming_content).decode()
    assert empty.splitlines() == full.splitlines()[:1]  # the same columns, no rows


def test_export_refuses_bad_filters_like_the_list(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    response = api_as("anonymous").get(URL, {"format": "csv", "country": "ZZ"})

    assert response.status_code == 400


# --------------------------------------------------------------------------------------------
# Query caps
# --------------------------------------------------------------------------------------------


def add_pledges(template: Pledge, count: int) -> None:
    """`count` more published pledges shaped like `template` (objectives, countries, thematic
    areas, support types, a target, a co-pledger, a multistakeholder pledge joined, a need and
    an accepted match with the template), written in bulk."""
    rows = Pledge.objects.bulk_create(
        Pledge(
            reference=f"GRF23-{10000 + i:05d}",
            title=f"Pledge {i}",
            description="Bulk pledge.",
            compact_id=template.compact_id,
            forum_id=template.forum_id,
            entity_id=template.entity_id,
            review_state=ReviewState.PUBLISHED,
            published_at=template.published_at,
            submitted_at=template.submitted_at,
            support_platform_id=template.support_platform_id,
            amount=template.amount,
            currency_id=template.currency_id,
        )
        for i in range(count)
    )
    for relation, column in (
        ("objectives", "objective_id"),
        ("beneficiary_countries", "country_id"),
        ("thematic_areas", "thematicarea_id"),
        ("support_types", "supporttype_id"),
    ):
        through = getattr(Pledge, relation).through
        values = list(through.objects.filter(pledge=template).values_list(column, flat=True))
        through.objects.bulk_create(
            through(pledge=p, **{column: value}) for p in rows for value in values
        )
    PledgeTarget.objects.bulk_create(
        PledgeTarget(pledge=p, metric="People", unit="persons", target_value=Decimal(5))
        for p in rows
    )
    co_pledger = EntityFactory()
    PledgeParticipant.objects.bulk_create(
        PledgeParticipant(pledge=p, entity=co_pledger, status="accepted") for p in rows
    )
    msp = MultistakeholderPledge.objects.create(
        slug="bulk", title="Bulk MSP", compact_id=template.compact_id
    )
    now = timezone.now()
    MultistakeholderMembership.objects.bulk_create(
        MultistakeholderMembership(
            msp=msp, pledge=p, state="accepted", requested_at=now, decided_at=now
        )
        for p in rows
    )
    support_type = SupportType.objects.order_by("id").first()
    positions = SupportPosition.objects.bulk_create(
        SupportPosition(pledge=p, side="seeks", support_type=support_type) for p in rows
    )
    SupportPosition.countries.through.objects.bulk_create(
        SupportPosition.countries.through(supportposition=p, country_id="KE") for p in positions
    )
    Match.objects.bulk_create(
        Match(
            seeking=p,
            offering=template,
            state="accepted",
            seeking_decision="accepted",
            seeking_decided_at=now,
            offering_decision="accepted",
            offering_decided_at=now,
            closed_at=now,
        )
        for p in rows
    )
    # As autovacuum would soon after a bulk write: without statistics PostgreSQL takes each
    # never-analysed table for a few rows and nests the page's joins (the match list alone
    # probed the matches 63 million times: 400 s instead of 2).
    tables = [Pledge, Match, MultistakeholderMembership, PledgeParticipant, PledgeTarget]
    tables += [SupportPosition, SupportPosition.countries.through]
    tables += [getattr(Pledge, r).through for r in ("objectives", "beneficiary_countries")]
    tables += [getattr(Pledge, r).through for r in ("thematic_areas", "support_types")]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(t._meta.db_table for t in tables))


# Pledges, then one query per nested list (8); members and the secretariat add the API key,
# their permissions (2) and their memberships (1).
LIST_QUERIES = {"anonymous": 9, "partner": 13, "member_a": 13, "secretariat": 13}


@pytest.mark.parametrize("who", ["anonymous", "partner", "member_a", "secretariat"])
@pytest.mark.parametrize("count", [5, 500])
def test_list_runs_the_same_few_queries_when_a_page_has_5_or_500_pledges(
    world: World,
    api_as: Callable[[str], APIClient],
    django_assert_max_num_queries: DjangoAssertNumQueries,
    who: str,
    count: int,
) -> None:
    add_pledges(world.p1, count - 4)
    client = api_as(who)
    client.get(URL, {"page_size": 1})  # the key's last-use stamp is written once a minute

    with django_assert_max_num_queries(LIST_QUERIES[who]):
        response = client.get(URL, {"page_size": 500})

    results = response.json()["results"]
    assert len(results) >= count
    assert all(len(r["objectives"]) >= 1 for r in results)
    # The nested lists of other apps are read in the same statement, however many pledges.
    bulk = [r for r in results if r["title"].startswith("Pledge ")]
    assert len(bulk) == count - 4
    assert all(r["multistakeholder_pledges"][0]["slug"] == "bulk" for r in bulk)
    assert all(r["support"][0]["countries"] == ["KE"] for r in bulk)
    assert all(len(r["matches"]) == 1 for r in bulk)


@pytest.mark.parametrize("count", [5, 500])
def test_export_runs_the_same_few_queries_when_it_has_5_or_500_pledges(
    world: World,
    api_as: Callable[[str], APIClient],
    django_assert_max_num_queries: DjangoAssertNumQueries,
    count: int,
) -> None:
    add_pledges(world.p1, count - 4)
    client = api_as("anonymous")

    with django_assert_max_num_queries(LIST_QUERIES["anonymous"]):
        rows = csv_rows(client.get(URL, {"format": "csv"}))

    assert len(rows) == count


def test_detail_runs_a_fixed_number_of_queries_when_read(
    world: World,
    api_as: Callable[[str], APIClient],
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    with django_assert_max_num_queries(9):
        assert api_as("anonymous").get(f"{URL}GRF23-00001/").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"objective": "%s"},
        {"objective": "100%"},
        {"objective": "23%d"},
        {"compact": "GCR", "objective": "%(value)s"},
        {"country": "%s"},
        {"search": "100% %s"},
        {"entity": "%(x)s"},
    ],
)
def test_values_with_percent_signs_answer_400_or_200_never_500(
    world: World, api_as: Callable[[str], APIClient], query: dict[str, str]
) -> None:
    # Found by the contract test's fuzzing: a refused value with `%` in it broke the message.
    response = api_as("anonymous").get(URL, query)

    assert response.status_code in (200, 400)
    assert response.json()["status" if response.status_code == 400 else "results"] is not None


@pytest.mark.parametrize("url", [URL, "/api/v1/pledge-updates/", "/api/v1/entities/"])
def test_browsable_filter_form_never_lists_every_entity_or_pledge_when_rendered(
    world: World,
    api_as: Callable[[str], APIClient],
    django_assert_max_num_queries: DjangoAssertNumQueries,
    url: str,
) -> None:
    EntityFactory.create_batch(30)
    client = api_as("anonymous")

    # The HTML page also renders the write forms; its query count does not grow with the data.
    with django_assert_max_num_queries(60) as captured:
        response = client.get(url, HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    # The form's option lists read small reference tables only, never entities or pledges.
    listed = [q["sql"] for q in captured.captured_queries if "CURSOR FOR SELECT" in q["sql"]]
    assert not [sql for sql in listed if 'FROM "pledges_entity"' in sql], listed
    assert not [sql for sql in listed if 'FROM "pledges_pledge"' in sql], listed
