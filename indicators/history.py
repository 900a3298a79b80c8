"""What the public indicator pages read: the framework editions with their indicators and
reports, and one indicator's global values per reference year and report edition."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from .models import FrameworkEdition, Indicator, IndicatorValue, ReportEdition


def editions() -> QuerySet[FrameworkEdition]:
    """Every edition, oldest first per compact, with its indicators and its reports."""
    return FrameworkEdition.objects.select_related("compact").prefetch_related(
        Prefetch(
            "indicators",
            queryset=Indicator.objects.select_related("objective").order_by("code"),
        ),
        Prefetch("reports", queryset=ReportEdition.objects.order_by("year")),
    )


@dataclass
class HistoryRow:
    """One reference year: the value each report edition published (None where it published
    none), values from other sources, and the value progress uses for that year."""

    year: int
    by_report: list[IndicatorValue | None]
    others: list[IndicatorValue]
    used: IndicatorValue


@dataclass
class History:
    reports: list[ReportEdition] = field(default_factory=list)
    rows: list[HistoryRow] = field(default_factory=list)
    has_others: bool = False
    # The value the progress figures use now: the newest year's, from the latest report.
    current: IndicatorValue | None = None


def indicator_history(indicator: Indicator) -> History:
    """The indicator's global values, newest year first, one column per report edition that
    published a value of it or is based on its edition."""
    values = list(
        IndicatorValue.objects.filter(indicator=indicator, country__isnull=True)
        .select_related("report")
        .latest_first()
    )
    report_ids = {v.report_id for v in values if v.report_id is not None}
    reports = list(
        ReportEdition.objects.filter(
            Q(pk__in=report_ids) | Q(framework_id=indicator.edition_id)
        ).order_by("year")
    )
    history = History(reports=reports, current=values[0] if values else None)
    column = {report.pk: number for number, report in enumerate(reports)}
    by_year: dict[int, list[IndicatorValue]] = {}
    for value in values:
        by_year.setdefault(value.year, []).append(value)
    for year, year_values in by_year.items():  # newest first, as read
        cells: list[IndicatorValue | None] = [None] * len(reports)
        others = []
        for value in year_values:
            if value.report_id is None:
                others.append(value)
            else:
                cells[column[value.report_id]] = value
        history.has_others = history.has_others or bool(others)
        history.rows.append(
            HistoryRow(year=year, by_report=cells, others=others, used=year_values[0])
        )
    return history
