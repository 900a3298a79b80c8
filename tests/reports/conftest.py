"""A small, hand-built GCR data set for the secretariat reports, seen on 23 November 2026.

With 6-month reporting cycles, "today" is in the cycle that began on 1 July 2026, so the report
counts news since 1 January 2026 by default, and a pledge is overdue when nothing was approved
after 23 November 2025.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from compacts.models import Compact, ThematicArea
from forums.models import Forum, ForumKind
from pledges.models import (
    Entity,
    MembershipRole,
    Pledge,
    PledgeUpdate,
    ReviewState,
    UpdateReviewState,
)
from tests.factories import (
    CompactFactory,
    EntityFactory,
    ForumFactory,
    MembershipFactory,
    PledgeRows,
    PledgeUpdateFactory,
    ThematicAreaFactory,
    UserFactory,
)

TODAY = dt.date(2026, 11, 23)
DEFAULT_SINCE = dt.date(2026, 1, 1)
CUTOFF = dt.date(2025, 11, 23)


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


@pytest.fixture
def today(time_machine: Any) -> dt.date:
    """Freeze the clock at noon UTC on TODAY."""
    time_machine.move_to(at(TODAY), tick=False)
    return TODAY


@pytest.fixture
def gcr(db: None) -> Compact:
    return CompactFactory(code="GCR", name="Global Compact on Refugees")


@pytest.fixture
def gcm(db: None) -> Compact:
    return CompactFactory(code="GCM", name="Global Compact for Migration")


@pytest.fixture
def grf23(gcr: Compact) -> Forum:
    return ForumFactory(compact=gcr, code="GRF23", name="Global Refugee Forum 2023", year=2023)


@pytest.fixture
def grf19(gcr: Compact) -> Forum:
    return ForumFactory(
        compact=gcr,
        code="GRF19",
        name="Global Refugee Forum 2019",
        year=2019,
        start_date=dt.date(2019, 12, 16),
        end_date=dt.date(2019, 12, 18),
    )


@pytest.fixture
def imrf22(gcm: Compact) -> Forum:
    return ForumFactory(
        compact=gcm,
        kind=ForumKind.IMRF,
        code="IMRF22",
        name="International Migration Review Forum 2022",
        year=2022,
        start_date=dt.date(2022, 5, 17),
        end_date=dt.date(2022, 5, 20),
    )


@pytest.fixture
def make_pledge(reference_data: None, grf23: Forum) -> Callable[..., Pledge]:
    """tests/factories.py's PledgeRows as the reports need it: a published pledge at GRF 2023
    (unless `review_state` and `forum` say otherwise) with the given latest approved status and
    date (`status`, `last`), publication day and thematic areas, and no beneficiary country."""
    rows = PledgeRows()

    def build(
        *,
        status: str = "",
        last: dt.date | None = None,
        published: dt.date = dt.date(2024, 1, 15),
        forum: Forum | None = None,
        themes: tuple[ThematicArea, ...] = (),
        review_state: str = ReviewState.PUBLISHED,
        **fields: Any,
    ) -> Pledge:
        return rows(
            forum=(forum or grf23).code,
            state=review_state,
            status=status,
            last_update_on=last,
            published_at=at(published),
            countries=(),
            thematic_areas=[theme.slug for theme in themes],
            **fields,
        )

    return build


def approve(pledge: Pledge, *, status: str, reported: dt.date, approved: dt.date) -> PledgeUpdate:
    return PledgeUpdateFactory(
        pledge=pledge,
        status=status,
        reported_on=reported,
        review_state=UpdateReviewState.APPROVED,
        reviewed_at=at(approved),
    )


@pytest.fixture
def focal_entity(db: None) -> Entity:
    """An entity whose pledges name no contact, with a focal point and an editor."""
    entity = EntityFactory(name="Refugee Council")
    MembershipFactory(
        entity=entity, user=UserFactory(email="editor@council.example", full_name="Eddie Tor")
    )
    MembershipFactory(
        entity=entity,
        role=MembershipRole.FOCAL_POINT,
        user=UserFactory(email="focal@council.example", full_name="Fay Cal"),
    )
    return entity


@pytest.fixture
def dataset(
    make_pledge: Callable[..., Pledge],
    grf19: Forum,
    imrf22: Forum,
    gcr: Compact,
    focal_entity: Entity,
) -> dict[str, Any]:
    """Eight published GCR pledges (six at GRF23, two at GRF19), one draft and one GCM pledge.

    | pledge | forum | status (latest approved) | last approved | published | overdue |
    |---|---|---|---|---|---|
    | p1 | GRF23 | in progress | 2026-03-01 | 2024-01-15 | no |
    | p2 | GRF23 | none (an update is pending) | never | 2024-01-15 | yes: from publication |
    | p3 | GRF23 | fulfilled | 2024-02-01 | 2024-01-15 | no: closed |
    | p4 | GRF23 | planning | 2025-06-30 | 2024-01-15 | yes |
    | p5 | GRF23 | none | never | 2026-02-10 | no: published recently |
    | p6 | GRF23 | discontinued | 2023-12-20 | 2023-12-15 | no: closed |
    | p7 | GRF19 | in progress | 2025-11-23 (= cut-off) | 2020-01-10 | no |
    | p8 | GRF19 | in progress | 2025-11-22 (a day before) | 2020-01-10 | yes |
    """
    education = ThematicAreaFactory(compact=gcr, slug="education", name="Education")
    health = ThematicAreaFactory(compact=gcr, slug="health", name="Health")
    jobs = ThematicAreaFactory(compact=gcr, slug="jobs", name="Jobs and livelihoods")
    p = {
        "p1": make_pledge(
            status="in_progress", last=dt.date(2026, 3, 1), themes=(education, health)
        ),
        "p2": make_pledge(entity=focal_entity, themes=(education,)),
        "p3": make_pledge(status="fulfilled", last=dt.date(2024, 2, 1), themes=(jobs,)),
        "p4": make_pledge(
            status="planning",
            last=dt.date(2025, 6, 30),
            contact_name="Pat Lee",
            contact_email="pat@example.org",
        ),
        "p5": make_pledge(published=dt.date(2026, 2, 10), themes=(education,)),
        "p6": make_pledge(
            status="discontinued", last=dt.date(2023, 12, 20), published=dt.date(2023, 12, 15)
        ),
        "p7": make_pledge(
            forum=grf19, status="in_progress", last=CUTOFF, published=dt.date(2020, 1, 10)
        ),
        "p8": make_pledge(
            forum=grf19,
            status="in_progress",
            last=CUTOFF - dt.timedelta(days=1),
            published=dt.date(2020, 1, 10),
        ),
        "draft": make_pledge(review_state=ReviewState.DRAFT, themes=(education,)),
        "gcm": make_pledge(forum=imrf22, published=dt.date(2026, 3, 1)),
    }
    # Approved updates: two since 1 January 2026 (p1, p7), one before (p4).
    approve(
        p["p1"], status="in_progress", reported=dt.date(2026, 3, 1), approved=dt.date(2026, 3, 5)
    )
    approve(p["p4"], status="planning", reported=dt.date(2025, 6, 30), approved=dt.date(2025, 7, 2))
    approve(p["p7"], status="in_progress", reported=CUTOFF, approved=dt.date(2026, 1, 3))
    # Waiting for review: neither makes p2 up to date nor counts as approved.
    PledgeUpdateFactory(pledge=p["p2"], status="in_progress", reported_on=dt.date(2026, 10, 1))
    PledgeUpdateFactory(pledge=p["gcm"], status="in_progress", reported_on=dt.date(2026, 10, 1))
    return {**p, "education": education, "health": health, "jobs": jobs}


@pytest.fixture
def secretariat_client(client: Client, secretariat: Any) -> Client:
    client.force_login(secretariat)
    return client
