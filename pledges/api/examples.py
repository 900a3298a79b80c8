"""Request and response examples for the OpenAPI document of the pledge resources.

Kept apart from the views so that the views stay readable; every value is what the API really
sends for the demo data (shortened where a list would be long)."""

from collections.abc import Sequence

from drf_spectacular.utils import OpenApiExample

HOST = "https://pledges.example.org"
REF = "GRF23-00042"

ENTITY_REF = {
    "id": "5f0c7a57-3f3e-4c52-9d8e-2f7a1c0b9e11",
    "name": "Norwegian Refugee Council",
    "acronym": "NRC",
    "entity_type": "ngo",
    "url": f"{HOST}/api/v1/entities/5f0c7a57-3f3e-4c52-9d8e-2f7a1c0b9e11/",
}

PLEDGE = {
    "url": f"{HOST}/api/v1/pledges/{REF}/",
    "reference": REF,
    "id": "0b6f1a51-93a4-4f3c-b3a8-8a9c1d0e4f21",
    "title": "Include refugee children in national schools",
    "description": "We will enrol 10,000 refugee children in national schools by 2027.",
    "language": "en",
    "translations": [
        {
            "language": "fr",
            "title": "Scolariser les enfants réfugiés dans les écoles nationales",
            "description": "Nous scolariserons 10 000 enfants réfugiés dans les écoles "
            "nationales d'ici 2027.",
        }
    ],
    "compact": {
        "code": "GCR",
        "name": "Global Compact on Refugees",
        "url": f"{HOST}/api/v1/compacts/GCR/",
    },
    "forum": {
        "code": "GRF23",
        "name": "Global Refugee Forum 2023",
        "url": f"{HOST}/api/v1/forums/GRF23/",
    },
    "entity": ENTITY_REF,
    "co_pledgers": [],
    "objectives": [
        {
            "id": 2,
            "code": "GCR-2",
            "number": 2,
            "short_label": "Self-reliance",
            "url": f"{HOST}/api/v1/objectives/2/",
        }
    ],
    "actions": [],
    "principles": [],
    "thematic_areas": [{"slug": "education", "name": "Education"}],
    "support_types": [{"code": "financial", "name": "Financial"}],
    "geography_scope": "national",
    "beneficiary_countries": [{"code": "KE", "name": "Kenya"}],
    "support_platform": None,
    "start_date": "2024-01-01",
    "end_date": "2027-12-31",
    "amount": "250000.00",
    "currency": "USD",
    "announced_on": "2023-12-13",
    "targets": [
        {
            "id": 7,
            "metric": "Refugee children enrolled",
            "unit": "persons",
            "baseline": "0.00",
            "target_value": "10000.00",
            "due_date": "2027-12-31",
        }
    ],
    "review_state": "published",
    "implementation_status": "in_progress",
    "last_update_on": "2025-06-30",
    "submitted_at": "2023-12-01T09:12:44Z",
    "published_at": "2023-12-14T16:02:10Z",
    "created_at": "2023-11-28T10:00:00Z",
    "updated_at": "2025-07-02T08:30:00Z",
    "version": 6,
    "contact_name": None,
    "contact_email": None,
    "updates_url": f"{HOST}/api/v1/pledge-updates/?pledge={REF}",
}

DRAFT = {
    **PLEDGE,
    "review_state": "draft",
    "implementation_status": "",
    "last_update_on": None,
    "submitted_at": None,
    "published_at": None,
    "version": 1,
    "contact_name": "Amina Yusuf",
    "contact_email": "amina.yusuf@example.org",
}

PLEDGE_WRITE = {
    "title": "Include refugee children in national schools",
    "description": "We will enrol 10,000 refugee children in national schools by 2027.",
    "language": "en",
    "compact": "GCR",
    "forum": "GRF23",
    "objectives": [2],
    "thematic_areas": ["education"],
    "support_types": ["financial"],
    "geography_scope": "national",
    "beneficiary_countries": ["KE"],
    "start_date": "2024-01-01",
    "end_date": "2027-12-31",
    "amount": "250000.00",
    "currency": "USD",
    "contact_name": "Amina Yusuf",
    "contact_email": "amina.yusuf@example.org",
    "targets": [
        {
            "metric": "Refugee children enrolled",
            "unit": "persons",
            "baseline": "0",
            "target_value": "10000",
            "due_date": "2027-12-31",
        }
    ],
}

