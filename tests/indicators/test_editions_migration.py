"""indicators 0008 moved indicators into framework editions and values into report editions:
existing indicators keep their figures, a value whose source names an indicator report belongs
to that report, and every other value (generated demo values included) keeps no report."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from bootstrap.demo.words import DEMO_SOURCE
from indicators.models import Indicator, IndicatorValue

pytestmark = pytest.mark.django_db

BEFORE = [("indicators", "0007_msp_progress_snapshot")]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return executor


def _forward() -> None:
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_indicators_join_their_edition_and_values_the_report_their_source_names(
    reference_data: None,
) -> None:
    old = _migrate(BEFORE).loader.project_state(BEFORE).apps
    OldIndicator = old.get_model("indicators", "Indicator")
    OldValue = old.get_model("indicators", "IndicatorValue")
    resettled = OldIndicator.objects.get(code="3.1.1")
    assert resettled.framework_version == "2022"
    older = OldIndicator.objects.create(
        compact_id=resettled.compact_id,
        objective_id=resettled.objective_id,
        code="3.9.1",
        title="An indicator of the 2019 framework",
        unit="persons",
        framework_version="2019",
    )
    draft = OldIndicator.objects.create(
        compact_id=resettled.compact_id,
        objective_id=resettled.objective_id,
        code="3.9.2",
        title="A draft",
        unit="persons",
        framework_version="draft",
    )
    for year, source in [
        (2022, "UNHCR, GCR Indicator Report 2023, p. 41"),
        (2021, DEMO_SOURCE),
        (2020, "Secretariat estimate"),
    ]:
        OldValue.objects.create(indicator=resettled, year=year, value=Decimal(year), source=source)
    OldValue.objects.create(
        indicator=older,
        year=2019,
        value=Decimal(7),
        source="Global Compact on Refugees Indicator Report 2021",
    )

    _forward()

    resettled_now = Indicator.objects.select_related("edition").get(pk=resettled.pk)
    assert resettled_now.edition.slug == "gcr-2022"
    assert Indicator.objects.get(pk=older.pk).edition.slug == "gcr-2019"
    assert Indicator.objects.get(pk=draft.pk).edition is None  # not a year: no edition
    reports = dict(
        IndicatorValue.objects.filter(indicator_id=resettled.pk).values_list("year", "report__year")
    )
    assert reports == {2022: 2023, 2021: None, 2020: None}
    demo = IndicatorValue.objects.get(indicator_id=resettled.pk, year=2021)
    assert demo.source == DEMO_SOURCE  # still labelled as generated
    assert IndicatorValue.objects.get(indicator_id=older.pk).report.framework.slug == "gcr-2019"


def test_going_back_keeps_the_value_progress_used(reference_data: None) -> None:
    from indicators.models import ReportEdition

    resettled = Indicator.objects.get(edition__slug="gcr-2022", code="3.1.1")
    for year, amount in [(2023, "114300"), (2025, "116500")]:
        IndicatorValue.objects.create(
            indicator=resettled,
            year=2022,
            value=Decimal(amount),
            report=ReportEdition.objects.get(year=year),
            source=f"GCR Indicator Report {year}",
        )

    old = _migrate(BEFORE).loader.project_state(BEFORE).apps
    kept = old.get_model("indicators", "IndicatorValue").objects.filter(indicator_id=resettled.pk)
    assert list(kept.values_list("value", flat=True)) == [Decimal("116500")]
    _forward()
    assert IndicatorValue.objects.get(indicator=resettled).report.year == 2025
