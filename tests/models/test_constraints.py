"""The database itself refuses rows that break the rules in each model's Meta.

Each case builds a valid, unsaved row (saving any rows it depends on), then breaks one rule. The
valid row must save, so a case cannot pass by building something that is refused for another
reason; the broken row must be refused by the named constraint.
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.models import Model
from django.db.utils import IntegrityError

from accounts.models import ApiKey, User
from compacts.models import Compact, GuidingPrinciple, Objective, ObjectiveAction, ThematicArea
from core.models import Country, Currency, ExchangeRate
from followup.models import DocumentKind, FollowUpDocument
from forums.models import Forum, ForumKind, RegionalCommission, RegionalReview, ReportingRound
from goals.models import Goal, GoalContribution, GoalProgressSnapshot, OfficialFigure
from indicators.models import (
    CompactProgressSnapshot,
    FrameworkEdition,
    Indicator,
    IndicatorValue,
    MspProgressSnapshot,
    OwnerKind,
    ProgressSnapshot,
    ProgressSum,
    RecomputeRun,
    ReportEdition,
    RunKind,
    RunStatus,
    SliceKind,
)
from matching.models import Decision, Match, MatchState, Side, SupportPosition
from partnerships.models import (
    KeyOutcome,
    LeadStatus,
    MembershipState,
    MultistakeholderLead,
    MultistakeholderMembership,
    MultistakeholderPledge,
)
from pledges.models import (
    Entity,
    LinkKind,
    Membership,
    Pledge,
    PledgeLink,
    PledgeParticipant,
    PledgeReaffirmation,
    PledgeTarget,
    PledgeTranslation,
    PledgeUpdate,
    PledgeUpdateActual,
    TargetUnit,
)
from pledges.names import cased_name_skeleton, name_skeleton
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
    ObjectiveActionFactory,
    ObjectiveFactory,
    PledgeFactory,
    PledgeTargetFactory,
    PledgeUpdateFactory,
    SupportTypeFactory,
    ThematicAreaFactory,
    UserFactory,
)

# The cases build their own compacts, objectives and countries: on an empty database, as their
# numbers and codes would clash with the shipped reference data.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_reference_data")]

OUR_APPS = {
    "followup",
    "resources",
    "core",
    "accounts",
    "compacts",
    "forums",
    "pledges",
    "indicators",
    "goals",
    "matching",
    "partnerships",
}


@dataclass(frozen=True)
class Case:
    id: str
    valid: Callable[[], Model]  # an unsaved row that the database accepts
    breaks: Callable[[Model], None]  # changes that row so that one rule is broken
    refused_by: str = ""  # text of the database error; the constraint name when empty

    @property
    def expected(self) -> str:
        return self.refused_by or self.id


def setter(**values: object) -> Callable[[Model], None]:
    def apply(row: Model) -> None:
        for name, value in values.items():
            setattr(row, name, value)

    return apply


# --- builders of valid rows -------------------------------------------------------------------


def country() -> Country:
    return Country(code="FR", iso3="FRA", name="France")


def currency() -> Currency:
    return Currency(code="EUR", name="Euro")


def compact() -> Compact:
    return Compact(code="GCX", name="Test compact")


def second_objective() -> Objective:
    first = ObjectiveFactory(number=1)
    return Objective(compact=first.compact, number=2, title="Second", short_label="Second")


def second_action() -> ObjectiveAction:
    first = ObjectiveActionFactory(letter="a")
    return ObjectiveAction(objective=first.objective, letter="b", text="Second action")


def second_principle() -> GuidingPrinciple:
    first = GuidingPrincipleFactory(number=1)
    return GuidingPrinciple(compact=first.compact, number=2, name="International cooperation")


def second_area() -> ThematicArea:
    first = ThematicAreaFactory(slug="education")
    return ThematicArea(compact=first.compact, slug="energy", name="Energy")


def forum() -> Forum:
    return Forum(
        compact=CompactFactory(),
        kind=ForumKind.GRF,
        code="GRF31",
        name="Global Refugee Forum 2031",
        year=2031,
        start_date=dt.date(2031, 12, 13),
        end_date=dt.date(2031, 12, 15),
        pledging_opens=dt.date(2031, 6, 1),
        pledging_closes=dt.date(2031, 12, 15),
    )


def second_entity() -> Entity:
    first = EntityFactory(name="Kakuma Youth Network")
    return Entity(
        name="Dadaab Youth Network",
        name_skeleton=name_skeleton("Dadaab Youth Network"),
        cased_name_skeleton=cased_name_skeleton("Dadaab Youth Network"),
        entity_type=first.entity_type,
    )


def verified_entity() -> Entity:
    return Entity(
        name="Norwegian Refugee Council",
        entity_type=EntityTypeFactory(),
        is_verified=True,
        verified_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    )


def second_membership() -> Membership:
    first = Membership.objects.create(user=UserFactory(), entity=EntityFactory())
    return Membership(user=first.user, entity=EntityFactory())


def pledge() -> Pledge:
    return PledgeFactory.build(
        # Far above PledgeFactory's sequence (GRF23-00001, -00002, … per process): a pledge a
        # case makes with the factory never takes this reference, whatever ran before in the
        # worker (at 00042, the 41st factory pledge of a worker broke the external id's case
        # with the reference's error instead of its own).
        reference="GRF23-98042",
        forum=ForumFactory(),
        entity=EntityFactory(),
        amount=Decimal("1000000.00"),
        currency=CurrencyFactory(),
        start_date=dt.date(2024, 1, 1),
        end_date=dt.date(2027, 12, 31),
        review_state="published",
        published_at=dt.datetime(2024, 1, 15, tzinfo=dt.UTC),
        implementation_status="in_progress",
    )


def translation() -> PledgeTranslation:
    return PledgeTranslation(pledge=PledgeFactory(), language="fr", title="Titre")


def second_translation() -> PledgeTranslation:
    first = PledgeTranslation.objects.create(pledge=PledgeFactory(), language="fr", title="Titre")
    return PledgeTranslation(pledge=first.pledge, language="es", title="Otro título")


def second_participant() -> PledgeParticipant:
    first = PledgeParticipant.objects.create(pledge=PledgeFactory(), entity=EntityFactory())
    return PledgeParticipant(pledge=first.pledge, entity=EntityFactory())


def link() -> PledgeLink:
    source, target = PledgeFactory(), PledgeFactory()
    PledgeLink.objects.create(source=source, target=target, kind=LinkKind.SUPERSEDES)
    return PledgeLink(source=source, target=target, kind=LinkKind.DUPLICATE_OF)


def reporting_round() -> ReportingRound:
    return ReportingRound(
        compact=CompactFactory(),
        title="Reporting round 2031",
        opens_on=dt.date(2031, 1, 1),
        closes_on=dt.date(2031, 3, 31),
    )


def second_reaffirmation() -> PledgeReaffirmation:
    first = PledgeReaffirmation.objects.create(
        pledge=PledgeFactory(), forum=ForumFactory(), reaffirmed_on=dt.date(2025, 12, 15)
    )
    later = ForumFactory(code="GRF27", name="Global Refugee Forum 2027", year=2027)
    return PledgeReaffirmation(
        pledge=first.pledge, forum=later, reaffirmed_on=dt.date(2027, 12, 15)
    )


def percent_target() -> PledgeTarget:
    return PledgeTarget(
        pledge=PledgeFactory(),
        metric="Refugee children enrolled",
        unit=TargetUnit.PERCENT,
        target_value=Decimal("100"),
    )


def returned_update() -> PledgeUpdate:
    return PledgeUpdateFactory.build(
        pledge=PledgeFactory(),
        disbursed_amount=Decimal("0"),
        review_state="returned",
        review_note="Please give the number of places filled.",
        reviewed_at=dt.datetime(2024, 7, 1, tzinfo=dt.UTC),
    )


def second_actual() -> PledgeUpdateActual:
    target = PledgeTargetFactory()
    update = PledgeUpdateFactory(pledge=target.pledge)
    PledgeUpdateActual.objects.create(
        update=update, target=PledgeTargetFactory(pledge=target.pledge), value=Decimal("1")
    )
    return PledgeUpdateActual(update=update, target=target, value=Decimal("0"))


def second_indicator() -> Indicator:
    first = IndicatorFactory(code="3.1.1")
    return Indicator(
        compact=first.compact,
        objective=first.objective,
        code="3.2.1",
        title="Refugees admitted through complementary pathways",
        unit="persons",
        baseline_value=Decimal("10"),
        baseline_year=2019,
    )


def country_value_next_year() -> IndicatorValue:
    first = IndicatorValueFactory(country=CountryFactory(), year=2023)
    return IndicatorValue(
        indicator=first.indicator, country=first.country, year=2024, value=1, source="UNHCR"
    )


def global_value_next_year() -> IndicatorValue:
    first = IndicatorValueFactory(country=None, year=2023)
    return IndicatorValue(
        indicator=first.indicator,
        country=None,
        year=2024,
        value=Decimal("40"),
        numerator=Decimal("2"),
        denominator=Decimal("5"),
        source="UNHCR",
    )


def second_edition() -> FrameworkEdition:
    first = FrameworkEdition.objects.create(
        compact=CompactFactory(), slug="gcx-2019", title="Framework 2019", year=2019
    )
    return FrameworkEdition(compact=first.compact, slug="gcx-2022", title="Framework", year=2022)


def second_report() -> ReportEdition:
    edition = FrameworkEdition.objects.create(
        compact=CompactFactory(), slug="gcx-2019", title="Framework 2019", year=2019
    )
    ReportEdition.objects.create(framework=edition, year=2021, title="Report 2021")
    return ReportEdition(framework=edition, year=2023, title="Report 2023", published_month=11)


def indicator_of_an_edition() -> Indicator:
    first = IndicatorFactory(code="3.1.1")
    edition = FrameworkEdition.objects.create(
        compact=first.compact, slug="gcx-2022", title="Framework 2022", year=2022
    )
    Indicator.objects.filter(pk=first.pk).update(edition=edition)
    return Indicator(
        compact=first.compact,
        objective=first.objective,
        edition=edition,
        code="3.2.1",
        title="Complementary pathways",
        unit="persons",
    )


def rate_next_day() -> ExchangeRate:
    first = ExchangeRateFactory(date=dt.date(2023, 12, 13))
    return ExchangeRate(
        currency=first.currency, date=dt.date(2023, 12, 14), usd_per_unit=Decimal("1.09")
    )


def snapshot_next_day() -> ProgressSnapshot:
    noon = dt.datetime(2024, 1, 1, 12, tzinfo=dt.UTC)
    first = ProgressSnapshot.objects.create(
        objective=ObjectiveFactory(),
        slice_kind=SliceKind.OVERALL,
        date=dt.date(2024, 1, 1),
        computed_at=noon,
    )
    return ProgressSnapshot(
        objective=first.objective,
        slice_kind=SliceKind.OVERALL,
        date=dt.date(2024, 1, 2),
        computed_at=noon,
    )


def progress_sum_next_slice() -> ProgressSum:
    first = ProgressSum.objects.create(
        owner_kind=OwnerKind.OBJECTIVE, owner_id=1, slice_kind=SliceKind.OVERALL
    )
    return ProgressSum(
        owner_kind=first.owner_kind, owner_id=1, slice_kind=SliceKind.FORUM, slice_key="GRF23"
    )


def compact_snapshot_next_day() -> CompactProgressSnapshot:
    noon = dt.datetime(2024, 1, 1, 12, tzinfo=dt.UTC)
    first = CompactProgressSnapshot.objects.create(
        compact=CompactFactory(),
        slice_kind=SliceKind.OVERALL,
        date=dt.date(2024, 1, 1),
        computed_at=noon,
    )
    return CompactProgressSnapshot(
        compact=first.compact,
        slice_kind=SliceKind.OVERALL,
        date=dt.date(2024, 1, 2),
        computed_at=noon,
    )


def msp_snapshot_next_day() -> MspProgressSnapshot:
    noon = dt.datetime(2024, 1, 1, 12, tzinfo=dt.UTC)
    msp = MultistakeholderPledge.objects.create(
        slug="msp-snapshot", title="Snapshots", compact=CompactFactory()
    )
    MspProgressSnapshot.objects.create(
        msp=msp, slice_kind=SliceKind.OVERALL, date=dt.date(2024, 1, 1), computed_at=noon
    )
    return MspProgressSnapshot(
        msp=msp, slice_kind=SliceKind.OVERALL, date=dt.date(2024, 1, 2), computed_at=noon
    )


def failed_run() -> RecomputeRun:
    return RecomputeRun(
        kind=RunKind.FULL,
        status=RunStatus.FAILED,
        started_at=dt.datetime(2024, 1, 1, 2, 30, tzinfo=dt.UTC),
        finished_at=dt.datetime(2024, 1, 1, 2, 31, tzinfo=dt.UTC),
        error="OperationalError: the database went away",
    )


def user() -> User:
    UserFactory(email="amina@example.org")
    return User(email="grace@example.org")


KEY_CREATED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def api_key() -> ApiKey:
    return ApiKey(
        user=UserFactory(),
        name="Reporting",
        prefix="0123456789",
        key_hash="a" * 64,
        created_at=KEY_CREATED,
    )


def second_api_key() -> ApiKey:
    first = api_key()
    first.save()
    return ApiKey(
        user=first.user,
        name="Other",
        prefix="abcdefabcd",
        key_hash="b" * 64,
        created_at=KEY_CREATED,
    )


def revoked_namesake_key() -> ApiKey:
    """A second key with the first one's name: allowed because it is revoked."""
    row = second_api_key()
    row.name = "Reporting"
    row.revoked_at = KEY_CREATED
    return row