UPDATE = {
    "url": f"{HOST}/api/v1/pledge-updates/9d7e2c1a-6b0f-4f0e-8a1d-3c5b7e9f1a2b/",
    "id": "9d7e2c1a-6b0f-4f0e-8a1d-3c5b7e9f1a2b",
    "pledge": {
        "reference": REF,
        "title": "Include refugee children in national schools",
        "url": f"{HOST}/api/v1/pledges/{REF}/",
    },
    "status": "in_progress",
    "reported_on": "2025-06-30",
    "narrative": "4,200 children enrolled in 38 schools; teacher training under way.",
    "challenges": "Transport to schools in remote settlements.",
    "evidence_links": ["https://example.org/report-2025.pdf"],
    "disbursed_amount": "120000.00",
    "currency": "USD",
    "actuals": [
        {"target": 7, "metric": "Refugee children enrolled", "unit": "persons", "value": "4200.00"}
    ],
    "review_state": "pending",
    "reviewed_at": None,
    "review_note": "",
    "created_at": "2025-07-01T10:00:00Z",
    "updated_at": "2025-07-01T10:00:00Z",
}

UPDATE_WRITE = {
    "pledge": REF,
    "status": "in_progress",
    "reported_on": "2025-06-30",
    "narrative": "4,200 children enrolled in 38 schools; teacher training under way.",
    "challenges": "Transport to schools in remote settlements.",
    "evidence_links": ["https://example.org/report-2025.pdf"],
    "disbursed_amount": "120000.00",
    "actuals": [{"target": 7, "value": "4200"}],
}

ENTITY = {
    "url": ENTITY_REF["url"],
    "id": ENTITY_REF["id"],
    "name": "Norwegian Refugee Council",
    "acronym": "NRC",
    "entity_type": {"code": "ngo", "name": "Local or national NGO / civil society"},
    "country": {"code": "NO", "name": "Norway"},
    "website": "https://www.nrc.no/",
    "description": "",
    "is_verified": True,
    "verified_at": "2023-01-10T09:00:00Z",
    "created_at": "2023-01-09T15:30:00Z",
    "updated_at": "2023-01-10T09:00:00Z",
    "pledges_url": f"{HOST}/api/v1/pledges/?entity={ENTITY_REF['id']}",
}


def page(*results: dict) -> dict:
    """A page of a cursor-paginated list."""
    return {
        "next": f"{HOST}/api/v1/…/?cursor=cD0xMjM0",
        "previous": None,
        "results": list(results),
    }


def error(status: int, code: str, detail: str, errors: dict | None = None) -> dict:
    return {"status": status, "code": code, "detail": detail, "errors": errors or {}}


INVALID = error(
    400,
    "invalid",
    "Some of the data is invalid; see the errors per field.",
    {
        "objectives": ["Objectives must belong to the GCM: GCR 1. Ease pressures on hosts."],
        "currency": ["“XYZ” is not an ISO 4217 currency code we know."],
    },
)
CONFLICT = error(
    409,
    "conflict",
    "Pledge GRF23-00042 is published, so “Submit for review” is not possible now.",
)
STALE = error(
    412,
    "precondition_failed",
    "This resource changed since you read it (If-Match failed). GET it again, re-apply your "
    "change and retry.",
)
FORBIDDEN = error(403, "permission_denied", "You cannot edit this pledge now.")
NOT_FOUND = error(404, "not_found", "No Pledge matches the given query.")
REASON_MISSING = error(
    400,
    "invalid",
    "Some of the data is invalid; see the errors per field.",
    {"reason": ["Give a reason: the submitter will see it."]},
)


def example(
    name: str,
    value: object,
    *,
    request_only: bool = False,
    response_only: bool = False,
    status_codes: Sequence[str] | None = None,
) -> OpenApiExample:
    return OpenApiExample(
        name,
        value=value,
        request_only=request_only,
        response_only=response_only,
        status_codes=status_codes,
    )


def errors_for(*statuses: int) -> list[OpenApiExample]:
    """Response examples of the error shape for the given statuses."""
    known = {
        400: ("Invalid data", INVALID),
        403: ("Not allowed", FORBIDDEN),
        404: ("Not found (or not visible to you)", NOT_FOUND),
        409: ("Not possible in this state", CONFLICT),
        412: ("Stale If-Match", STALE),
    }
    return [
        OpenApiExample(known[s][0], value=known[s][1], response_only=True, status_codes=[str(s)])
        for s in statuses
    ]
