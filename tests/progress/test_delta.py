"""Incremental runs apply each changed pledge's difference to the sums a full run stored
(`indicators.delta`). Whatever the change — a pledge published, withdrawn, moved to other
objectives, countries or scope, a new amount, an approved update with money and targets — the
snapshots they leave must be exactly those a fresh aggregation of the whole database gives.
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from bootstrap.demo import seed_demo
from compacts.models import Compact, Objective
from core.models import Country, Currency, ExchangeRate
from indicators import delta, engine, runner
from indicators.models import (
    CompactProgressSnapshot,
    PledgeFact,
    ProgressBase,
    ProgressSnapshot,
    SliceKind,
)
from indicators.services import save_exchange_rate
from pledges.models import (
    GeographyScope,
    ImplementationStatus,
    Pledge,
    PledgeProgressMark,
    ReviewState,
    TargetUnit,
)
from pledges.progress_marks import progress_changed
from pledges.services import (
    PledgeInput,
    TargetInput,
    UpdateInput,
    review_update,
    submit_update,
    transition_pledge,
    update_pledge,
)
from tests.admin.pledge_forms import pledge_change_data
from tests.factories import MembershipFactory

ON = dt.date(2026, 11, 23)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


@pytest.fixture
def demo(reference_data: None) -> None:
    seed_demo(pledges=300, as_of=ON)


@pytest.fixture(autouse=True)
def today() -> object:
    with time_machine.travel(dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC), tick=True) as t:
        yield t


def _summed(figures: dict, kind: str, distinct_kind: str) -> dict:
    """The figures the counters derive: the distinct counts are counted by each aggregation
    from the pledges and carried over by incremental runs, as of the day's first run
    (docs/progress.md, "Distinct counts") — present, but not compared."""
    if kind == distinct_kind and figures["pledges"]:
        assert set(engine.DISTINCT_FIGURES) <= set(figures)
    return {k: v for k, v in figures.items() if k not in engine.DISTINCT_FIGURES}


def stored() -> dict:
    """Today's snapshots as the dashboards read them."""
    objectives = {
        (s.objective_id, s.slice_kind, s.slice_key): _summed(s.figures, s.slice_kind, "overall")
        for s in ProgressSnapshot.objects.filter(date=ON)
    }
    compacts = {
        (s.compact_id, s.slice_kind, s.slice_key): _summed(s.figures, s.slice_kind, "forum")
        for s in CompactProgressSnapshot.objects.filter(date=ON)
    }
    return {"objectives": objectives, "compacts": compacts}


def fresh() -> dict:
    """What a from-scratch aggregation of the database gives now (nothing written)."""
    objective_ids = list(Objective.objects.values_list("pk", flat=True))
    compact_ids = list(Compact.objects.values_list("pk", flat=True))
    return {
        "objectives": {
            group: _summed(figures, group[1], "overall")
            for group, figures in engine.compute_objectives(objective_ids, on=ON).items()
        },
        "compacts": {
            group: _summed(figures, group[1], "forum")
            for group, figures in engine.compute_compacts(compact_ids, on=ON).items()
        },
    }


def published(**filters: object) -> Pledge:
    return (
        Pledge.objects.filter(review_state=ReviewState.PUBLISHED, **filters).order_by("id").first()
    )


def member_of(pledge: Pledge) -> User:
    return MembershipFactory(entity=pledge.entity).user


def assert_incremental_equals_fresh() -> None:
    outcome = runner.recompute_stale(triggered_by="test")
    assert outcome.run is not None, "the change should have marked objectives"
    assert not PledgeProgressMark.objects.exists(), "every marked pledge was applied"
    assert delta.base_ready(ON), "the incremental run used (and kept) the stored sums"
    assert stored() == fresh()


def test_a_full_run_stores_the_facts_and_sums_of_the_day() -> None:
    runner.recompute_all(triggered_by="test")

    assert ProgressBase.objects.get().built_on == ON
    assert PledgeFact.objects.count() == Pledge.objects.filter(review_state="published").count()
    assert stored() == fresh()


def test_changes_of_every_kind_leave_the_same_snapshots_as_a_fresh_aggregation(
    secretariat: User,
) -> None:
    runner.recompute_all(triggered_by="test")
    before = stored()

    # Superseded: its contribution leaves every objective, slice and compact total.
    gone = published()
    transition_pledge(pledge=gone, action="supersede", by=secretariat, reason="Test")
    assert_incremental_equals_fresh()
    assert stored() != before

    # Published: a pledge under review enters the figures.
    new = Pledge.objects.filter(review_state=ReviewState.SUBMITTED).order_by("id").first()
    transition_pledge(pledge=new, action="publish", by=secretariat)
    assert_incremental_equals_fresh()

    # Edited: other objectives, scope, countries, amount and currency, targets.
    edited = published(compact__code="GCM", amount__isnull=False)
    data = PledgeInput.from_pledge(edited)
    data.objectives = list(Objective.objects.filter(compact=edited.compact).order_by("-number")[:2])
    data.geography_scope = GeographyScope.REGIONAL
    data.beneficiary_countries = list(Country.objects.order_by("code")[:3])
    data.amount = Decimal("123456.78")
    data.currency = Currency.objects.exclude(code="USD").order_by("code").first()
    data.targets = [
        TargetInput(metric="People reached", unit=TargetUnit.PERSONS, target_value=Decimal(500)),
        TargetInput(metric="Share enrolled", unit=TargetUnit.PERCENT, target_value=Decimal(80)),
    ]
    update_pledge(pledge=edited, data=data, by=secretariat)
    assert_incremental_equals_fresh()

    # Global scope: the pledge moves from its regions to the "global" region.
    data.geography_scope = GeographyScope.GLOBAL
    data.beneficiary_countries = []
    update_pledge(pledge=edited, data=data, by=secretariat)
    assert_incremental_equals_fresh()

    # An approved update: status, money disbursed, achieved values (one target met).
    targets = {t.unit: t.pk for t in edited.targets.all()}
    update = submit_update(
        pledge=edited,
        data=UpdateInput(
            status=ImplementationStatus.FULFILLED,
            narrative="Done.",
            reported_on=ON,
            disbursed_amount=Decimal("100000.00"),
            actuals={targets[TargetUnit.PERSONS]: Decimal(650), targets[TargetUnit.PERCENT]: 40},
        ),
        by=member_of(edited),
    )
    review_update(update=update, action="approve", by=secretariat)
    assert_incremental_equals_fresh()
    compact_total = CompactProgressSnapshot.objects.get(
        compact=edited.compact, slice_kind=SliceKind.OVERALL, date=ON
    )
    assert compact_total.figures["status"]["fulfilled"] >= 1