def document() -> FollowUpDocument:
    return FollowUpDocument(
        slug="report",
        kind=DocumentKind.OTHER,
        title="A report",
        languages=["en", "fr"],
        url="https://example.org/report",
        is_reference=True,
        source="https://example.org/",
    )


# --- ways to break a uniqueness rule: copy the key of the row the builder saved first ---------


def same_entity_as_first_membership(row: Membership) -> None:
    row.entity_id = Membership.objects.get(user=row.user).entity_id


def same_entity_as_first_participant(row: PledgeParticipant) -> None:
    row.entity_id = PledgeParticipant.objects.get(pledge=row.pledge).entity_id


def same_target_as_first_actual(row: PledgeUpdateActual) -> None:
    row.target_id = PledgeUpdateActual.objects.get(update=row.update).target_id


def reference_already_taken(row: Pledge) -> None:
    PledgeFactory(reference=row.reference)


def regional_review() -> RegionalReview:
    round_ = forum()
    round_.kind, round_.code, round_.name = ForumKind.REGIONAL_REVIEW, "GCMRR31", "Reviews 2031"
    round_.save()
    return RegionalReview(
        round=round_,
        commission=RegionalCommission.ECE,
        name="ECE review 2031",
        start_date=dt.date(2031, 3, 1),
        end_date=dt.date(2031, 3, 2),
        source_url="https://example.org/ece-2031",
    )


