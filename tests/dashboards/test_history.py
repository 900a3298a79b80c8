"""Time series over a long history: up to 60 dates every snapshot is a point, beyond that one
point per ISO week (its last snapshot), so a year of daily history stays readable."""

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client

from dashboards.selectors import MAX_POINTS, thin
from indicators.models import CompactProgressSnapshot, ProgressSnapshot

from .conftest import FIRST, chart_table


def days(n: int, last: dt.date = FIRST) -> list[dt.date]:
    return [last - dt.timedelta(days=i) for i in range(n)][::-1]


def test_short_history_keeps_every_date() -> None:
    assert thin(days(MAX_POINTS)) == set(days(MAX_POINTS))


def test_long_history_keeps_the_last_snapshot_of_each_week() -> None:
    kept = sorted(thin(days(90)))

    assert kept[-1] == FIRST  # the as-of date is always shown
    assert len({d.isocalendar()[:2] for d in kept}) == len(kept)  # one per week
    assert len(kept) == len({d.isocalendar()[:2] for d in days(90)})
    # Each kept date is the last snapshot of its week.
    assert all(
        (d + dt.timedelta(days=1)).isocalendar()[:2] != d.isocalendar()[:2] or d == FIRST
        for d in kept
    )


@pytest.mark.django_db
def test_a_long_daily_history_is_shown_weekly_and_said_so(
    client: Client, world: None, recompute: Callable[[dt.date], None]
) -> None:
    # 89 earlier days of the same figures, as the nightly run would have written them.
    for model in (CompactProgressSnapshot, ProgressSnapshot):
        rows = list(model.objects.filter(date=FIRST))
        clones = []
        for back in range(1, 90):
            for row in rows:
                row.pk, row.date = None, FIRST - dt.timedelta(days=back)
                clones.append(
                    model(
                        **{f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields}
                    )
                )
        model.objects.bulk_create(clones)
    recompute(FIRST)  # new snapshot token: the cache starts afresh

    response = client.get("/dashboard/")

    weeks = len({d.isocalendar()[:2] for d in days(90)})
    assert "90 dates of history in the twelve months up to this date" in response.text
    assert "one point per week" in response.text
    assert len(chart_table(response, "money").rows) == weeks
    assert len(chart_table(response, "objectives").rows) == weeks
    assert chart_table(response, "money").rows[-1][0][0] == "30 Jun 2024"
    csv_lines = client.get("/dashboard/csv/money/").content.decode().strip().splitlines()
    assert len(csv_lines) == weeks + 1
