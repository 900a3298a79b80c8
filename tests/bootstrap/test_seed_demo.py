"""`manage.py seed_demo` fills a database with realistic, reproducible demo data."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from django.urls import reverse

from accounts.models import User
from attachments.models import Attachment
from bootstrap import demo
from bootstrap.demo import run as demo_run
from compacts.models import Compact, Objective
from core.models import ExchangeRate
from forums.models import Forum, ReportingRound, RoundStatus
from indicators.models import Indicator, IndicatorValue
from matching.models import Match, MatchState, Side, SupportPosition
from matching.suggestions import suggestions
from partnerships.models import (
    LeadStatus,
    MembershipState,
    MultistakeholderLead,
    MultistakeholderMembership,
)
from pledges.models import (
    ContinuousReferenceCounter,
    Entity,
    EntityType,
    ImplementationStatus,
    LinkKind,
    Membership,
    MembershipRole,
    MembershipStatus,
    ParticipantStatus,
    Pledge,
    PledgeLink,
    PledgeParticipant,
    PledgeReaffirmation,
    PledgeReferenceCounter,
    PledgeUpdate,
    PledgeUpdateActual,
    ReviewState,
    UpdateReviewState,
)
from pledges.services import allocate_reference
from pledges.workflow import is_active_member, is_secretariat

pytestmark = pytest.mark.django_db

# A fixed "today", so that the expected data set does not change with the calendar.
AS_OF = dt.date(2026, 11, 23)
PLEDGES = 300
PASSWORD = "demo-pass-2026"


def seed_demo(*args: str, pledges: int = PLEDGES, seed: int = 2026) -> str:
    out = StringIO()
    call_command(
        "seed_demo",
        "--pledges",
        str(pledges),
        "--seed",
        str(seed),
        "--as-of",
        AS_OF.isoformat(),
        *args,
        stdout=out,
    )
    return out.getvalue()


@pytest.fixture
def debug(settings: Any) -> None:
    settings.DEBUG = True


@pytest.fixture
def seeded(reference_data: None, debug: None) -> str:
    return seed_demo()


def fingerprint() -> list[tuple[Any, ...]]:
    """What a reader of the demo sees first: references, titles, who, money and states."""
    return list(
        Pledge.objects.order_by("reference").values_list(
            "reference",
            "title",
            "entity__name",
            "amount",
            "currency_id",
            "review_state",
            "implementation_status",
        )
    )


def fingerprint_of_fresh_run(seed: int) -> list[tuple[Any, ...]]:
    """Seed, read the fingerprint, then roll back so that the next run starts from a database
    holding only the reference data again."""
    with transaction.atomic():
        seed_demo(seed=seed)
        result = fingerprint()
        transaction.set_rollback(True)
    return result


# --- determinism ---------------------------------------------------------------------------


def test_same_data_when_seeded_twice_with_the_same_seed(reference_data: None, debug: None) -> None:
    first = fingerprint_of_fresh_run(2026)
    second = fingerprint_of_fresh_run(2026)

    assert len(first) == PLEDGES
    assert first == second


def test_same_data_whatever_the_chunk_size(
    reference_data: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks are built in this thread and written with COPY by a second one: many small
    chunks (writes overlapping generation) must give the same data as one."""

    def everything() -> list[Any]:
        return [
            fingerprint(),
            sorted(Pledge.objects.values_list("reference", "objectives__number", "created_at")),
            sorted(PledgeUpdate.objects.values_list("pledge__reference", "reported_on", "status")),
            sorted(PledgeUpdateActual.objects.values_list("update__reported_on", "value")),
            sorted(PledgeLink.objects.values_list("source__reference", "target__reference")),
            sorted(Entity.objects.values_list("name", "is_verified", "created_at")),
        ]

    results = []
    monkeypatch.setattr(demo_run, "REBUILD_INDEXES_FROM", 1)  # as for a large load
    for chunk in (25, 5000):
        monkeypatch.setattr(demo_run, "CHUNK", chunk)
        with transaction.atomic():
            demo.seed_demo(pledges=120, seed=5, as_of=AS_OF)
            results.append(everything())
            transaction.set_rollback(True)

    assert results[0][0]
    assert results[0] == results[1]


