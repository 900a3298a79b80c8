"""Writes to indicator data that feeds progress figures. The admin calls these, so that every
change marks the objectives whose progress it alters (docs/progress.md, "When it is computed")."""

from django.db import transaction

from compacts.progress_marks import mark_all_objectives_stale, mark_objectives_stale
from core.models import ExchangeRate

from . import delta
from .feed import feed_values
from .models import Indicator, IndicatorValue, ReportEdition


@transaction.atomic
def save_indicator(*, indicator: Indicator, previous_objective_id: int | None = None) -> Indicator:
    """Save an indicator (baseline, target, objective…) and mark the objectives it moves."""
    indicator.full_clean()
    indicator.save()
    moved = (indicator.objective_id, previous_objective_id)
    mark_objectives_stale({pk for pk in moved if pk is not None})
    return indicator


@transaction.atomic
def save_indicator_value(*, value: IndicatorValue) -> IndicatorValue:
    """Save an observed value and mark its indicator's objective."""
    value.full_clean()
    value.save()
    mark_objectives_stale([value.indicator.objective_id])
    feed_values(saved=[value.pk])
    return value


@transaction.atomic
def delete_indicator_value(*, value: IndicatorValue) -> None:
    objective_id = value.indicator.objective_id
    pk = value.pk
    value.delete()
    mark_objectives_stale([objective_id])
    feed_values(deleted=[pk])


@transaction.atomic
def save_report_edition(*, report: ReportEdition) -> ReportEdition:
    """Save a report edition. Report years decide which of a year's values is the latest, so
    the objectives of the compact's indicators that have report values are marked."""
    report.full_clean()
    report.save()
    compact_id = report.framework.compact_id
    mark_objectives_stale(
        set(
            Indicator.objects.filter(
                compact_id=compact_id, values__report__isnull=False
            ).values_list("objective_id", flat=True)
        )
    )
    return report


@transaction.atomic
def save_exchange_rate(*, rate: ExchangeRate) -> ExchangeRate:
    """Save a rate. Any objective may hold a pledge in that currency, so all are marked; the
    recompute is a few grouped queries, so this is cheap."""
    rate.full_clean()
    rate.save()
    delta.discard()  # every pledge's USD rate may move: stored sums no longer hold
    mark_all_objectives_stale()
    return rate


@transaction.atomic
def delete_exchange_rate(*, rate: ExchangeRate) -> None:
    rate.delete()
    delta.discard()
    mark_all_objectives_stale()
