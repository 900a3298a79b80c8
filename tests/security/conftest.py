"""Fixtures of the security tests: people who can log in through allauth's real form."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import ApiKey, User
from accounts.services import create_api_key
from compacts.models import GuidingPrinciple, Objective
from forums.models import Forum, ReportingRound
from indicators.models import ProgressSnapshot, SliceKind
from pledges.models import (
    Entity,
    LinkKind,
    Membership,
    MembershipStatus,
    Pledge,
    PledgeLink,
    PledgeParticipant,
    PledgeTranslation,
    ReviewState,
    UpdateReviewState,
)
from tests.factories import (
    EntityFactory,
    ExchangeRateFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    PledgeRows,
    PledgeUpdateFactory,
    UserFactory,
)

PASSWORD = "test-pass-2026"  # tests/factories.py gives every UserFactory user this password


@pytest.fixture
def confirmed_user(db: None) -> Callable[[str], User]:
    """`confirmed_user(email)`: a user whose address is confirmed, so the login form lets them in
    with `PASSWORD`."""

    def make(email: str) -> User:
        user = UserFactory(email=email)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user

    return make


ROLES = ["anonymous", "partner", "member_a", "member_b", "secretariat", "admin"]


@dataclass
class World:
    """One object of every kind the routes address, owned by entity A unless named otherwise.

    `targets` maps the object names used in the permission matrix (docs/security.md) to the URL
    keyword arguments that address them, by reference, UUID or id."""

    users: dict[str, Any]
    keys: dict[str, str]
    targets: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Request bodies named by `body=…` in the matrix: complete enough that only the permission
    # check can refuse them (an empty body would often be refused as invalid first).
    payloads: dict[str, dict[str, Any]] = field(default_factory=dict)


@pytest.fixture
def world(
    reference_data: None,
    member_a: User,
    entity_a: Entity,
    member_b: User,
    secretariat: User,
    site_admin: User,
) -> World:
    partner = UserFactory(email="partner@example.org")  # a program's user: acts for no entity
    entity_b = member_b.memberships.get().entity
    entity_c = EntityFactory(name="Entity C")
    unverified = EntityFactory(name="Ministry claimed by nobody yet", is_verified=False)
    objective = Objective.objects.get(compact__code="GCR", number=1)
    rows = PledgeRows(first=90001)  # clear of the references the services hand out

    def pledge(state: str, entity: Entity = entity_a, **fields: Any) -> Pledge:
        return rows(
            state=state,
            entity=entity,
            countries=(),
            published_at=dt.datetime(2024, 1, 15, tzinfo=dt.UTC),
            submitted_at=None if state == ReviewState.DRAFT else timezone.now(),
            **fields,
        )

    draft = pledge(ReviewState.DRAFT, title="A's confidential draft")
    submitted = pledge(ReviewState.SUBMITTED, title="A's submitted pledge")
    published = pledge(ReviewState.PUBLISHED, title="A's published pledge")
    other = pledge(ReviewState.PUBLISHED, entity=entity_c, title="C's published pledge")
    pending = PledgeUpdateFactory(pledge=published, submitted_by=member_a)
    approved = PledgeUpdateFactory(
        pledge=published, submitted_by=member_a, review_state=UpdateReviewState.APPROVED
    )
    for translated in (draft, published):  # a French translation to open, change and remove
        PledgeTranslation.objects.create(
            pledge=translated, language="fr", title="Titre en français", description="Texte."
        )
    invitation_b = PledgeParticipant.objects.create(pledge=published, entity=entity_b)
    invitation_c = PledgeParticipant.objects.create(pledge=draft, entity=entity_c)
    link = PledgeLink.objects.create(source=published, target=other, kind=LinkKind.MATCHES)
    # Open whatever the day the matrix runs (rounds open and close by their dates).
    round_ = ReportingRound.objects.create(
        compact=published.compact,
        title="Reporting round",
        opens_on=dt.date(2020, 1, 1),
        closes_on=dt.date(2099, 12, 31),
    )
    join_request = Membership.objects.create(
        user=UserFactory(email="applicant@example.org"),
        entity=entity_a,
        status=MembershipStatus.PENDING,
    )
    indicator = IndicatorFactory(objective=objective, code="1.1.1")
    value = IndicatorValueFactory(indicator=indicator, year=2023)
    rate = ExchangeRateFactory()
    snapshot = ProgressSnapshot.objects.create(
        objective=objective,
        slice_kind=SliceKind.OVERALL,
        date=dt.date(2024, 1, 1),
        computed_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        figures={"pledges": 1},
    )
    users = {
        "partner": partner,
        "member_a": member_a,
        "member_b": member_b,
        "secretariat": secretariat,
        "admin": site_admin,
    }
    keys = {
        role: create_api_key(user=user, name=f"{role}'s program")[1] for role, user in users.items()
    }
    key_a = ApiKey.objects.get(user=member_a)
    return World(
        users=users,
        keys=keys,
        targets={
            "-": {},
            "A-draft": {"reference": draft.reference},
            "A-submitted": {"reference": submitted.reference},
            "A-published": {"reference": published.reference},
            "A-update-pending": {"pk": pending.pk, "id": pending.public_id},
            "A-update-approved": {"pk": approved.pk, "id": approved.public_id},
            "invitation-B": {"pk": invitation_b.pk},
            "invitation-C-on-A-draft": {"pk": invitation_c.pk},
            "A-link": {"pk": link.pk},
            "A-join-request": {"pk": join_request.pk},
            "A-key": {"pk": key_a.pk},
            "entity-A": {"public_id": entity_a.public_id},
            "entity-unverified": {"public_id": unverified.public_id},
            "compact": {"code": "GCR"},
            "objective": {"compact": "GCR", "number": 1, "pk": objective.pk},
            "principle": {"pk": GuidingPrinciple.objects.order_by("pk").first().pk},
            "forum": {"code": "GRF23"},
            "round": {"pk": round_.pk},
            "indicator": {"pk": indicator.pk},
            "indicator-value": {"pk": value.pk},
            "exchange-rate": {"pk": rate.pk},
            "progress": {"pk": snapshot.pk},
            "email-key": {"key": "not-a-real-key"},
            "reset-key": {"uidb36": "1", "key": "not-a-real-key"},
        },
        payloads={
            "link": {"reference": other.reference, "kind": LinkKind.MATCHES},
            "accept": {"response": "accept"},
            "reaffirm": {"forum": Forum.objects.get(code="PR25").pk},
            "round": {
                "title": "A round by whoever could",
                "compact": published.compact_id,
                "opens_on": "2026-01-01",
                "closes_on": "2026-12-31",
            },
            "rename": {"title": "Renamed by whoever could"},
            "update": {
                "status": "in_progress",
                "narrative": "Enrolment started in three counties.",
                "reported_on": "2024-06-30",
            },
            "update-on-A": {
                "pledge": published.reference,
                "status": "in_progress",
                "narrative": "Enrolment started in three counties.",
                "reported_on": "2024-06-30",
            },
            "pledge-for-A": {
                "title": "A pledge in entity A's name",
                "description": "Written by whoever could.",
                "compact": "GCR",
                "forum": "GRF23",
                "objectives": [1],
                "entity": str(entity_a.public_id),
            },
        },
    )