def schema_of_loaded_tables() -> list[tuple[Any, ...]]:
    tables = [m._meta.db_table for m in demo.LOADED_MODELS]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE tablename = ANY(%s) ORDER BY 1, 2",
            [tables],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), condeferred "
            "FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
            [tables],
        )
        return indexes + cursor.fetchall()


def test_indexes_and_keys_are_as_before_when_a_large_load_rebuilt_them(
    reference_data: None, debug: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = schema_of_loaded_tables()
    monkeypatch.setattr(demo_run, "REBUILD_INDEXES_FROM", 1)

    seed_demo(pledges=50)

    assert any("to_tsvector" in str(row) for row in before)  # the full-text index is covered
    assert schema_of_loaded_tables() == before


def test_different_data_when_the_seed_differs(reference_data: None, debug: None) -> None:
    assert fingerprint_of_fresh_run(2026) != fingerprint_of_fresh_run(7)


# --- coverage ------------------------------------------------------------------------------


def test_every_entity_type_compact_and_objective_has_pledges_when_seeded(seeded: str) -> None:
    pledged_types = set(Pledge.objects.values_list("entity__entity_type__code", flat=True))
    assert pledged_types == set(EntityType.objects.values_list("code", flat=True))
    assert set(Pledge.objects.values_list("compact__code", flat=True)) == {"GCR", "GCM"}
    unused = Objective.objects.exclude(pledges__isnull=False)
    assert list(unused) == []


def test_every_past_forum_has_pledges_and_future_ones_none_when_seeded(seeded: str) -> None:
    past = Forum.objects.filter(start_date__lt=AS_OF) | Forum.objects.filter(
        start_date__isnull=True, year__lt=AS_OF.year
    )
    with_pledges = set(Forum.objects.filter(pledges__isnull=False).values_list("code", flat=True))

    assert with_pledges == set(past.values_list("code", flat=True))
    assert {"HLS19", "GRF19", "GRF23", "PR25", "IMRF22", "IMRF26"} <= with_pledges
    assert "GRF27" not in with_pledges  # dates not set yet


def test_every_review_and_implementation_state_appears_when_seeded(seeded: str) -> None:
    # Suspended pledges arise only when the secretariat withdraws an entity's verification,
    # which the demo never does.
    shown = set(ReviewState.values) - {ReviewState.SUSPENDED}
    assert set(Pledge.objects.values_list("review_state", flat=True)) == shown
    assert set(PledgeUpdate.objects.values_list("review_state", flat=True)) == set(
        UpdateReviewState.values
    )
    assert set(PledgeUpdate.objects.values_list("status", flat=True)) == set(
        ImplementationStatus.values
    )
    assert set(Pledge.objects.values_list("implementation_status", flat=True)) == {
        "",
        *ImplementationStatus.values,
    }


def test_joint_pledges_links_and_money_appear_when_seeded(seeded: str) -> None:
    joint = Pledge.objects.filter(participants__isnull=False).distinct().count()
    with_amount = Pledge.objects.filter(amount__isnull=False).count()

    assert 0.08 * PLEDGES <= joint <= 0.25 * PLEDGES
    assert set(PledgeParticipant.objects.values_list("status", flat=True)) == set(
        ParticipantStatus.values
    )
    # Matches are the matching app's (`test_needs_offers_and_matches_appear_when_seeded`), and
    # joining a multistakeholder pledge is a membership: the links are of every remaining kind.
    assert set(PledgeLink.objects.values_list("kind", flat=True)) == set(LinkKind.values)
    assert 0.3 * PLEDGES <= with_amount <= 0.5 * PLEDGES
    assert {"USD", "EUR", "GBP", "CHF", "JPY", "NOK", "SEK", "CAD"} <= set(
        Pledge.objects.values_list("currency_id", flat=True)
    )


@pytest.mark.parametrize("model", [Entity, Pledge, PledgeUpdate, Match])
def test_every_row_has_a_public_id_of_its_own_when_seeded(seeded: str, model: Any) -> None:
    # The loader leaves these to the database's default (pledges 0031, matching 0004).
    ids = list(model.objects.values_list("public_id", flat=True))

    assert ids
    assert None not in ids
    assert len(set(ids)) == len(ids)


def test_needs_offers_and_matches_appear_when_seeded(seeded: str) -> None:
    seeks = SupportPosition.objects.filter(side=Side.SEEKS)
    offers = SupportPosition.objects.filter(side=Side.OFFERS)

    assert seeks.exists()
    assert offers.filter(amount__isnull=False, countries__isnull=False).exists()
    assert not SupportPosition.objects.exclude(pledge__review_state="published").exists()
    assert {MatchState.ACCEPTED, MatchState.PROPOSED} <= set(
        Match.objects.values_list("state", flat=True)
    )
    for match in Match.objects.select_related("seeking", "offering"):
        assert match.seeking.support_positions.filter(side=Side.SEEKS).exists()
        assert match.offering.support_positions.filter(side=Side.OFFERS).exists()
    # Suggestions find offers for a seeking demo pledge.
    seeking = seeks.filter(countries__isnull=False).first()
    assert seeking is not None
    assert suggestions(seeking.pledge)
    assert "needs and offers" in seeded


# --- invariants ----------------------------------------------------------------------------


def test_objectives_and_forum_belong_to_the_pledge_compact_when_seeded(seeded: str) -> None:
    for pledge in Pledge.objects.select_related("forum").prefetch_related(
        "objectives", "actions__objective", "principles"
    ):
        objectives = list(pledge.objectives.all())
        assert 1 <= len(objectives) <= 3, pledge.reference
        assert {o.compact_id for o in objectives} == {pledge.compact_id}, pledge.reference
        # Some published pledges were announced between forums (bootstrap/demo/rounds.py).
        assert pledge.forum is None or pledge.forum.compact_id == pledge.compact_id
        assert {a.objective for a in pledge.actions.all()} <= set(objectives), pledge.reference
        assert all(p.compact_id == pledge.compact_id for p in pledge.principles.all())


def test_only_verified_entities_have_published_pledges_when_seeded(seeded: str) -> None:
    published = Pledge.objects.filter(review_state=ReviewState.PUBLISHED)

    assert published.exists()
    assert not published.filter(entity__is_verified=False).exists()
    assert Pledge.objects.filter(entity__is_verified=False).exists()  # drafts of new entities


def test_review_timestamps_match_the_review_state_when_seeded(seeded: str) -> None:
    for pledge in Pledge.objects.all():
        if pledge.review_state == ReviewState.DRAFT:
            assert pledge.submitted_at is None, pledge.reference
        else:
            assert pledge.submitted_at is not None, pledge.reference
        if pledge.review_state in {ReviewState.PUBLISHED, ReviewState.SUPERSEDED}:
            assert pledge.published_at >= pledge.submitted_at, pledge.reference
        else:
            assert pledge.published_at is None, pledge.reference
        if pledge.forum is not None:
            assert pledge.announced_on.year == pledge.forum.year, pledge.reference
        assert pledge.announced_on < AS_OF, pledge.reference


def test_updates_exist_only_on_published_pledges_when_seeded(seeded: str) -> None:
    assert PledgeUpdate.objects.exists()
    assert not PledgeUpdate.objects.exclude(pledge__review_state=ReviewState.PUBLISHED).exists()
    assert not PledgeUpdate.objects.filter(
        review_state=UpdateReviewState.RETURNED, review_note=""
    ).exists()
    years = {day.year for day in PledgeUpdate.objects.values_list("reported_on", flat=True)}
    assert min(years) >= 2020  # reporting began after the first Global Refugee Forum
    assert not PledgeUpdate.objects.filter(reported_on__gte=AS_OF).exists()
    assert len(years) >= 5


def test_implementation_status_is_that_of_the_latest_approved_update_when_seeded(
    seeded: str,
) -> None:
    latest: dict[int, tuple[dt.date, str]] = {}
    for pledge_id, reported_on, status in PledgeUpdate.objects.filter(
        review_state=UpdateReviewState.APPROVED
    ).values_list("pledge_id", "reported_on", "status"):
        if pledge_id not in latest or reported_on > latest[pledge_id][0]:
            latest[pledge_id] = (reported_on, status)

    for pledge in Pledge.objects.all():
        reported_on, status = latest.get(pledge.pk, (None, ""))
        assert pledge.implementation_status == status, pledge.reference
        assert pledge.last_update_on == reported_on, pledge.reference


def test_actuals_and_disbursements_never_decrease_when_seeded(seeded: str) -> None:
    series: dict[int, list[Decimal]] = defaultdict(list)
    for target_id, value in PledgeUpdateActual.objects.order_by("update__reported_on").values_list(
        "target_id", "value"
    ):
        series[target_id].append(value)
    money: dict[int, list[Decimal]] = defaultdict(list)
    for pledge_id, disbursed in (
        # The lead entity's reports: a co-pledger reports on its own part, without the
        # pledge's cumulative disbursement.
        PledgeUpdate.objects.filter(pledge__amount__isnull=False, entity=F("pledge__entity"))
        .order_by("reported_on")
        .values_list("pledge_id", "disbursed_amount")
    ):
        money[pledge_id].append(disbursed)

    assert series
    assert money
    assert all(values == sorted(values) for values in series.values())
    assert all(None not in values and values == sorted(values) for values in money.values())


def test_gcm_descriptions_have_the_required_length_when_seeded(seeded: str) -> None:
    lengths = [
        len(d)
        for d in Pledge.objects.filter(compact__code="GCM").values_list("description", flat=True)
    ]

    assert lengths
    assert all(300 <= n <= 3000 for n in lengths)


def test_references_are_numbered_per_forum_and_counters_follow_them_when_seeded(
    seeded: str,
) -> None:
    numbers: dict[str, list[int]] = defaultdict(list)
    for reference in Pledge.objects.values_list("reference", flat=True):
        code, number = reference.rsplit("-", 1)
        numbers[code].append(int(number))
    counters = dict(PledgeReferenceCounter.objects.values_list("forum__code", "last_number"))
    continuous = {
        f"{code}-C": n
        for code, n in ContinuousReferenceCounter.objects.values_list(
            "compact__code", "last_number"
        )
    }

    assert continuous  # some pledges were announced between forums
    for code, used in numbers.items():
        if code in continuous:  # GCR-C-000001…: numbered in order, the counter follows
            assert sorted(used) == list(range(1, len(used) + 1)), code
            assert continuous[code] == max(used), code
        else:
            # Gap-tolerant: the pledges moved out of forums left their numbers unused.
            assert len(set(used)) == len(used), code
            assert counters[code] >= max(used), code


def test_a_new_pledge_continues_the_numbering_when_seeded(seeded: str) -> None:
    forum = Forum.objects.get(code="GRF23")
    highest = max(
        int(r.rsplit("-", 1)[1])
        for r in Pledge.objects.filter(forum=forum).values_list("reference", flat=True)
    )

    counter = PledgeReferenceCounter.objects.get(forum=forum).last_number

    assert counter >= highest
    assert allocate_reference(forum) == f"GRF23-{counter + 1:05d}"


def test_pledges_between_forums_reaffirmations_rounds_and_co_pledger_reports_when_seeded(
    seeded: str,
) -> None:
    between = Pledge.objects.filter(forum=None)
    rounds = list(ReportingRound.objects.all())
    co_reports = PledgeUpdate.objects.exclude(entity=F("pledge__entity"))

    assert between.exists()
    assert not between.exclude(reference__contains="-C-").exists()
    assert PledgeReaffirmation.objects.exists()
    assert not PledgeReaffirmation.objects.filter(forum=F("pledge__forum")).exists()
    assert {r.status_on(AS_OF) for r in rounds} == {RoundStatus.OPEN, RoundStatus.CLOSED}
    assert any(r.forum is None for r in rounds)
    assert any(r.closed_early_on for r in rounds)
    in_rounds = PledgeUpdate.objects.exclude(round=None)
    assert in_rounds.exists()
    # An update answers the round of its compact that was open on the day it was reported.
    assert not in_rounds.exclude(round__compact=F("pledge__compact")).exists()
    assert not in_rounds.filter(reported_on__lt=F("round__opens_on")).exists()
    assert not in_rounds.filter(reported_on__gt=F("round__closes_on")).exists()
    assert co_reports.exists()
    # Co-pledgers report on joint pledges only, as accepted and verified participants.
    assert not co_reports.exclude(
        pledge__participants__entity=F("entity"),
        pledge__participants__status=ParticipantStatus.ACCEPTED,
    ).exists()


def test_exchange_rates_exist_for_every_currency_used_when_seeded(seeded: str) -> None:
    used = set(Pledge.objects.exclude(currency=None).values_list("currency_id", flat=True))
    forum_days = set(
        Forum.objects.filter(start_date__lt=AS_OF).values_list("start_date", flat=True)
    )

    for code in used:
        days = set(ExchangeRate.objects.filter(currency_id=code).values_list("date", flat=True))
        assert {dt.date(year, 12, 31) for year in range(2018, AS_OF.year)} <= days, code
        assert forum_days <= days, code


def test_indicator_values_exist_for_every_indicator_when_seeded(seeded: str) -> None:
    for indicator in Indicator.objects.all():
        values = IndicatorValue.objects.filter(indicator=indicator)
        assert values.filter(country=None).count() >= 3, indicator.code
        assert values.exclude(country=None).values("country").distinct().count() >= 10
        if indicator.unit == "percent":
            for value in values:
                assert value.numerator is not None, indicator.code
                assert value.denominator, indicator.code
                share = 100 * value.numerator / value.denominator
                assert abs(value.value - share) < Decimal("0.01"), indicator.code


# --- demo accounts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "lands_on"),
    [("secretariat@example.org", "/review/"), ("stakeholder@example.org", "/my/")],
)
def test_demo_accounts_log_in_through_the_login_form_when_seeded(
    seeded: str, client: Client, email: str, lands_on: str
) -> None:
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == lands_on
    assert "demo-pass-2026" in seeded  # the closing summary tells the user the password


