"""The `resources` kind: a CSV of the Migration Network Hub's shape loads all or nothing."""

from pathlib import Path

import pytest
from django.core.management import call_command

from imports.services import run_import
from resources.models import Resource, ResourceState

from .conftest import FILES, sample

pytestmark = pytest.mark.django_db


def test_hub_rows_are_published_with_their_objectives_when_the_file_is_clean(
    reference_data: None, secretariat
) -> None:
    report = run_import(
        content=sample("resources_hub.csv"),
        kind="resources",
        by=secretariat,
        reason="hub",
        commit=True,
    )
    assert report.committed, report.rows
    assert report.counts["create"] == 3
    guide = Resource.objects.get(url__endswith="guide-labour-mobility")
    assert guide.state == ResourceState.PUBLISHED
    assert sorted(o.number for o in guide.objectives.all()) == [6, 23]
    assert {o.compact.code for o in guide.objectives.all()} == {"GCM"}
    assert guide.languages == ["en", "fr"]
    assert guide.region == "002"
    assert [c.code for c in guide.countries.all()] == ["KE"]
    assert [p.name for p in guide.principles.all()] == ["People-centred"]
    toolkit = Resource.objects.get(url__endswith="toolkit-return")
    assert toolkit.title == "Toolkit on return and reintegration"
    assert toolkit.resource_type == "tool"
    practice = Resource.objects.get(url__endswith="one-stop-centres")
    assert practice.resource_type == "practice"
    assert practice.date is not None
    assert practice.date.year == 2023
    assert sorted(o.number for o in practice.objectives.all()) == [2, 5, 23]

    again = run_import(
        content=sample("resources_hub.csv"),
        kind="resources",
        by=secretariat,
        reason="hub",
        commit=True,
    )
    assert again.counts["unchanged"] == 3
    assert Resource.objects.count() == 3


def test_nothing_is_written_and_each_bad_row_says_why_when_rows_are_wrong(
    reference_data: None, secretariat
) -> None:
    report = run_import(
        content=sample("resources_hub_errors.csv"),
        kind="resources",
        by=secretariat,
        reason="hub",
        commit=True,
    )
    assert not report.committed
    assert Resource.objects.count() == 0
    errors = {row["row"]: row for row in report.rows if row["action"] == "error"}
    assert set(errors) == {3, 4, 5}
    columns = {problem["column"] for problem in errors[3]["problems"]}
    assert {"Content type", "Date", "Objectives", "Guiding principles", "Language"} <= columns
    assert {"Region", "Country"} <= columns
    assert errors[4]["problems"][0]["column"] == "Title"
    assert "row 2" in errors[5]["problems"][0]["message"]


def test_the_command_loads_a_hub_file(reference_data: None, site_admin, capsys) -> None:
    call_command("import_data", "resources", str(Path(FILES) / "resources_hub.csv"))
    assert Resource.objects.published().count() == 3
