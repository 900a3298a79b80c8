"""Creating and editing pledges through the API: through the pledge services, codes resolved
with a message per field, refusals (401/403/404/400/412) that change nothing, and If-Match."""

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from compacts.models import Objective
from pledges.models import Entity, Pledge, ReviewState
from pledges.services import PledgeInput, create_pledge, transition_pledge
from tests.factories import GCM_DESCRIPTION

pytestmark = pytest.mark.django_db

URL = "/api/v1/pledges/"

VALID = {
    "title": "Include refugee children in national schools",
    "description": "We will enrol 10,000 refugee children in national schools by 2027.",
    "compact": "GCR",
    "forum": "GRF23",
    "objectives": [2],
    "thematic_areas": ["education"],
    "support_types": ["financial", "technical"],
    "beneficiary_countries": ["KE", "ug"],
    "start_date": "2024-01-01",
    "end_date": "2027-12-31",
    "amount": "250000.00",
    "currency": "usd",
    "contact_name": "Amina Yusuf",
    "contact_email": "amina@example.org",
    "targets": [
        {"metric": "Children enrolled", "unit": "persons", "target_value": "10000"},
    ],
}


@pytest.fixture
def own_draft(make_input: Callable[..., PledgeInput], member_a: User) -> Pledge:
    """A complete GCR draft of entity A, made through the service."""
    return create_pledge(data=make_input(), by=member_a)


@pytest.fixture
def published_a(own_draft: Pledge, member_a: User, secretariat: User) -> Pledge:
    transition_pledge(pledge=own_draft, action="submit", by=member_a)
    return transition_pledge(pledge=own_draft, action="publish", by=secretariat)


def snapshot(pledge: Pledge) -> tuple[Any, ...]:
    fresh = Pledge.objects.get(pk=pledge.pk)
    return (fresh.version, fresh.title, fresh.review_state, fresh.amount, fresh.updated_at)


# --------------------------------------------------------------------------------------------
# Create
# --------------------------------------------------------------------------------------------