def test_secretariat_account_reviews_with_every_domain_permission_when_seeded(
    seeded: str,
) -> None:
    user = User.objects.get(email="secretariat@example.org")
    domain = Permission.objects.filter(
        content_type__app_label__in=["compacts", "forums", "pledges", "indicators", "core"]
    )

    assert user.is_staff
    assert user.groups.filter(name="Secretariat").exists()
    assert set(domain) <= set(user.groups.get(name="Secretariat").permissions.all())
    assert is_secretariat(user)


def test_stakeholder_acts_for_a_verified_entity_with_pledges_in_several_states_when_seeded(
    seeded: str,
) -> None:
    user = User.objects.get(email="stakeholder@example.org")
    membership = Membership.objects.get(user=user)
    states = set(membership.entity.pledges.values_list("review_state", flat=True))

    assert membership.status == MembershipStatus.ACTIVE
    assert membership.role == MembershipRole.EDITOR
    assert membership.entity.is_verified
    assert is_active_member(user, membership.entity)
    assert {ReviewState.DRAFT, ReviewState.SUBMITTED, ReviewState.PUBLISHED} <= states
    # The showcase's demo files: marked DEMO, on its pledges and updates, downloadable by it.
    files = Attachment.objects.filter(pledge__entity=membership.entity)
    assert files.filter(update__isnull=True).exists()
    assert files.filter(update__isnull=False).exists()
    assert all(name.startswith("DEMO") for name in files.values_list("name", flat=True))
    assert "demo files attached" in seeded
    client = Client()
    client.force_login(user)
    download = client.get(reverse("attachment-download", args=[files.first().public_id]))
    assert b"DEMO" in b"".join(download.streaming_content)


