"""Importing progress reports on imported pledges: approved at once, moving the pledge's
status and figures; the same file twice changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest

from compacts.models import Objective
from core.models import AuditEntry
from imports.services import run_import
from pledges.models import Pledge, PledgeProgressMark, PledgeTarget, PledgeUpdate

from .conftest import sample

pytestmark = pytest.mark.django_db

UPDATES = "progress_updates_semicolon.csv"


@pytest.fixture
def imported_pledges(secretariat, known_entities) -> None:
    content = sample("grf_pledges_bom_semicolon.csv").replace(b";Kenia;", b";Kenya;")
    report = run_import(
        content=content,
        kind="pledges",
        by=secretariat,
        reason="pledges",
        commit=True,
        create_verified=True,
    )
    assert report.committed, report.errors
    PledgeTarget.objects.create(
        pledge=Pledge.objects.get(external_id="GRF-1002"),
        metric="Resettlement places",
        unit="places",
        target_value=3000,
    )
    PledgeProgressMark.objects.all().delete()
    Objective.objects.update(progress_stale_since=None)


def test_reports_are_approved_and_move_status_and_figures_when_imported(
    secretariat, imported_pledges
):
    report = run_import(
        content=sample(UPDATES),
        kind="updates",
        by=secretariat,
        reason="Import 9 of updates.csv",
        commit=True,
    )

    assert report.committed, report.errors
    assert report.as_json()["counts"] == {"create": 3, "update": 0, "unchanged": 0, "error": 0}
    schools = Pledge.objects.get(external_id="GRF-1001")
    assert (schools.implementation_status, schools.last_update_on) == (
        "fulfilled",
        dt.date(2024, 12, 31),
    )
    latest = schools.updates.get(reported_on=dt.date(2024, 12, 31))
    assert (latest.review_state, latest.disbursed_amount) == ("approved", Decimal("1500000.00"))
    places = PledgeUpdate.objects.get(pledge__external_id="GRF-1002")
    assert [a.value for a in places.actuals.all()] == [Decimal("400")]
    assert PledgeProgressMark.objects.filter(pledge_id=schools.pk).exists()
    assert Objective.objects.filter(
        compact__code="GCR", number=2, progress_stale_since__isnull=False
    ).exists()
    assert (
        AuditEntry.objects.filter(
            action="imports.update.created", reason="Import 9 of updates.csv"
        ).count()
        == 3
    )

    again = run_import(
        content=sample(UPDATES), kind="updates", by=secretariat, reason="again", commit=True
    )
    assert again.as_json()["counts"] == {"create": 0, "update": 0, "unchanged": 3, "error": 0}


def test_a_report_on_an_unknown_pledge_refuses_the_file_when_the_pledge_was_not_imported(
    secretariat, imported_pledges
):
    content = sample(UPDATES).replace(b"GRF-1002;", b"GRF-9999;")

    report = run_import(content=content, kind="updates", by=secretariat, reason="x", commit=True)

    assert not report.committed
    [error] = report.errors
    assert error["row"] == 4
    assert error["problems"][0]["message"] == (
        "No imported pledge has the id “GRF-9999”: import the pledges first."
    )
    assert not PledgeUpdate.objects.exists()
