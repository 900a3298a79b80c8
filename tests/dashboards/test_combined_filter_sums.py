"""Combined dashboard filters read stored sums (indicators/filter_sums.py) when they answer the
combination: the figures must be exactly those computed from the per-pledge facts, for every
kind of combination, after a full run and after an incremental one."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection

from accounts.models import User
from bootstrap.demo import seed_demo
from compacts.models import Compact, Objective
from core.models import Country
from indicators import delta, engine, filter_sums, runner
from indicators.combined import FactFilter, combined, plan, stored
from indicators.models import FilterSum, PledgeFact
from partnerships.models import MultistakeholderPledge
from pledges.models import GeographyScope, Pledge, ReviewState, SupportType, overdue_cutoff
from pledges.services import PledgeInput, transition_pledge, update_pledge

ON = dt.date(2026, 11, 23)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def demo(reference_data: None) -> object:
    with time_machine.travel(dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC), tick=True) as t:
        seed_demo(pledges=200, as_of=ON)
        yield t


def combinations(compact: Compact) -> tuple[list[FactFilter], list[FactFilter]]:
    """Combinations the stored sums answer whole — each filter alone, pairs, triples — and some
    they answer in part or not at all (a country, four filters or more, a multistakeholder
    pledge), each with the value most pledges have (the pledges in several regions, objectives
    and types of support are where counting twice would show)."""
    facts = PledgeFact.objects.filter(compact_id=compact.pk)

    def most(column: str) -> object:
        counts: dict[object, int] = {}
        for value in facts.values_list(column, flat=True):
            for item in value if isinstance(value, list) else [value]:
                counts[item] = counts.get(item, 0) + 1
        return max(counts, key=lambda item: (counts[item], str(item)))

    forum, entity_type = most("forum_code"), most("entity_type_code")
    region, objective, support = most("regions"), most("objective_ids"), most("support_type_ids")
    country = most("countries")
    several = [ids for ids in facts.values_list("support_type_ids", flat=True) if len(ids) > 1]
    assert several, "pledges with several types of support"
    msp = MultistakeholderPledge.objects.filter(compact=compact).order_by("pk").first()

    def make(**keys: Any) -> FactFilter:
        return FactFilter(compact.pk, **keys)

    return [
        make(),
        make(forum=forum),
        make(region=region),
        make(region=engine.GLOBAL),
        make(entity_type=entity_type),
        make(objective_id=objective),
        make(support_type_id=support),
        make(forum=forum, region=region),
        make(entity_type=entity_type, objective_id=objective),
        make(region=region, support_type_id=support),
        make(objective_id=objective, support_type_id=support),
        make(forum=forum, support_type_id=support),
        make(objective_id=objective, support_type_id=support, entity_type=entity_type),
        make(forum=forum, region=region, support_type_id=support),
        make(country=country),
        make(country=country, region=region),
    ], [
        # In part or not at all: the rest from the facts (few pledges match).
        make(country=country, support_type_id=support),
        make(country=country, forum=forum, objective_id=objective),
        make(forum=forum, entity_type=entity_type, objective_id=objective, region=region),
        make(
            forum=forum,
            region=region,
            entity_type=entity_type,
            objective_id=objective,
            support_type_id=support,
        ),
        *([make(msp_id=msp.pk, region=region)] if msp else []),
    ]


def assert_sums_equal_facts() -> None:
    compared = 0
    for compact in Compact.objects.all():
        answered, mixed = combinations(compact)
        assert not any(stored(flt, ON) for flt in mixed)
        for flt in answered + mixed:
            assert stored(flt, ON) == (flt in answered), flt
            from_facts = combined(flt, on=ON, use_sums=False)
            from_sums = combined(flt, on=ON)
            assert from_sums == from_facts, flt
            compared += from_sums.headline is not None
    assert compared >= 26, "most combinations have pledges"


def rows() -> list[tuple]:
    names = [f.attname for f in FilterSum._meta.fields if f.attname != "id"]
    return sorted(FilterSum.objects.values_list(*names), key=str)


def test_stored_sums_give_the_figures_of_the_facts_before_and_after_an_incremental_run(
    secretariat: User,
) -> None:
    runner.recompute_all(triggered_by="test")
    # Built after the run's commit (the Celery task calls it): until then, the facts.
    assert not stored(FactFilter(Compact.objects.get(code="GCR").pk), ON)
    assert delta.build_filter_sums() == ON
    assert delta.build_filter_sums() is None  # once per base
    assert_sums_equal_facts()

    # A pledge moves to other regions, objectives and types of support; another is withdrawn.
    edited = Pledge.objects.filter(
        review_state=ReviewState.PUBLISHED, compact__code="GCR"
    ).earliest("id")
    data = PledgeInput.from_pledge(edited)
    data.objectives = list(Objective.objects.filter(compact=edited.compact).order_by("number")[:3])
    data.geography_scope = GeographyScope.REGIONAL
    data.beneficiary_countries = list(Country.objects.filter(code__in=["KE", "JO", "CO"]))
    data.support_types = list(SupportType.objects.order_by("pk")[:2])
    data.amount = Decimal("98765.43")
    update_pledge(pledge=edited, data=data, by=secretariat)
    gone = Pledge.objects.filter(review_state=ReviewState.PUBLISHED).latest("id")
    transition_pledge(pledge=gone, action="supersede", by=secretariat, reason="Test")
    outcome = runner.recompute_stale(triggered_by="test")
    assert outcome.run is not None
    assert not outcome.objectives_skipped

    assert_sums_equal_facts()
    # The differences leave exactly the rows a full build gives (none left empty).
    kept = rows()
    with connection.cursor() as cursor:
        filter_sums.rebuild(cursor, overdue_cutoff(ON))
    assert kept == rows()


def test_a_multistakeholder_pledge_another_day_or_a_new_base_reads_the_facts() -> None:
    runner.recompute_all(triggered_by="test")
    delta.build_filter_sums()
    gcr = Compact.objects.get(code="GCR")
    msp = MultistakeholderPledge.objects.order_by("pk").first()

    assert stored(FactFilter(gcr.pk, forum="GRF23"), ON)
    assert not plan(FactFilter(gcr.pk, forum="GRF23"), ON + dt.timedelta(days=1)).stored
    # A country alone reads its own rows; with another filter, its countries and targets come
    # from the facts.
    assert stored(FactFilter(gcr.pk, country="KE"), ON)
    flt = FactFilter(gcr.pk, country="KE", forum="GRF23")
    assert set(plan(flt, ON).facts) == {"country", "targets"}
    if msp is not None:
        assert not plan(FactFilter(gcr.pk, msp_id=msp.pk), ON).stored
    # A new full run's facts: the sums wait for their build.
    runner.recompute_all(triggered_by="test")
    assert not stored(FactFilter(gcr.pk, forum="GRF23"), ON)