def test_rerun_adds_pledges_but_not_accounts_and_resets_the_password_when_seeded_again(
    seeded: str, client: Client
) -> None:
    entities = Entity.objects.count()
    continuous = dict(ContinuousReferenceCounter.objects.values_list("compact_id", "last_number"))
    stakeholder = User.objects.get(email="stakeholder@example.org")
    stakeholder.set_password("changed-by-someone")
    stakeholder.save()

    seed_demo(pledges=50)

    assert Pledge.objects.count() == PLEDGES + 50
    # The continuous series go on from where the first run left them, never back.
    for compact_id, number in continuous.items():
        assert ContinuousReferenceCounter.objects.get(compact_id=compact_id).last_number >= number
    assert Entity.objects.count() == entities  # the same names are reused
    assert (
        User.objects.filter(email__in=["secretariat@example.org", stakeholder.email]).count() == 2
    )
    assert Membership.objects.filter(user=stakeholder).count() == 1
    assert client.login(email=stakeholder.email, password=PASSWORD)


# --- when it runs --------------------------------------------------------------------------


def test_every_objective_has_published_demo_resources_when_seeded(seeded: str) -> None:
    from compacts.models import Objective
    from resources.models import Resource

    published = Resource.objects.published()
    assert not published.filter(is_demo=False).exists()
    assert not Objective.objects.exclude(resources__in=published).exists()
    assert Resource.objects.filter(is_demo=True, state="submitted").count() == 1
    seed_demo(pledges=10)  # a rerun adds no second set
    assert Resource.objects.filter(is_demo=True).count() == Objective.objects.count() * 3 + 1