def test_member_creates_a_draft_for_their_entity_when_the_data_is_valid(
    reference_data: None,
    entity_a: Entity,
    api_as: Callable[[str], APIClient],
) -> None:
    response = api_as("member_a").post(URL, VALID, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"] == "GRF23-00001"
    assert response["Location"] == body["url"]
    assert response["ETag"]
    assert body["review_state"] == "draft"
    assert body["entity"]["id"] == str(entity_a.public_id)
    assert [o["code"] for o in body["objectives"]] == ["GCR-2"]
    assert [c["code"] for c in body["beneficiary_countries"]] == ["KE", "UG"]
    assert [s["code"] for s in body["support_types"]] == ["financial", "technical"]
    assert (body["amount"], body["currency"]) == ("250000.00", "USD")
    assert body["targets"][0]["target_value"] == "10000.00"
    pledge = Pledge.objects.get(reference="GRF23-00001")
    assert pledge.created_by.email == "member-a@example.org"
    assert pledge.history.count() == 1  # one version, written by the service
    # What the POST answered is what a GET shows, ETag included.
    again = api_as("member_a").get(body["url"])
    assert again.json() == body
    assert again["ETag"] == response["ETag"]


def test_gcm_pledge_is_created_with_objective_numbers_actions_and_principles_when_given(
    reference_data: None, entity_a: Entity, api_as: Callable[[str], APIClient]
) -> None:
    data = {
        **VALID,
        "compact": "GCM",
        "forum": "IMRF26",
        "description": GCM_DESCRIPTION,
        "objectives": [23, "GCM-5"],
        "actions": ["23a", "23(c)", "GCM-23e"],
        "principles": [1, 2],
        "thematic_areas": [],
        "entity": str(entity_a.public_id),
    }

    response = api_as("member_a").post(URL, data, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert [o["code"] for o in body["objectives"]] == ["GCM-5", "GCM-23"]
    assert [a["code"] for a in body["actions"]] == ["GCM-23(a)", "GCM-23(c)", "GCM-23(e)"]
    assert [p["number"] for p in body["principles"]] == [1, 2]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"compact": "XYZ"}, "compact", "There is no compact “XYZ” (GCR or GCM)."),
        ({"forum": "NOPE"}, "forum", "There is no forum with the code “NOPE”."),
        ({"forum": "IMRF26"}, "forum", "is not a forum of the Global Compact on Refugees"),
        ({"objectives": [7]}, "objectives", "The GCR has no objective 7."),
        ({"objectives": ["GCM-23"]}, "objectives", "Objectives must belong to the GCR"),
        ({"objectives": ["twenty"]}, "objectives", "“twenty” is not an objective"),
        ({"actions": ["23a"]}, "actions", "There is no action “23a”."),
        ({"principles": [1]}, "principles", "The GCR has no guiding principle 1."),
        ({"currency": "XYZ"}, "currency", "“XYZ” is not an ISO 4217 currency code we know."),
        ({"beneficiary_countries": ["ZZ"]}, "beneficiary_countries", "“ZZ” is not an ISO 3166"),
        ({"thematic_areas": ["cooking"]}, "thematic_areas", "not a thematic area of the GCR"),
        ({"support_types": ["hugs"]}, "support_types", "There is no support type “hugs”."),
        ({"support_platform": "NOPE"}, "support_platform", "There is no support platform"),
        ({"currency": None}, "currency", "Choose the currency of the amount."),
        ({"amount": None}, "amount", "Enter the amount in USD, or clear the currency."),
        ({"amount": "-5"}, "amount", "The amount cannot be negative."),
        ({"amount": "1.234"}, "amount", "no more than 2 decimal places"),
        ({"end_date": "2023-01-01"}, "end_date", "cannot be before the start date"),
        ({"title": ""}, "title", "This field may not be blank."),
        ({"geography_scope": "cosmic"}, "geography_scope", "not a valid choice"),
        ({"contact_email": "nobody"}, "contact_email", "valid email address"),
        ({"targets": [{"metric": "x", "unit": "percent", "target_value": "150"}]}, "targets", ""),
        (
            {"entity": "00000000-0000-0000-0000-000000000000"},
            "entity",
            "There is no entity with the id",
        ),
    ],
)
def test_create_is_refused_with_a_message_on_the_field_when_a_value_is_invalid(
    reference_data: None,
    entity_a: Entity,
    api_as: Callable[[str], APIClient],
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    response = api_as("member_a").post(URL, {**VALID, **changes}, format="json")

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert message in " ".join(body["errors"][field]), body
    assert not Pledge.objects.exists()


def test_create_names_every_missing_required_field_when_the_body_is_empty(
    reference_data: None, entity_a: Entity, api_as: Callable[[str], APIClient]
) -> None:
    response = api_as("member_a").post(URL, {}, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"title", "compact", "forum"}


def test_create_reports_several_unknown_codes_at_once_when_several_are_wrong(
    reference_data: None, entity_a: Entity, api_as: Callable[[str], APIClient]
) -> None:
    data = {**VALID, "beneficiary_countries": ["KE", "ZZ", "QQ"], "currency": "XYZ"}

    errors = api_as("member_a").post(URL, data, format="json").json()["errors"]

    assert errors["beneficiary_countries"] == [
        "“ZZ” is not an ISO 3166 country code.",
        "“QQ” is not an ISO 3166 country code.",
    ]
    assert "currency" in errors


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 401), ("partner", 403), ("member_b", 403)]
)
def test_create_for_entity_a_is_refused_when_the_caller_does_not_act_for_it(
    reference_data: None,
    entity_a: Entity,
    member_b: User,
    api_as: Callable[[str], APIClient],
    who: str,
    status: int,
) -> None:
    response = api_as(who).post(URL, {**VALID, "entity": str(entity_a.public_id)}, format="json")

    assert response.status_code == status
    assert response.json()["status"] == status
    assert not Pledge.objects.exists()