def second_review_of_the_commission(row: RegionalReview) -> None:
    RegionalReview.objects.create(
        round=row.round, commission=row.commission, name="Earlier", source_url="https://example.org"
    )


def external_id_already_taken(row: Pledge) -> None:
    """Another pledge of the same compact imported with the same source id."""
    row.external_id = "SRC-1"
    PledgeFactory(compact=row.compact, external_id="SRC-1")


def code_already_taken(row: Forum) -> None:
    ForumFactory(code=row.code, compact=row.compact)


# --- goals, matching, partnerships --------------------------------------------------------------

NOON = dt.datetime(2024, 1, 1, 12, tzinfo=dt.UTC)


def an_msp(slug: str = "test-msp") -> MultistakeholderPledge:
    return MultistakeholderPledge.objects.create(
        slug=slug, title="Test MSP", compact=CompactFactory()
    )


def forum_goal() -> Goal:
    return Goal(
        forum=ForumFactory(),
        text="Resettle 1,000 refugees",
        unit=TargetUnit.PERSONS,
        target_value=Decimal(1000),
        target_year=2030,
        source="https://example.org/goals",
        is_reference=True,
        position=1,
    )


def second_forum_goal() -> Goal:
    first = Goal.objects.create(
        forum=ForumFactory(), text="First", unit=TargetUnit.PERSONS, target_value=1, position=1
    )
    return Goal(
        forum=first.forum, text="Second", unit=TargetUnit.PERSONS, target_value=1, position=2
    )


