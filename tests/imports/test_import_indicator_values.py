"""Importing indicator values as a report edition published them: keyed by (indicator, country
or global, year, report), audited, marking the objective they measure; the same file twice
changes nothing; one bad row writes nothing and is named."""

from decimal import Decimal

import pytest

from compacts.models import Objective
from core.models import AuditEntry
from imports.services import run_import
from indicators.models import IndicatorValue

from .conftest import sample

pytestmark = pytest.mark.django_db

VALUES = "indicator_values_windows1252.csv"


def _import(secretariat, content: bytes, *, commit: bool = True):
    return run_import(
        content=content,
        kind="indicator_values",
        by=secretariat,
        reason="Import 4 of table-a.csv",
        commit=commit,
    )


def test_values_of_a_french_windows_1252_table_are_imported(secretariat, reference_data):
    Objective.objects.update(progress_stale_since=None)

    report = _import(secretariat, sample(VALUES))

    assert report.committed, report.errors
    assert report.as_json()["counts"] == {"create": 3, "update": 0, "unchanged": 0, "error": 0}
    rows = {
        (v.indicator.code, v.country_id): v
        for v in IndicatorValue.objects.select_related("indicator", "report")
    }
    kenya = rows[("2.1.1", "KE")]
    assert (kenya.value, kenya.year, kenya.report.year) == (Decimal("1234.5"), 2022, 2023)
    # No source column: the report edition is the source.
    assert kenya.source == kenya.report.title
    assert rows[("3.1.1", None)].source == "UNHCR Resettlement Data Finder"  # a global value
    uganda = rows[("1.1.1", "UG")]  # "Ouganda": country names in the file's language
    assert (uganda.numerator, uganda.denominator) == (Decimal(85), Decimal(200))
    assert (
        AuditEntry.objects.filter(
            action="imports.indicator_value.created", reason="Import 4 of table-a.csv"
        ).count()
        == 3
    )
    # The objectives the values measure are recomputed.
    assert set(
        Objective.objects.filter(progress_stale_since__isnull=False).values_list(
            "number", flat=True
        )
    ) == {1, 2, 3}


def test_the_same_table_twice_changes_nothing_and_a_correction_changes_one_value(
    secretariat, reference_data
):
    _import(secretariat, sample(VALUES))

    again = _import(secretariat, sample(VALUES))
    corrected = _import(secretariat, sample(VALUES).replace(b"114300", b"114350"))

    assert again.as_json()["counts"]["unchanged"] == 3
    assert corrected.as_json()["counts"] == {"create": 0, "update": 1, "unchanged": 2, "error": 0}
    assert corrected.rows[1]["changes"] == ["value"]
    assert IndicatorValue.objects.get(country=None).value == 114350


def test_a_bad_row_writes_nothing_and_is_named(secretariat, reference_data):
    content = sample(VALUES).replace(b"1.1.1;2023;Ouganda", b"9.9.9;2023;Ouganda")

    report = _import(secretariat, content)

    assert not report.committed
    (error,) = report.errors
    assert error["row"] == 5
    assert "No indicator 9.9.9" in error["problems"][0]["message"]
    assert not IndicatorValue.objects.exists()