def test_several_marked_pledges_are_applied_in_one_run(secretariat: User) -> None:
    runner.recompute_all(triggered_by="test")
    for pledge in Pledge.objects.filter(review_state=ReviewState.PUBLISHED).order_by("id")[:5]:
        transition_pledge(pledge=pledge, action="supersede", by=secretariat, reason="Test")

    assert PledgeProgressMark.objects.count() == 5
    assert_incremental_equals_fresh()


def test_applying_one_changed_pledge_or_many_takes_the_same_queries() -> None:
    """A difference costs no query per pledge: an incremental run stays within its time budget
    (docs/performance.md, measurement 4) however many pledges changed."""
    runner.recompute_all(triggered_by="test")
    pledges = Pledge.objects.filter(
        review_state=ReviewState.PUBLISHED, implementation_status=ImplementationStatus.IN_PROGRESS
    ).order_by("id")

    def queries_to_apply(count: int) -> int:
        chosen = list(pledges[:count])
        Pledge.objects.filter(pk__in=[p.pk for p in chosen]).update(
            implementation_status=ImplementationStatus.FULFILLED
        )
        objectives = {o.pk for p in chosen for o in p.objectives.all()}
        progress_changed([p.pk for p in chosen], objectives)
        with CaptureQueriesContext(connection) as captured:
            assert delta.apply_marked(on=ON), "the status changes moved some sums"
        return len(captured)

    assert queries_to_apply(1) == queries_to_apply(12)
    runner.recompute_stale(triggered_by="test")
    assert stored() == fresh()


def test_only_snapshots_whose_figures_changed_are_rewritten(secretariat: User) -> None:
    runner.recompute_all(triggered_by="test")
    untouched = ProgressSnapshot.objects.exclude(
        objective__in=published().objectives.all()
    ).values_list("pk", "computed_at")

    transition_pledge(pledge=published(), action="supersede", by=secretariat, reason="Test")
    outcome = runner.recompute_stale(triggered_by="test")

    assert 0 < outcome.snapshots_written < ProgressSnapshot.objects.filter(date=ON).count()
    assert set(untouched) <= set(ProgressSnapshot.objects.values_list("pk", "computed_at")), (
        "snapshots of objectives the pledge is not in keep their rows and times"
    )


def test_an_exchange_rate_change_drops_the_sums_and_the_run_it_causes_stores_them_again(
    secretariat: User,
) -> None:
    runner.recompute_all(triggered_by="test")
    rate = ExchangeRate.objects.order_by("currency_id", "date").first()
    rate.usd_per_unit = rate.usd_per_unit * 2
    save_exchange_rate(rate=rate)

    assert not delta.base_ready(ON)
    # Every objective was marked: the run is a full one and stores the sums again.
    runner.recompute_stale(triggered_by="test")
    assert delta.base_ready(ON)
    assert stored() == fresh()
    transition_pledge(pledge=published(), action="supersede", by=secretariat, reason="Test")
    assert_incremental_equals_fresh()


def test_sums_of_an_earlier_day_are_not_used(secretariat: User, today: object) -> None:
    runner.recompute_all(triggered_by="test")
    today.move_to(dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC))

    assert not delta.base_ready(dt.date(2026, 11, 24))
    transition_pledge(pledge=published(), action="supersede", by=secretariat, reason="Test")
    outcome = runner.recompute_stale(triggered_by="test")
    assert outcome.objectives_done, "recomputed from scratch instead"


def test_admin_edits_and_deletions_leave_the_same_snapshots_as_a_fresh_aggregation(
    admin_client: Client,
) -> None:
    runner.recompute_all(triggered_by="test")
    before = stored()

    # Edited in the admin: moved to other objectives of its compact.
    edited = published(compact__code="GCM")
    others = Objective.objects.filter(compact=edited.compact).exclude(
        pk__in=edited.objectives.values("pk")
    )
    response = admin_client.post(
        reverse("admin:pledges_pledge_change", args=[edited.pk]),
        pledge_change_data(edited, objectives=[others.first().pk]),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert_incremental_equals_fresh()
    assert stored() != before

    # Deleted in the admin, one from its page and two with the bulk action.
    one, *two = Pledge.objects.filter(review_state=ReviewState.PUBLISHED).order_by("-id")[:3]
    response = admin_client.post(
        reverse("admin:pledges_pledge_delete", args=[one.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert_incremental_equals_fresh()
    response = admin_client.post(
        reverse("admin:pledges_pledge_changelist"),
        {"action": "delete_selected", "_selected_action": [p.pk for p in two], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Pledge.objects.filter(pk__in=[one.pk, *(p.pk for p in two)]).exists()
    assert_incremental_equals_fresh()
