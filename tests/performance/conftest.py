"""Pledges with every kind of related row, for the query-count guards: a page or a detail must
cost the same number of queries whatever the number of pledges or of rows hanging off them."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from compacts.models import Compact, Objective, ThematicArea
from indicators import engine
from pledges.models import (
    EntityType,
    ParticipantRole,
    ParticipantStatus,
    Pledge,
    PledgeParticipant,
    SupportType,
    UpdateReviewState,
)
from tests.caching import clear_run_cache
from tests.factories import (
    EntityFactory,
    PledgeRows,
    PledgeTargetFactory,
    PledgeUpdateFactory,
)

COUNTRIES = ("KE", "UG", "ET", "SD", "TZ", "RW", "CD", "SO")


@pytest.fixture
def add_pledges(reference_data: None) -> Callable[..., list[Pledge]]:
    """`add_pledges(n, related=k)`: n published GCR pledges in progress, each with k targets, k
    approved updates, k accepted co-pledgers, and several objectives, countries, thematic areas
    and support types."""
    rows = PledgeRows()
    areas = [area.slug for area in ThematicArea.objects.all()[:2]]
    support = [kind.code for kind in SupportType.objects.all()[:2]]
    ngo = EntityType.objects.get(code="ngo")

    def build(count: int, *, related: int = 2) -> list[Pledge]:
        pledges = []
        for _ in range(count):
            pledge = rows(
                objectives=(1, 2, 3),
                countries=COUNTRIES,
                thematic_areas=areas,
                support_types=support,
                status="in_progress",
                amount=Decimal("1000"),
                currency_id="USD",
            )
            for k in range(related):
                PledgeTargetFactory(pledge=pledge, metric=f"Places {k}")
                PledgeUpdateFactory(
                    pledge=pledge,
                    review_state=UpdateReviewState.APPROVED,
                    reported_on=dt.date(2024, 1, 1) + dt.timedelta(days=30 * k),
                )
                PledgeParticipant.objects.create(
                    pledge=pledge,
                    entity=EntityFactory(entity_type=ngo),
                    role=ParticipantRole.CO_PLEDGER,
                    status=ParticipantStatus.ACCEPTED,
                    responded_at=timezone.now(),
                )
            pledges.append(pledge)
        return pledges

    return build


@pytest.fixture
def recompute_progress() -> Callable[[], None]:
    """Today's progress snapshots of every objective and compact (what the dashboard reads)."""

    def run() -> None:
        engine.recompute_objectives(list(Objective.objects.values_list("pk", flat=True)))
        engine.recompute_compacts(list(Compact.objects.values_list("pk", flat=True)))

    return run


def count_queries(client: Any, url: str, *, clear_cache: bool = False) -> tuple[int, Any]:
    """Queries of one GET, after a warm-up GET (sessions and content types loaded); with
    `clear_cache`, as the first visitor after the cache was emptied."""
    client.get(url)
    if clear_cache:
        clear_run_cache()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return len(queries), response
