"""Multistakeholder pledges in the demo: lead entities (the showcase entity leads one, so the
stakeholder account has requests to decide), two key outcomes each, and memberships of the new
GCR pledges — most accepted, some asked and waiting, a few declined — written in one COPY
whatever the number of pledges."""

import random
from collections.abc import Sequence
from datetime import datetime, time
from decimal import Decimal

from django.utils import timezone

from partnerships.models import (
    KeyOutcome,
    LeadStatus,
    MembershipOrigin,
    MembershipState,
    MultistakeholderLead,
    MultistakeholderMembership,
    MultistakeholderPledge,
)
from pledges.models import ReviewState

from .bundles import IndexRow
from .draws import stream
from .writer import Writer

# Of the new GCR pledges: this share joins an MSP (GRF 2023 counted about one in six).
JOIN_SHARE = 0.15
OUTCOMES = (
    ("Refugees reached", "persons", Decimal(100_000)),
    ("Funding mobilised (USD)", "usd", Decimal(50_000_000)),
)


def create_memberships(
    *, rows: Sequence[IndexRow], showcase_entity_id: int, seed: int, writer: Writer
) -> int:
    """Leads, key outcomes and memberships; returns how many memberships were written."""
    msps = list(MultistakeholderPledge.objects.filter(compact__code="GCR").order_by("slug"))
    if not msps:
        return 0
    rng = stream(seed, "partnerships")
    _leads_and_outcomes(msps, rows, showcase_entity_id, rng)
    taken = set(
        MultistakeholderMembership.objects.filter(
            state__in=[MembershipState.REQUESTED, MembershipState.ACCEPTED]
        ).values_list("msp_id", "pledge_id")
    )
    memberships = []
    for row in rows:
        if row.compact_code != "GCR" or rng.random() >= JOIN_SHARE:
            continue
        msp = rng.choice(msps)
        if (msp.pk, row.id) in taken:
            continue
        roll = rng.random()
        state = (
            MembershipState.ACCEPTED
            if row.state == ReviewState.PUBLISHED and roll < 0.9
            else MembershipState.DECLINED
            if roll > 0.98
            else MembershipState.REQUESTED
        )
        asked = timezone.make_aware(datetime.combine(row.announced_on, time(12)))
        decided = None if state == MembershipState.REQUESTED else asked
        memberships.append(
            (msp.pk, row.id, state, MembershipOrigin.DEMO, asked, decided, "", asked, asked)
        )
    return writer.insert(
        MultistakeholderMembership,
        (
            "msp_id",
            "pledge_id",
            "state",
            "origin",
            "requested_at",
            "decided_at",
            "message",
            "created_at",
            "updated_at",
        ),
        memberships,
    )


def _leads_and_outcomes(
    msps: Sequence[MultistakeholderPledge],
    rows: Sequence[IndexRow],
    showcase_entity_id: int,
    rng: random.Random,
) -> None:
    """Two accepted leads per MSP (organisations with published pledges), the showcase
    entity among the first MSP's; key outcomes for MSPs that have none. A few rows per MSP."""
    organisations = sorted(
        {
            row.entity_id
            for row in rows
            if row.state == ReviewState.PUBLISHED and row.entity_type in {"un_agency", "ngo"}
        }
    )
    now = timezone.now()
    leads = []
    for index, msp in enumerate(msps):
        chosen = set(rng.sample(organisations, min(2, len(organisations))))
        if index == 0:
            chosen.add(showcase_entity_id)
        leads += [
            MultistakeholderLead(
                msp=msp, entity_id=entity_id, status=LeadStatus.ACCEPTED, responded_at=now
            )
            for entity_id in sorted(chosen)
        ]
    MultistakeholderLead.objects.bulk_create(leads, ignore_conflicts=True)
    with_outcomes = set(KeyOutcome.objects.values_list("msp_id", flat=True))
    KeyOutcome.objects.bulk_create(
        KeyOutcome(msp=msp, text=text, unit=unit, target_value=value, target_year=2027, position=n)
        for msp in msps
        if msp.pk not in with_outcomes
        for n, (text, unit, value) in enumerate(OUTCOMES)
    )
