"""One row of every model we register in the admin, linked into one small pledge graph.

`build_rows(n)` can be called again with another `n` to add a second, disjoint graph, which is
how the changelist tests detect per-row queries.
"""

import datetime as dt
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from accounts.services import create_api_key
from compacts.models import SupportPlatform
from core.models import AuditEntry
from followup.models import DocumentKind, FollowUpDocument
from forums.models import ForumKind, RegionalReview, ReportingRound
from indicators.models import (
    CompactProgressSnapshot,
    FilterSum,
    FrameworkEdition,
    MspProgressSnapshot,
    OwnerKind,
    PledgeFact,
    ProgressBase,
    ProgressSnapshot,
    ProgressSum,
    RecomputeRun,
    ReportEdition,
    RunKind,
    RunStatus,
    SliceKind,
)
from partnerships.models import (
    KeyOutcome,
    MultistakeholderLead,
    MultistakeholderMembership,
    MultistakeholderPledge,
)
from pledges.models import (
    ContinuousReferenceCounter,
    LinkKind,
    PledgeLink,
    PledgeParticipant,
    PledgeProgressMark,
    PledgeReaffirmation,
    PledgeReferenceCounter,
    PledgeTranslation,
    PledgeUpdateActual,
)
from tests.factories import (
    CompactFactory,
    CountryFactory,
    CurrencyFactory,
    EntityFactory,
    EntityTypeFactory,
    ExchangeRateFactory,
    ForumFactory,
    GuidingPrincipleFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    MembershipFactory,
    ObjectiveActionFactory,
    ObjectiveFactory,
    PledgeFactory,
    PledgeTargetFactory,
    PledgeUpdateFactory,
    SupportTypeFactory,
    ThematicAreaFactory,
    UserFactory,
)