def test_nothing_happens_when_if_empty_and_pledges_exist(seeded: str) -> None:
    output = seed_demo("--if-empty", pledges=50)

    assert "already exist" in output
    assert Pledge.objects.count() == PLEDGES


def test_seeds_when_if_empty_and_no_pledge_exists(reference_data: None, debug: None) -> None:
    seed_demo("--if-empty", pledges=40)

    assert Pledge.objects.count() == 40


def test_refuses_when_debug_is_off_without_force(reference_data: None, settings: Any) -> None:
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        seed_demo(pledges=10)
    assert not Pledge.objects.exists()


def test_runs_when_debug_is_off_with_force(reference_data: None, settings: Any) -> None:
    settings.DEBUG = False

    seed_demo("--force", pledges=10)

    assert Pledge.objects.count() == 10


def test_asks_for_the_reference_data_when_it_is_missing(
    debug: None, no_reference_data: None
) -> None:
    assert not Compact.objects.exists()

    with pytest.raises(CommandError, match="load_reference_data"):
        seed_demo(pledges=10)


def test_multistakeholder_memberships_are_seeded_in_every_state(seeded: str) -> None:
    states = set(MultistakeholderMembership.objects.values_list("state", flat=True))
    assert {MembershipState.ACCEPTED, MembershipState.REQUESTED} <= states
    accepted = MultistakeholderMembership.objects.filter(state=MembershipState.ACCEPTED)
    assert not accepted.exclude(pledge__review_state=ReviewState.PUBLISHED).exists()
    assert not accepted.exclude(pledge__compact__code="GCR").exists()
    # The stakeholder account's entity leads one, so it has requests to decide.
    assert MultistakeholderLead.objects.filter(
        entity__memberships__user__email="stakeholder@example.org", status=LeadStatus.ACCEPTED
    ).exists()