def second_msp_goal() -> Goal:
    first = Goal.objects.create(
        msp=an_msp(), text="First", unit=TargetUnit.PERSONS, target_value=1, position=1
    )
    return Goal(msp=first.msp, text="Second", unit=TargetUnit.PERSONS, target_value=1, position=2)


def figure() -> OfficialFigure:
    return OfficialFigure(
        forum=ForumFactory(),
        label="Pledges",
        value=Decimal(1600),
        unit=TargetUnit.PERSONS,
        qualifier="more than",
        source="https://example.org/figures",
    )


def _goal_and_target() -> tuple[Goal, PledgeTarget]:
    goal = Goal.objects.create(
        forum=ForumFactory(), text="Goal", unit=TargetUnit.PERSONS, target_value=10
    )
    return goal, PledgeTargetFactory(unit=TargetUnit.PERSONS)


def second_contribution() -> GoalContribution:
    goal, target = _goal_and_target()
    GoalContribution.objects.create(goal=goal, target=PledgeTargetFactory(unit=TargetUnit.PERSONS))
    return GoalContribution(goal=goal, target=target)


def second_contribution_taken() -> Callable[[Model], None]:
    def apply(row: Model) -> None:
        assert isinstance(row, GoalContribution)
        row.target = GoalContribution.objects.exclude(target=row.target).get().target

    return apply