def build_rows(n: int = 0) -> dict[type[Model], Model]:
    """Create one row per model (rows of graph `n` do not share reference data with others)."""
    letter = "ABCDEFGH"[n]
    country = CountryFactory(code=f"X{letter}", iso3=f"XX{letter}", name=f"Testland {letter}")
    currency = CurrencyFactory(code=f"XC{letter}", name=f"Test currency {letter}")
    compact = CompactFactory(code=f"GC{letter}", name=f"Test compact {letter}")
    objective = ObjectiveFactory(compact=compact, number=1)
    action = ObjectiveActionFactory(objective=objective, letter="a")
    principle = GuidingPrincipleFactory(compact=compact, number=1)
    area = ThematicAreaFactory(compact=compact, slug="education")
    platform = SupportPlatform.objects.create(
        compact=compact, code=f"SP{letter}", name=f"Platform {letter}"
    )
    platform.countries.add(country)
    forum = ForumFactory(compact=compact, code=f"TF{letter}", name=f"Test forum {letter}")
    entity_type = EntityTypeFactory(code=f"type-{n}", name=f"Type {letter}")
    support_type = SupportTypeFactory(code=f"support-{n}", name=f"Support {letter}")
    user = UserFactory()
    entity = EntityFactory(entity_type=entity_type, country=country)
    membership = MembershipFactory(user=user, entity=entity)
    api_key, _ = create_api_key(user=user, name=f"Reporting system {letter}")
    pledge = PledgeFactory(
        forum=forum,
        entity=entity,
        objectives=[objective],
        amount=Decimal("1000"),
        currency=currency,
        support_platform=platform,
        created_by=user,
    )
    pledge.actions.add(action)
    pledge.principles.add(principle)
    pledge.thematic_areas.add(area)
    pledge.support_types.add(support_type)
    pledge.beneficiary_countries.add(country)
    matched = PledgeFactory(forum=forum, entity=EntityFactory(entity_type=entity_type))
    participant = PledgeParticipant.objects.create(pledge=pledge, entity=matched.entity)
    link = PledgeLink.objects.create(source=pledge, target=matched, kind=LinkKind.SUPERSEDES)
    target = PledgeTargetFactory(pledge=pledge)
    update = PledgeUpdateFactory(pledge=pledge, submitted_by=user)
    actual = PledgeUpdateActual.objects.create(update=update, target=target, value=Decimal("10"))
    counter = PledgeReferenceCounter.objects.create(forum=forum, last_number=2)
    edition = FrameworkEdition.objects.create(
        compact=compact, slug=f"test-{letter.lower()}", title=f"Test framework {letter}", year=2019
    )
    report = ReportEdition.objects.create(
        framework=edition, year=2021, title=f"Test indicator report {letter}"
    )
    indicator = IndicatorFactory(objective=objective, code="3.1.1")
    value = IndicatorValueFactory(indicator=indicator, country=country, year=2023, report=report)
    rate = ExchangeRateFactory(currency=currency, date=dt.date(2023, 12, 13))
    snapshot = ProgressSnapshot.objects.create(
        objective=objective,
        slice_kind=SliceKind.OVERALL,
        date=dt.date(2024, 1, 1),
        computed_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        figures={"pledges": 1},
    )
    compact_snapshot = CompactProgressSnapshot.objects.create(
        compact=compact,
        slice_kind=SliceKind.OVERALL,
        date=dt.date(2024, 1, 1),
        computed_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        figures={"pledges": 1},
    )
    run = RecomputeRun.objects.create(
        kind=RunKind.FULL,
        status=RunStatus.SUCCEEDED,
        started_at=dt.datetime(2024, 1, 1, 2, 30, tzinfo=dt.UTC),
        finished_at=dt.datetime(2024, 1, 1, 2, 31, tzinfo=dt.UTC),
        duration_ms=60000,
        objectives_done=27,
    )
    audit = AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(pledge),
        object_id=str(pledge.pk),
        action="pledges.pledge.submitted",
        actor=user,
    )
    # What a full progress run stores and the services mark (indicators/delta.py).
    base = ProgressBase.objects.create(built_on=dt.date(2024, 1, 1), built_at=run.started_at)
    fact = PledgeFact.objects.create(
        pledge_id=pledge.pk,
        compact_id=compact.pk,
        objective_ids=[objective.pk],
        forum_code=forum.code,
        entity_type_code=entity_type.code,
        geography_scope=pledge.geography_scope,
        implementation_status="",
    )
    progress_sum = ProgressSum.objects.create(
        owner_kind=OwnerKind.OBJECTIVE,
        owner_id=objective.pk,
        slice_kind=SliceKind.OVERALL,
        counters={"pledges": 1},
    )
    filter_sum = FilterSum.objects.create(
        compact_id=compact.pk, dims=1, forum_code=forum.code, pledges=1
    )
    mark = PledgeProgressMark.objects.create(pledge_id=pledge.pk, marked_at=run.started_at)
    translated = PledgeTranslation.objects.create(pledge=pledge, language="fr", title="Titre")
    msp = MultistakeholderPledge.objects.create(
        slug=f"msp-{letter.lower()}", title=f"Test MSP {letter}", compact=compact
    )
    lead = MultistakeholderLead.objects.create(msp=msp, entity=entity)
    outcome = KeyOutcome.objects.create(msp=msp, text="More places")
    msp_member = MultistakeholderMembership.objects.create(
        msp=msp, pledge=pledge, requested_at=run.started_at
    )
    msp_snapshot = MspProgressSnapshot.objects.create(
        msp=msp,
        slice_kind=SliceKind.OVERALL,
        date=dt.date(2024, 1, 1),
        computed_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        figures={"pledges": 1},
    )
    later = ForumFactory(compact=compact, code=f"TL{letter}", name=f"Later forum {letter}")
    reaffirmation = PledgeReaffirmation.objects.create(
        pledge=pledge, forum=later, reaffirmed_on=dt.date(2025, 12, 15)
    )
    continuous = ContinuousReferenceCounter.objects.create(compact=compact, last_number=3)
    round_ = ReportingRound.objects.create(
        compact=compact,
        title=f"Reporting round {letter}",
        opens_on=dt.date(2026, 1, 1),
        closes_on=dt.date(2026, 3, 31),
    )
    review_round = ForumFactory(
        compact=compact,
        code=f"TR{letter}",
        name=f"Review round {letter}",
        kind=ForumKind.REGIONAL_REVIEW,
    )
    review = RegionalReview.objects.create(
        round=review_round,
        commission="ECE",
        name=f"Regional review {letter}",
        source_url="https://example.org/review",
    )
    document = FollowUpDocument.objects.create(
        slug=f"report-{letter.lower()}",
        kind=DocumentKind.OTHER,
        title=f"Report {letter}",
        url="https://example.org/report",
    )
    document.forums.add(forum)
    document.objectives.add(objective)
    rows = [
        country, currency, compact, objective, action, principle, area, platform, forum,
        entity_type, support_type, user, entity, membership, pledge, participant, link, target,
        update, actual, counter, edition, report, indicator, value, rate, snapshot,
        compact_snapshot, run, audit, api_key, base, fact, progress_sum, filter_sum, mark,
        translated, msp, lead, outcome, msp_member, msp_snapshot, reaffirmation, continuous,
        round_, review, document,
    ]  # fmt: skip
    return {type(row): row for row in rows}