def test_partner_without_an_entity_is_refused_when_naming_none(
    reference_data: None, api_as: Callable[[str], APIClient]
) -> None:
    response = api_as("partner").post(URL, VALID, format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == "You can create pledges only for entities you act for."


def test_secretariat_must_name_the_entity_when_creating(
    reference_data: None, entity_a: Entity, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("secretariat")

    missing = client.post(URL, VALID, format="json")
    named = client.post(URL, {**VALID, "entity": str(entity_a.public_id)}, format="json")

    assert missing.status_code == 400
    assert missing.json()["errors"]["entity"] == [
        "Say which entity this pledge is for: give its id."
    ]
    assert named.status_code == 201


# --------------------------------------------------------------------------------------------
# Update
# --------------------------------------------------------------------------------------------


def test_put_replaces_the_draft_when_if_match_is_current(
    own_draft: Pledge, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("member_a")
    url = f"{URL}{own_draft.reference}/"
    etag = client.get(url)["ETag"]

    response = client.put(
        url, {**VALID, "title": "Schools for all"}, format="json", HTTP_IF_MATCH=etag
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Schools for all"
    assert body["version"] == own_draft.version + 1
    assert response["ETag"] != etag
    assert client.get(url)["ETag"] == response["ETag"]


@pytest.mark.parametrize("method", ["put", "patch"])
def test_write_is_refused_with_428_and_changes_nothing_when_if_match_is_missing(
    own_draft: Pledge, api_as: Callable[[str], APIClient], method: str
) -> None:
    before = snapshot(own_draft)

    response = getattr(api_as("member_a"), method)(
        f"{URL}{own_draft.reference}/", {**VALID, "title": "Blind write"}, format="json"
    )

    assert response.status_code == 428
    assert response.json()["code"] == "precondition_required"
    assert "If-Match" in response.json()["detail"]
    assert snapshot(own_draft) == before


def test_put_is_refused_with_412_and_changes_nothing_when_if_match_is_stale(
    own_draft: Pledge, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("member_a")
    url = f"{URL}{own_draft.reference}/"
    stale = client.get(url)["ETag"]
    client.patch(url, {"title": "Somebody else's change"}, format="json", HTTP_IF_MATCH="*")
    before = snapshot(own_draft)

    response = client.put(url, {**VALID, "title": "Mine"}, format="json", HTTP_IF_MATCH=stale)

    assert response.status_code == 412
    assert response.json()["code"] == "precondition_failed"
    assert snapshot(own_draft) == before


def test_patch_is_refused_with_412_when_the_version_sent_is_stale(
    own_draft: Pledge, api_as: Callable[[str], APIClient]
) -> None:
    before = snapshot(own_draft)

    response = api_as("member_a").patch(
        f"{URL}{own_draft.reference}/",
        {"title": "Mine", "version": own_draft.version - 1},
        format="json",
        HTTP_IF_MATCH="*",
    )

    assert response.status_code == 412
    assert "Somebody else changed this pledge" in response.json()["detail"]
    assert snapshot(own_draft) == before


def test_patch_changes_only_the_fields_sent_when_partial(
    own_draft: Pledge, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("member_a")
    url = f"{URL}{own_draft.reference}/"
    before = client.get(url).json()

    response = client.patch(
        url, {"amount": "500.00", "currency": "EUR"}, format="json", HTTP_IF_MATCH="*"
    )

    assert response.status_code == 200, response.content
    after = response.json()
    assert (after["amount"], after["currency"]) == ("500.00", "EUR")
    for unchanged in ("title", "objectives", "beneficiary_countries", "forum", "targets"):
        assert after[unchanged] == before[unchanged]


def test_patch_replaces_a_list_and_resolves_numbers_in_the_pledges_compact(
    own_draft: Pledge, api_as: Callable[[str], APIClient]
) -> None:
    response = api_as("member_a").patch(
        f"{URL}{own_draft.reference}/", {"objectives": [1, 4]}, format="json", HTTP_IF_MATCH="*"
    )

    assert response.status_code == 200, response.content
    assert [o["code"] for o in response.json()["objectives"]] == ["GCR-1", "GCR-4"]
    assert set(own_draft.objectives.values_list("number", flat=True)) == {1, 4}


def test_patch_keeps_targets_when_left_out_and_updates_them_by_id(
    own_draft: Pledge, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("member_a")
    url = f"{URL}{own_draft.reference}/"
    created = client.patch(
        url,
        {"targets": [{"metric": "Places", "unit": "places", "target_value": "10"}]},
        format="json",
        HTTP_IF_MATCH="*",
    ).json()["targets"]
    [target] = created

    kept = client.patch(url, {"title": "Renamed"}, format="json", HTTP_IF_MATCH="*").json()[
        "targets"
    ]
    changed = client.patch(
        url,
        {"targets": [{**target, "target_value": "25"}]},
        format="json",
        HTTP_IF_MATCH="*",
    ).json()["targets"]

    assert kept == created
    assert changed == [{**target, "target_value": "25.00"}]


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 401), ("partner", 404), ("member_b", 404)]
)
def test_draft_of_a_cannot_be_edited_when_an_outsider_tries(
    own_draft: Pledge, api_as: Callable[[str], APIClient], who: str, status: int
) -> None:
    before = snapshot(own_draft)

    response = api_as(who).patch(
        f"{URL}{own_draft.reference}/", {"title": "Hijacked"}, format="json", HTTP_IF_MATCH="*"
    )

    # Anonymous callers are asked to authenticate first; others cannot see the draft at all.
    assert response.status_code == status
    assert snapshot(own_draft) == before


@pytest.mark.parametrize("who", ["partner", "member_b"])
def test_published_pledge_of_a_cannot_be_edited_when_an_outsider_tries(
    published_a: Pledge, api_as: Callable[[str], APIClient], who: str
) -> None:
    before = snapshot(published_a)

    response = api_as(who).patch(
        f"{URL}{published_a.reference}/", {"title": "Hijacked"}, format="json", HTTP_IF_MATCH="*"
    )

    assert response.status_code == 403
    assert response.json()["detail"] == "You cannot edit this pledge now."
    assert snapshot(published_a) == before


def test_member_cannot_edit_a_pledge_under_review_but_the_secretariat_can(
    own_draft: Pledge, member_a: User, api_as: Callable[[str], APIClient]
) -> None:
    transition_pledge(pledge=own_draft, action="submit", by=member_a)
    url = f"{URL}{own_draft.reference}/"

    refused = api_as("member_a").patch(
        url, {"title": "Late change"}, format="json", HTTP_IF_MATCH="*"
    )
    corrected = api_as("secretariat").patch(
        url, {"title": "Corrected title"}, format="json", HTTP_IF_MATCH="*"
    )

    assert refused.status_code == 403
    assert corrected.status_code == 200
    assert corrected.json()["title"] == "Corrected title"


def test_edit_of_a_pledge_under_review_is_checked_in_full_when_it_would_be_incomplete(
    own_draft: Pledge, member_a: User, api_as: Callable[[str], APIClient]
) -> None:
    transition_pledge(pledge=own_draft, action="submit", by=member_a)

    response = api_as("secretariat").patch(
        f"{URL}{own_draft.reference}/", {"objectives": []}, format="json", HTTP_IF_MATCH="*"
    )

    assert response.status_code == 400
    assert response.json()["errors"]["objectives"] == ["Choose at least one objective."]


def test_submitting_entity_cannot_change_when_another_entity_is_sent(
    own_draft: Pledge, entity_b: Entity, api_as: Callable[[str], APIClient]
) -> None:
    response = api_as("member_a").patch(
        f"{URL}{own_draft.reference}/",
        {"entity": str(entity_b.public_id)},
        format="json",
        HTTP_IF_MATCH="*",
    )

    assert response.status_code == 400
    assert response.json()["errors"]["entity"] == [
        "The submitting entity of a pledge cannot change."
    ]


def test_compact_change_is_refused_when_the_objectives_stay_in_the_old_compact(
    own_draft: Pledge, api_as: Callable[[str], APIClient]
) -> None:
    response = api_as("member_a").patch(
        f"{URL}{own_draft.reference}/",
        {"compact": "GCM", "forum": "IMRF26"},
        format="json",
        HTTP_IF_MATCH="*",
    )

    assert response.status_code == 400
    assert "Objectives must belong to the GCM" in response.json()["errors"]["objectives"][0]
    assert own_draft.objectives.get() == Objective.objects.get(compact__code="GCR", number=2)


def test_pledges_cannot_be_deleted_through_the_api(
    own_draft: Pledge, api_as: Callable[[str], APIClient]
) -> None:
    response = api_as("secretariat").delete(f"{URL}{own_draft.reference}/")

    assert response.status_code == 405
    assert Pledge.objects.filter(pk=own_draft.pk, review_state=ReviewState.DRAFT).exists()