def goal_snapshot_next_day() -> GoalProgressSnapshot:
    goal, _target = _goal_and_target()
    GoalProgressSnapshot.objects.create(goal=goal, date=dt.date(2024, 1, 1), computed_at=NOON)
    return GoalProgressSnapshot(goal=goal, date=dt.date(2024, 1, 2), computed_at=NOON)


def position() -> SupportPosition:
    return SupportPosition(
        pledge=PledgeFactory(),
        side=Side.SEEKS,
        support_type=SupportTypeFactory(),
        amount=Decimal(500),
        currency=CurrencyFactory(),
    )


def accepted_match() -> Match:
    return Match(
        seeking=PledgeFactory(),
        offering=PledgeFactory(),
        state=MatchState.ACCEPTED,
        seeking_decision=Decision.ACCEPTED,
        seeking_decided_at=NOON,
        offering_decision=Decision.ACCEPTED,
        offering_decided_at=NOON,
        closed_at=NOON,
    )


def declined_match() -> Match:
    match = accepted_match()
    match.state, match.offering_decision = MatchState.DECLINED, Decision.DECLINED
    return match


def second_open_match() -> Match:
    first = Match.objects.create(
        seeking=PledgeFactory(), offering=PledgeFactory(), state=MatchState.PROPOSED
    )
    return Match(seeking=first.seeking, offering=PledgeFactory(), state=MatchState.PROPOSED)


def lead() -> MultistakeholderLead:
    return MultistakeholderLead(msp=an_msp(), entity=EntityFactory(), status=LeadStatus.ACCEPTED)


def second_lead() -> MultistakeholderLead:
    first = MultistakeholderLead.objects.create(msp=an_msp(), entity=EntityFactory())
    return MultistakeholderLead(msp=first.msp, entity=EntityFactory())


def key_outcome() -> KeyOutcome:
    return KeyOutcome(
        msp=an_msp(), text="Places", unit=TargetUnit.PERSONS, target_value=Decimal(100)
    )


def accepted_membership() -> MultistakeholderMembership:
    return MultistakeholderMembership(
        msp=an_msp(),
        pledge=PledgeFactory(),
        state=MembershipState.ACCEPTED,
        requested_at=NOON,
        decided_at=NOON,
    )


def second_membership_of_pledge() -> MultistakeholderMembership:
    first = MultistakeholderMembership.objects.create(
        msp=an_msp(),
        pledge=PledgeFactory(),
        state=MembershipState.DECLINED,
        requested_at=NOON,
        decided_at=NOON,
    )
    MultistakeholderMembership.objects.create(
        msp=first.msp,
        pledge=first.pledge,
        state=MembershipState.ACCEPTED,
        requested_at=NOON,
        decided_at=NOON,
    )
    # A second declined one is fine; asking again while a member is not.
    return MultistakeholderMembership(
        msp=first.msp,
        pledge=first.pledge,
        state=MembershipState.DECLINED,
        requested_at=NOON,
        decided_at=NOON,
    )


def library_resource() -> Model:
    from resources.models import Resource

    return Resource(title="Guide", url="https://example.org/guide")


CASES = [
    # core
    Case("country_code_iso_alpha2", country, setter(code="fr")),
    Case("country_iso3_format", country, setter(iso3="FR1")),
    Case("currency_code_iso4217", currency, setter(code="eur")),
    # compacts
    Case("compact_code_upper", compact, setter(code="gcx")),
    Case("objective_number_unique_per_compact", second_objective, setter(number=1)),
    Case("objective_number_positive", second_objective, setter(number=0)),
    Case("action_letter_unique_per_objective", second_action, setter(letter="a")),
    Case("action_letter_lowercase", second_action, setter(letter="B")),
    Case("principle_number_unique_per_compact", second_principle, setter(number=1)),
    Case("thematic_area_slug_unique_per_compact", second_area, setter(slug="education")),
    # forums
    Case("forum_code_format", forum, setter(code="grf-31")),
    Case("forum_end_not_before_start", forum, setter(end_date=dt.date(2031, 12, 12))),
    Case("forum_pledging_window_ordered", forum, setter(pledging_closes=dt.date(2031, 5, 31))),
    Case("forum_year_plausible", forum, setter(year=2015)),
    Case("forum_code_unique", forum, code_already_taken, refused_by="forums_forum_code"),
    Case(
        "regional_review_end_not_before_start",
        regional_review,
        setter(end_date=dt.date(2031, 2, 28)),
    ),
    Case("regional_review_one_per_commission", regional_review, second_review_of_the_commission),
    Case("round_closes_after_opening", reporting_round, setter(closes_on=dt.date(2030, 12, 31))),
    Case(
        "round_closed_early_after_opening",
        reporting_round,
        setter(closed_early_on=dt.date(2030, 12, 31)),
    ),
    # follow-up documents
    Case("document_has_title", document, setter(title="")),
    Case("document_reference_has_source", document, setter(source="")),
    Case("document_languages_are_un", document, setter(languages=["en", "de"])),
    Case("document_date_precision_valid", document, setter(date_precision="week")),
    Case("document_kind_valid", document, setter(kind="blog_post")),
    # pledges: entities and members
    # Look-alike keys (pledges.names) of a live entity, whatever the type.
    Case(
        "entity_name_skeleton_unique",
        second_entity,
        setter(name_skeleton=name_skeleton("Kakuma Youth Network")),
    ),
    Case(
        "entity_cased_name_skeleton_unique",
        second_entity,
        setter(cased_name_skeleton=cased_name_skeleton("Kakuma Youth Network"), name_skeleton=None),
    ),
    Case(
        "entity_not_both_verified_and_declined",
        verified_entity,
        setter(declined_at=dt.datetime(2024, 2, 1, tzinfo=dt.UTC)),
    ),
    Case("entity_verified_has_timestamp", verified_entity, setter(verified_at=None)),
    Case(
        "entity_country_known",
        verified_entity,
        setter(country_id="ZZ"),
        refused_by="Key (country_id)=(ZZ) is not present",
    ),
    Case("membership_unique", second_membership, same_entity_as_first_membership),
    Case("membership_status_valid", second_membership, setter(status="approved")),
    Case("membership_role_valid", second_membership, setter(role="owner")),
    # pledges
    Case("pledge_reference_format", pledge, setter(reference="GRF23-42")),
    Case("pledge_amount_non_negative", pledge, setter(amount=Decimal("-0.01"))),
    Case("pledge_amount_has_currency", pledge, setter(currency=None)),
    Case(
        "pledge_currency_has_amount",
        pledge,
        setter(amount=None),
        refused_by="pledge_amount_has_currency",
    ),
    Case(
        "pledge_currency_known",
        pledge,
        setter(currency_id="XXX"),
        refused_by="Key (currency_id)=(XXX) is not present",
    ),
    Case("pledge_end_not_before_start", pledge, setter(end_date=dt.date(2023, 12, 31))),
    Case("pledge_review_state_valid", pledge, setter(review_state="approved")),
    Case("pledge_language_valid", pledge, setter(language="de")),
    Case("pledge_translation_language_valid", translation, setter(language="de")),
    Case("pledge_translation_unique_language", second_translation, setter(language="fr")),
    # "Overdue" is derived from the update dates and must never be stored.
    Case("pledge_implementation_status_valid", pledge, setter(implementation_status="overdue")),
    Case("pledge_reference_unique", pledge, reference_already_taken, refused_by="reference"),
    Case("pledge_external_id_unique_per_compact", pledge, external_id_already_taken),
    Case("participant_unique", second_participant, same_entity_as_first_participant),
    Case("pledge_link_unique", link, setter(kind=LinkKind.SUPERSEDES)),
    Case("pledge_link_not_self", link, lambda row: setattr(row, "target", row.source)),
    Case("pledge_link_kind_valid", link, setter(kind="likes")),
    Case("pledge_link_kind_valid", link, setter(kind="matches")),
    Case(
        "reaffirmation_unique_forum",
        second_reaffirmation,
        lambda row: setattr(row, "forum", PledgeReaffirmation.objects.get().forum),
    ),
    Case("pledge_published_has_timestamp", pledge, setter(published_at=None)),
    Case(
        "target_value_non_negative",
        percent_target,
        setter(unit=TargetUnit.PLACES, target_value=Decimal("-1")),
    ),
    Case("target_percent_at_most_100", percent_target, setter(target_value=Decimal("100.01"))),
    Case("target_unit_valid", percent_target, setter(unit="kg")),
    Case("update_disbursed_non_negative", returned_update, setter(disbursed_amount=Decimal("-1"))),
    Case("update_returned_has_reason", returned_update, setter(review_note="")),
    Case("update_status_valid", returned_update, setter(status="overdue")),
    Case("update_review_state_valid", returned_update, setter(review_state="accepted")),
    Case("update_reviewed_has_timestamp", returned_update, setter(reviewed_at=None)),
    Case("actual_unique_per_target", second_actual, same_target_as_first_actual),
    Case("actual_value_non_negative", second_actual, setter(value=Decimal("-1"))),
    # indicators
    Case("indicator_code_unique_per_compact", second_indicator, setter(code="3.1.1")),
    Case("indicator_code_unique_per_edition", indicator_of_an_edition, setter(code="3.1.1")),
    Case("indicator_baseline_has_year", second_indicator, setter(baseline_year=None)),
    Case("framework_edition_unique_year", second_edition, setter(year=2019)),
    Case("report_edition_unique_year", second_report, setter(year=2021)),
    Case("report_edition_month_valid", second_report, setter(published_month=13)),
    Case("indicator_value_unique_per_country_year", country_value_next_year, setter(year=2023)),
    Case("indicator_value_unique_global_year", global_value_next_year, setter(year=2023)),
    Case("indicator_value_year_plausible", global_value_next_year, setter(year=1949)),
    Case(
        "indicator_value_denominator_positive",
        global_value_next_year,
        setter(denominator=Decimal("0")),
    ),
    Case("exchange_rate_unique", rate_next_day, setter(date=dt.date(2023, 12, 13))),
    Case("exchange_rate_positive", rate_next_day, setter(usd_per_unit=Decimal("0"))),
    Case("progress_snapshot_unique_per_day", snapshot_next_day, setter(date=dt.date(2024, 1, 1))),
    Case(
        "progress_sum_unique_group",
        progress_sum_next_slice,
        setter(slice_kind=SliceKind.OVERALL, slice_key=""),
    ),
    Case("msp_snapshot_unique_per_day", msp_snapshot_next_day, setter(date=dt.date(2024, 1, 1))),
    Case(
        "compact_snapshot_unique_per_day",
        compact_snapshot_next_day,
        setter(date=dt.date(2024, 1, 1)),
    ),
    Case("recompute_run_finished_has_time", failed_run, setter(finished_at=None)),
    Case("recompute_run_failure_has_error", failed_run, setter(error="")),
    # goals
    Case("goal_has_one_owner", forum_goal, lambda row: setattr(row, "msp", an_msp())),
    Case("goal_reference_has_source", forum_goal, setter(source="")),
    Case("goal_target_positive", forum_goal, setter(target_value=Decimal(0))),
    Case("goal_unit_addable", forum_goal, setter(unit=TargetUnit.PERCENT)),
    Case("goal_target_year_plausible", forum_goal, setter(target_year=1999)),
    Case("goal_position_unique", second_forum_goal, setter(position=1)),
    Case("goal_msp_position_unique", second_msp_goal, setter(position=1)),
    Case("figure_has_source", figure, setter(source="")),
    Case("figure_non_negative", figure, setter(value=Decimal(-1))),
    Case("figure_qualifier_valid", figure, setter(qualifier="roughly")),
    Case("contribution_unique", second_contribution, second_contribution_taken()),
    Case("goal_snapshot_unique_per_day", goal_snapshot_next_day, setter(date=dt.date(2024, 1, 1))),
    # matching
    Case("support_position_side_valid", position, setter(side="wants")),
    Case("support_position_amount_non_negative", position, setter(amount=Decimal(-1))),
    Case("support_position_amount_has_currency", position, setter(currency=None)),
    Case("match_not_self", accepted_match, lambda row: setattr(row, "offering", row.seeking)),
    Case("match_state_valid", accepted_match, setter(state="maybe")),
    Case("match_accepted_by_both", accepted_match, setter(offering_decision=Decision.DECLINED)),
    Case("match_seeking_decision_valid", declined_match, setter(seeking_decision="perhaps")),
    Case("match_offering_decision_valid", declined_match, setter(offering_decision="perhaps")),
    Case("match_seeking_decided_has_time", accepted_match, setter(seeking_decided_at=None)),
    Case("match_offering_decided_has_time", accepted_match, setter(offering_decided_at=None)),
    Case("match_closed_when_not_proposed", accepted_match, setter(closed_at=None)),
    Case(
        "match_one_open_per_pair",
        second_open_match,
        lambda row: setattr(row, "offering", Match.objects.exclude(pk=row.pk).get().offering),
    ),
    # partnerships
    Case(
        "msp_status_valid",
        lambda: MultistakeholderPledge(slug="m", title="M", compact=CompactFactory()),
        setter(status="paused"),
    ),
    Case(
        "msp_lead_unique",
        second_lead,
        lambda row: setattr(row, "entity", MultistakeholderLead.objects.get().entity),
    ),
    Case("msp_lead_status_valid", lead, setter(status="maybe")),
    Case("key_outcome_target_non_negative", key_outcome, setter(target_value=Decimal(-1))),
    Case("key_outcome_unit_valid", key_outcome, setter(unit="miles")),
    Case(
        "msp_membership_one_current",
        second_membership_of_pledge,
        setter(state=MembershipState.REQUESTED, decided_at=None),
    ),
    Case("msp_membership_state_valid", accepted_membership, setter(state="maybe")),
    Case("msp_membership_origin_valid", accepted_membership, setter(origin="magic")),
    Case("msp_membership_decided_has_timestamp", accepted_membership, setter(decided_at=None)),
    # accounts
    Case("user_email_unique", user, setter(email="amina@example.org"), refused_by="email"),
    Case("api_key_prefix_unique", second_api_key, setter(prefix="0123456789")),
    Case(
        "api_key_name_unique_per_user_while_not_revoked",
        revoked_namesake_key,
        setter(revoked_at=None),
    ),
    Case("api_key_name_not_blank", api_key, setter(name="")),
    Case("api_key_hash_is_sha256_hex", api_key, setter(key_hash="A" * 64)),
    Case("api_key_expires_after_creation", api_key, setter(expires_at=KEY_CREATED)),
    Case(
        "api_key_revoked_after_creation",
        api_key,
        setter(revoked_at=KEY_CREATED - dt.timedelta(seconds=1)),
    ),
    Case("resource_has_url_or_file", library_resource, setter(url="")),
]


def save_now(row: Model) -> None:
    """Save in a savepoint, checking foreign keys at once rather than at the (never reached)
    commit of the test transaction, where PostgreSQL defers them."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        row.save()


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_row_is_accepted_when_it_keeps_the_rule(case: Case) -> None:
    row = case.valid()

    save_now(row)

    assert type(row).objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_row_is_refused_by_the_database_when_it_breaks_the_rule(case: Case) -> None:
    row = case.valid()
    case.breaks(row)

    with pytest.raises(IntegrityError, match=re.escape(case.expected)):
        save_now(row)


def test_every_named_constraint_has_a_case_when_models_declare_it() -> None:
    declared = {
        constraint.name
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS
        for constraint in model._meta.constraints
    }

    assert declared - {case.expected for case in CASES} == set()
